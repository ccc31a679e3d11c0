"""Records the agreement rests on cannot be edited or deleted through /admin/: administrators
see them; a correction is a new record made through the workflow."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from agreement.models import DateChangeKind, MilestoneDateChange
from agreement.services import milestone_change_due_date
from audit.models import AuditEvent
from core.admin_site import ImmutableRecordMixin
from plans import services as plan_services
from plans.models import Decision, PlanVersion, ReviewDecision
from tests.api.penalty_records import NOW, port_records
from tests.factories import MilestoneFactory
from tests.plans.conftest import make_draft


@pytest.fixture
def records(pola, pola_staff, reviewer, administrator, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from agreement.models import Phase

    version = make_draft(pola_staff, Phase.objects.get(number=1))
    version = plan_services.version_submit(version=version, actor=pola_staff)
    plan_services.version_decide(
        version=version, decision=Decision.CHANGES_REQUESTED, reasons="Add a map.", actor=reviewer
    )
    with time_machine.travel(NOW, tick=False):
        port = port_records(pola, pola_staff, administrator)
    change = milestone_change_due_date(
        milestone=MilestoneFactory.create(party=pola, due_date=dt.date(2028, 1, 31)),
        new_due_date=dt.date(2028, 3, 31),
        kind=DateChangeKind.AMENDMENT,
        reason="Amendment 1",
        actor=administrator,
    )
    assert change is not None
    return {
        "submitted plan version": PlanVersion.objects.get(pk=version.pk),
        "review decision": ReviewDecision.objects.get(version=version),
        "default": port.default,
        "penalty": port.penalty,
        "fund entry": port.receipt,
        "audit event": AuditEvent.objects.latest("id"),
        "date change": MilestoneDateChange.objects.get(pk=change.pk),
    }


NAMES = [
    "submitted plan version",
    "review decision",
    "default",
    "penalty",
    "fund entry",
    "audit event",
    "date change",
]


@pytest.mark.parametrize("name", NAMES)
def test_an_immutable_record_is_shown_but_cannot_be_changed_added_or_deleted(
    client, administrator, records, name
):
    obj = records[name]
    meta = obj._meta
    client.force_login(administrator)
    change_url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
    page = client.get(change_url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    before = type(obj).objects.filter(pk=obj.pk).values().get()
    assert client.post(change_url, {"note": "edited"}).status_code == 403
    delete_url = reverse(f"admin:{meta.app_label}_{meta.model_name}_delete", args=[obj.pk])
    assert client.get(delete_url).status_code == 403
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    add_url = reverse(f"admin:{meta.app_label}_{meta.model_name}_add")
    assert client.post(add_url, {}).status_code == 403
    changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
    listing = client.post(changelist, {"action": "delete_selected", "_selected_action": [obj.pk]})
    assert listing.status_code in (200, 302)
    assert type(obj).objects.filter(pk=obj.pk).values().get() == before


def test_every_named_model_uses_the_one_immutable_mixin(records):
    from django.contrib import admin

    for name in NAMES:
        model_admin = admin.site._registry[type(records[name])]
        assert isinstance(model_admin, ImmutableRecordMixin), name
