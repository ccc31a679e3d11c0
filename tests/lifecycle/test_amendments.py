"""A due-date amendment takes effect only when AQMD and both ports have approved it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from agreement.amendments import (
    amendment_abandon,
    amendment_propose,
    amendment_record_approval,
)
from agreement.models import (
    AmendmentStatus,
    DateChangeKind,
    DueDateAmendment,
    Milestone,
    MilestoneKind,
    Party,
)
from audit.models import AuditEvent
from core.errors import Conflict, Forbidden, ServiceError
from tests.clients import api_as
from tests.factories import MilestoneFactory

pytestmark = pytest.mark.django_db

NEW = dt.date(2028, 2, 29)


@pytest.fixture
def final_plan(pola) -> Milestone:
    """The phase 1 approved-plan deadline: a fixed date (not provisional)."""
    return Milestone.objects.get(party=pola, kind=MilestoneKind.FINAL_PLAN, phase__number=1)


@pytest.fixture
def parties(agreement) -> dict[str, Party]:
    return {p.code: p for p in Party.objects.all()}


def test_an_amendment_pending_approvals_does_not_move_the_due_date(
    final_plan, parties, administrator
):
    amendment = amendment_propose(
        milestone=final_plan,
        new_due_date=NEW,
        reason="Amended by the parties.",
        actor=administrator,
        approvals={parties["AQMD"]: dt.date(2026, 1, 9)},
    )
    assert amendment.status == AmendmentStatus.PENDING
    final_plan.refresh_from_db()
    assert final_plan.due_date == dt.date(2027, 12, 31)
    assert not final_plan.date_changes.exists()


def test_the_last_approval_puts_it_in_effect_with_each_party_dated(
    final_plan, parties, administrator
):
    amendment = amendment_propose(
        milestone=final_plan,
        new_due_date=NEW,
        reason="Amended by the parties.",
        actor=administrator,
        approvals={parties["AQMD"]: dt.date(2026, 1, 9), parties["POLB"]: dt.date(2026, 1, 12)},
    )
    amendment_record_approval(
        amendment=amendment,
        party=parties["POLA"],
        approved_on=dt.date(2026, 1, 22),
        actor=administrator,
    )
    amendment.refresh_from_db()
    final_plan.refresh_from_db()
    assert amendment.status == AmendmentStatus.IN_EFFECT and amendment.took_effect_at
    assert final_plan.due_date == NEW
    change = final_plan.date_changes.get()
    assert change.kind == DateChangeKind.AMENDMENT and change.amendment == amendment
    assert {(a.party.code, a.approved_on) for a in amendment.approvals.all()} == {
        ("AQMD", dt.date(2026, 1, 9)),
        ("POLB", dt.date(2026, 1, 12)),
        ("POLA", dt.date(2026, 1, 22)),
    }
    assert AuditEvent.objects.filter(action="due_date_amendment.in_effect").count() == 1


def test_all_three_approvals_at_once_take_effect_immediately(final_plan, parties, administrator):
    amendment = amendment_propose(
        milestone=final_plan,
        new_due_date=NEW,
        reason="Amended.",
        actor=administrator,
        approvals={p: dt.date(2026, 1, 9) for p in parties.values()},
    )
    assert amendment.status == AmendmentStatus.IN_EFFECT


def test_an_approval_recorded_twice_with_another_date_is_a_conflict(
    final_plan, parties, administrator
):
    amendment = amendment_propose(
        milestone=final_plan,
        new_due_date=NEW,
        reason="Amended.",
        actor=administrator,
        approvals={parties["AQMD"]: dt.date(2026, 1, 9)},
    )
    amendment_record_approval(
        amendment=amendment,
        party=parties["AQMD"],
        approved_on=dt.date(2026, 1, 9),
        actor=administrator,
    )
    with pytest.raises(Conflict):
        amendment_record_approval(
            amendment=amendment,
            party=parties["AQMD"],
            approved_on=dt.date(2026, 1, 10),
            actor=administrator,
        )
    assert amendment.approvals.count() == 1


def test_an_approval_dated_in_the_future_is_refused(final_plan, parties, administrator):
    with pytest.raises(ServiceError):
        amendment_propose(
            milestone=final_plan,
            new_due_date=NEW,
            reason="Amended.",
            actor=administrator,
            approvals={parties["AQMD"]: dt.date(2099, 1, 1)},
        )


def test_an_abandoned_amendment_takes_no_more_approvals(final_plan, parties, administrator):
    amendment = amendment_propose(
        milestone=final_plan, new_due_date=NEW, reason="Amended.", actor=administrator
    )
    amendment_abandon(amendment=amendment, reason="POLA's board voted no.", actor=administrator)
    with pytest.raises(Conflict):
        amendment_record_approval(
            amendment=amendment,
            party=parties["POLA"],
            approved_on=dt.date(2026, 1, 9),
            actor=administrator,
        )


def test_only_administrators_record_amendments(final_plan, reviewer):
    with pytest.raises(Forbidden):
        amendment_propose(milestone=final_plan, new_due_date=NEW, reason="x", actor=reviewer)


def test_the_api_answers_202_pending_then_moves_the_date_on_the_last_approval(
    final_plan, administrator, pola_staff, polb_staff
):
    client = api_as(administrator)
    response = client.post(
        f"/api/v1/milestones/{final_plan.pk}/due-date-amendments/",
        {
            "new_due_date": NEW.isoformat(),
            "reason": "Amended by the parties.",
            "approvals": [
                {"party": "AQMD", "approved_on": "2026-01-09"},
                {"party": "POLB", "approved_on": "2026-01-12"},
            ],
        },
        format="json",
    )
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "pending" and len(body["approvals"]) == 2
    final_plan.refresh_from_db()
    assert final_plan.due_date == dt.date(2027, 12, 31)
    # Port staff of the port see it; the other port does not.
    seen = api_as(pola_staff).get(f"/api/v1/due-date-amendments/{body['id']}/")
    assert seen.status_code == 200, seen.content
    assert api_as(polb_staff).get(f"/api/v1/due-date-amendments/{body['id']}/").status_code == 404
    approve = f"/api/v1/due-date-amendments/{body['id']}/approvals/"
    assert (
        api_as(pola_staff)
        .post(approve, {"party": "POLA", "approved_on": "2026-01-22"}, format="json")
        .status_code
        == 403
    )
    done = client.post(approve, {"party": "POLA", "approved_on": "2026-01-22"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "in_effect"
    final_plan.refresh_from_db()
    assert final_plan.due_date == NEW


def test_a_provisional_date_is_still_corrected_directly(pola, administrator):
    draft = Milestone.objects.get(party=pola, kind=MilestoneKind.DRAFT_PLAN, phase__number=1)
    response = api_as(administrator).post(
        f"/api/v1/milestones/{draft.pk}/due-date-amendments/",
        {"new_due_date": "2027-05-28", "reason": "The signed text says 28 May."},
        format="json",
    )
    assert response.status_code == 201
    draft.refresh_from_db()
    assert draft.due_date == dt.date(2027, 5, 28)


def test_the_terms_page_shows_a_pending_amendment_and_each_partys_approval(
    client, final_plan, parties, administrator
):
    amendment_propose(
        milestone=final_plan,
        new_due_date=NEW,
        reason="Amended by the parties.",
        actor=administrator,
        approvals={parties["AQMD"]: dt.date(2026, 1, 9)},
    )
    page = client.get("/agreement/").text
    assert "Pending the parties&#x27; approvals" in page or "Pending the parties' approvals" in page
    assert 'datetime="2026-01-09"' in page and page.count(">pending<") == 2


def test_an_administrator_amending_a_fixed_date_in_the_admin_leaves_it_pending(
    client, final_plan, administrator
):
    client.force_login(administrator)
    url = f"/admin/agreement/milestone/{final_plan.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        {
            "party": final_plan.party_id,
            "phase": final_plan.phase_id,
            "created_at_0": "2026-01-01",
            "created_at_1": "00:00:00",
            "new_due_date": NEW.isoformat(),
            "change_reason": "Amended by the Governing Board.",
            "date_changes-TOTAL_FORMS": 0,
            "date_changes-INITIAL_FORMS": 0,
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    final_plan.refresh_from_db()
    assert final_plan.due_date == dt.date(2027, 12, 31)
    assert final_plan.amendments.get().status == AmendmentStatus.PENDING


def test_the_api_abandons_a_pending_amendment_with_a_reason_and_the_date_stays(
    final_plan, administrator, pola_staff
):
    amendment = amendment_propose(
        milestone=final_plan, new_due_date=NEW, reason="Amended.", actor=administrator
    )
    url = f"/api/v1/due-date-amendments/{amendment.pk}/abandonment/"
    assert api_as(pola_staff).post(url, {"reason": "No."}, format="json").status_code == 403
    missing = api_as(administrator).post(url, {}, format="json")
    assert missing.status_code == 400 and "reason" in missing.json()["error"]["fields"]
    done = api_as(administrator).post(url, {"reason": "POLA's board voted no."}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "abandoned"
    final_plan.refresh_from_db()
    assert final_plan.due_date == dt.date(2027, 12, 31)
    assert AuditEvent.objects.filter(action="due_date_amendment.abandoned").exists()


def test_a_second_pending_amendment_of_the_same_milestone_is_refused(
    agreement, pola, administrator
):
    milestone = MilestoneFactory.create(party=pola)
    first = amendment_propose(
        milestone=milestone, new_due_date=dt.date(2027, 9, 30), reason="First.", actor=administrator
    )
    with pytest.raises(Conflict, match="already pending"):
        amendment_propose(
            milestone=milestone,
            new_due_date=dt.date(2027, 10, 31),
            reason="Second.",
            actor=administrator,
        )
    assert list(DueDateAmendment.objects.filter(milestone=milestone)) == [first]
    # The database says so too, whatever writes the row.
    with pytest.raises(IntegrityError), transaction.atomic():
        DueDateAmendment.objects.create(
            milestone=milestone,
            new_due_date=dt.date(2027, 10, 31),
            reason="Around the service.",
            proposed_by=administrator,
            proposed_at=first.proposed_at,
        )
    amendment_abandon(amendment=first, reason="Not agreed.", actor=administrator)
    second = amendment_propose(
        milestone=milestone,
        new_due_date=dt.date(2027, 10, 31),
        reason="Second.",
        actor=administrator,
    )
    assert second.status == "pending"


def test_the_amendment_page_records_approvals_until_the_date_moves_or_abandons(
    client, agreement, pola, administrator, pola_staff
):
    milestone = MilestoneFactory.create(party=pola, due_date=dt.date(2027, 6, 30))
    amendment = amendment_propose(
        milestone=milestone,
        new_due_date=dt.date(2027, 9, 30),
        reason="Late permits.",
        actor=administrator,
    )
    page = reverse("agreement-amendment", args=[amendment.pk])
    assert page in Client().get(reverse("agreement-terms")).text  # linked from the terms
    public = Client().get(page)
    assert public.status_code == 200 and "Late permits." in public.text
    assert "Record the approval" not in public.text
    staff = Client()
    staff.force_login(pola_staff)
    refused = staff.post(page, {"action": "abandon", "abandon-reason": "No."})
    assert refused.status_code == 403
    client.force_login(administrator)
    assert "Record the approval" in client.get(page).text
    future = client.post(
        page, {"action": "approve", "approve-party": "POLA", "approve-approved_on": "2099-01-01"}
    )
    assert future.status_code == 200 and "cannot be dated in the future" in future.text
    for code in ("AQMD", "POLA", "POLB"):
        done = client.post(
            page, {"action": "approve", "approve-party": code, "approve-approved_on": "2026-01-09"}
        )
        assert done.status_code == 302
    amendment.refresh_from_db()
    milestone.refresh_from_db()
    assert amendment.status == AmendmentStatus.IN_EFFECT
    assert milestone.due_date == dt.date(2027, 9, 30)
    assert "Record the approval" not in client.get(page).text  # in effect: nothing to do

    other = amendment_propose(
        milestone=milestone,
        new_due_date=dt.date(2027, 12, 31),
        reason="Again.",
        actor=administrator,
    )
    page = reverse("agreement-amendment", args=[other.pk])
    missing = client.post(page, {"action": "abandon", "abandon-reason": ""})
    assert missing.status_code == 200 and "This field is required." in missing.text
    assert (
        client.post(page, {"action": "abandon", "abandon-reason": "Not agreed."}).status_code == 302
    )
    other.refresh_from_db()
    milestone.refresh_from_db()
    assert other.status == AmendmentStatus.ABANDONED
    assert milestone.due_date == dt.date(2027, 9, 30)
    assert AuditEvent.objects.filter(object_id=str(other.pk), note="Not agreed.").exists()
