"""The agreement's execution: signing and effective dates, the provisional title."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from agreement.services import agreement_record_execution
from audit.models import AuditEvent
from core.errors import Forbidden, ServiceError

pytestmark = pytest.mark.django_db


def test_execution_is_provisional_until_entered_and_shown_so(client, agreement):
    assert agreement.title_is_provisional
    page = client.get(reverse("agreement-terms")).text
    assert "provisional title" in page
    assert "Not entered yet" in page


def test_an_administrator_enters_the_execution_and_it_is_audited(client, agreement, administrator):
    agreement_record_execution(
        agreement=agreement,
        actor=administrator,
        signed_on=dt.date(2025, 11, 21),
        effective_on=dt.date(2025, 11, 21),
        signed_title="Cooperative Agreement (signed title)",
    )
    agreement.refresh_from_db()
    assert agreement.title == "Cooperative Agreement (signed title)"
    assert not agreement.title_is_provisional
    event = AuditEvent.objects.get(action="agreement.execution_recorded")
    assert event.before and event.after
    assert event.before["signed_on"] is None and event.after["signed_on"] == "2025-11-21"
    page = client.get(reverse("agreement-terms")).text
    assert "provisional title" not in page and "Not entered yet" not in page


def test_the_effective_date_cannot_precede_the_signing(agreement, administrator):
    with pytest.raises(ServiceError):
        agreement_record_execution(
            agreement=agreement,
            actor=administrator,
            signed_on=dt.date(2025, 11, 21),
            effective_on=dt.date(2025, 11, 1),
        )
    agreement.refresh_from_db()
    assert agreement.signed_on is None


def test_only_administrators_enter_the_execution(agreement, reviewer):
    with pytest.raises(Forbidden):
        agreement_record_execution(
            agreement=agreement, actor=reviewer, signed_on=dt.date(2025, 11, 21), effective_on=None
        )
