"""The cast of test users, named once: a planner at each port, a reviewer, an administrator,
a board member, and the public (anonymous)."""

from __future__ import annotations

import pytest

from accounts.models import Role
from agreement.models import Agreement, Party
from agreement.seed import seed_agreement

from .factories import UserFactory


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
