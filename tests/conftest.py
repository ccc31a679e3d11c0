"""The cast of test users, named once: a planner at each port, a reviewer, an administrator,
a board member, and the public (anonymous)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from accounts.models import Role
from agreement.models import Agreement, Party
from agreement.seed import seed_agreement
from config.celery import app as celery_app

from .factories import UserFactory


@pytest.fixture(autouse=True)
def celery_eager() -> Iterator[None]:
    """``.delay()`` runs the task in-process (so mail lands in ``mail.outbox``), unless a test
    starts a real worker and turns this off."""
    old = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = old


@pytest.fixture
def agreement(db: None) -> Agreement:
    return seed_agreement()


@pytest.fixture
def pola(agreement: Agreement) -> Party:
    return Party.objects.get(code="POLA")


@pytest.fixture
def polb(agreement: Agreement) -> Party:
    return Party.objects.get(code="POLB")


@pytest.fixture
def pola_staff(pola: Party):
    return UserFactory.create(username="pola.planner", role=Role.PORT_STAFF, party=pola)


@pytest.fixture
def polb_staff(polb: Party):
    return UserFactory.create(username="polb.planner", role=Role.PORT_STAFF, party=polb)


@pytest.fixture
def reviewer(agreement: Agreement):
    return UserFactory.create(username="reviewer", role=Role.AQMD_REVIEWER)


@pytest.fixture
def administrator(agreement: Agreement):
    return UserFactory.create(username="administrator", role=Role.AQMD_ADMIN)


@pytest.fixture
def board_member(agreement: Agreement):
    return UserFactory.create(username="board", role=Role.BOARD_MEMBER)
