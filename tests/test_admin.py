"""Administrators edit the agreement in the admin; every change is audited; dates move only by
a recorded amendment."""

import datetime as dt

from django.urls import reverse

from agreement.models import AgreementTerm, Milestone, MilestoneKind
from audit.models import AuditEvent


def test_only_administrators_reach_the_admin(
    client, reviewer, pola_staff, board_member, administrator
):
    for user in (reviewer, pola_staff, board_member):
        client.force_login(user)
        response = client.get(reverse("admin:index"))
        assert response.status_code == 302, user.username
    client.force_login(administrator)
    assert client.get(reverse("admin:index")).status_code == 200


def test_admin_change_is_audited_with_before_and_after(client, administrator, agreement):
    term = AgreementTerm.objects.get(key="review_period")
    client.force_login(administrator)
    url = reverse("admin:agreement_agreement_change", args=[agreement.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        {
            "title": agreement.title,
            "withdrawal_notice_days": 60,
            "rulemaking_pause_years": 5,
            "approvals-TOTAL_FORMS": 0,
            "approvals-INITIAL_FORMS": 0,
            "terms-TOTAL_FORMS": 0,
            "terms-INITIAL_FORMS": 0,
            "rulemaking_pauses-TOTAL_FORMS": 0,
            "rulemaking_pauses-INITIAL_FORMS": 0,
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="admin.changed", object_type="agreement.agreement")
    assert event.before is not None and event.after is not None
    assert event.before["withdrawal_notice_days"] == 45
    assert event.after["withdrawal_notice_days"] == 60
    assert event.actor == administrator
    assert term.days == 60  # untouched term keeps its seed


def test_admin_moves_a_due_date_only_with_a_reason(client, administrator, pola):
    milestone = Milestone.objects.get(party=pola, kind=MilestoneKind.DRAFT_PLAN, phase__number=2)
    client.force_login(administrator)
    url = reverse("admin:agreement_milestone_change", args=[milestone.pk])
    base = {
        "party": pola.pk,
        "kind": milestone.kind,
        "phase": milestone.phase_id,
        "reporting_year": "",
        "title": milestone.title,
        "within_port_control": "on",
        "created_at_0": "2026-01-01",
        "created_at_1": "00:00:00",
        "date_changes-TOTAL_FORMS": 0,
        "date_changes-INITIAL_FORMS": 0,
        "new_due_date": "2028-06-15",
        "new_is_provisional": "false",
    }
    response = client.post(url, {**base, "change_reason": ""})
    assert response.status_code == 200
    assert "Say why the due date changes." in response.text
    milestone.refresh_from_db()
    assert milestone.due_date == dt.date(2028, 5, 31)

    response = client.post(url, {**base, "change_reason": "Amendment no. 1"})
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert (milestone.due_date, milestone.is_provisional) == (dt.date(2028, 6, 15), False)
    change = milestone.date_changes.get()
    assert (change.old_due_date, change.reason, change.actor) == (
        dt.date(2028, 5, 31),
        "Amendment no. 1",
        administrator,
    )


def test_nothing_can_be_deleted_in_the_admin(client, administrator, pola):
    client.force_login(administrator)
    url = reverse("admin:agreement_party_delete", args=[pola.pk])
    assert client.get(url).status_code == 403
