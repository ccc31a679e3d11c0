"""The pages: plan list, draft editor (uploads included), submit, review, decide, diff."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from plans import services
from plans.models import Plan, PlanVersion, ProjectMilestone, VersionStatus
from tests.factories import UserFactory
from tests.pdfs import pdf_upload

NOW = dt.datetime(2027, 5, 1, 12, 0, tzinfo=dt.UTC)


def _project_post(category_pk: int, **overrides: str) -> dict[str, str]:
    data = {
        "p-name": "Berth 200 shore power",
        "p-location": "Berth 200",
        "p-category": str(category_pk),
        "p-project_type": "shore_power",
        "p-capacity_value": "8",
        "p-capacity_unit": "MW",
        "p-quantity": "2",
        "p-estimated_cost": "12000000",
        "p-funding_sources": "Port capital budget",
        "p-start_date": "2028-01-01",
        "p-end_date": "2029-12-31",
    }
    data.update(overrides)
    return data


@time_machine.travel(NOW, tick=False)
def test_the_planner_sees_one_row_per_phase_with_due_dates_and_days_left(client, pola_staff):
    client.force_login(pola_staff)
    response = client.get(reverse("plans:list"))
    rows = response.context["rows"]
    assert [(r.party.code, r.phase.number) for r in rows] == [("POLA", 1), ("POLA", 2), ("POLA", 3)]
    assert rows[0].draft_due.milestone.due_date == dt.date(2027, 5, 31)
    assert rows[0].draft_due.days_left == 30
    assert rows[0].final_due.milestone.due_date == dt.date(2027, 12, 31)
    assert "30 days left" in response.text
    assert "Start a draft for Phase 1" in response.text


def test_starting_a_draft_from_the_list_opens_the_editor(client, pola_staff, phase1):
    client.force_login(pola_staff)
    response = client.post(reverse("plans:start", args=[phase1.pk]))
    version = PlanVersion.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("plans:version-edit", args=[version.pk])
    assert client.get(response["Location"]).status_code == 200


def test_the_editor_adds_a_project_and_refuses_a_negative_cost_with_a_clear_error(
    client, draft, pola_staff
):
    client.force_login(pola_staff)
    category = draft.projects.get().category
    url = reverse("plans:project-add", args=[draft.pk])
    bad = client.post(url, _project_post(category.pk, **{"p-estimated_cost": "-5"}))
    assert bad.status_code == 400
    assert "There is a problem" in bad.text or "field-error" in bad.text
    assert draft.projects.count() == 1
    good = client.post(url, _project_post(category.pk))
    assert good.status_code == 302
    added = draft.projects.get(name="Berth 200 shore power")
    assert added.estimated_cost == Decimal("12000000.00")


def test_the_editor_refuses_a_project_that_ends_before_it_starts(client, draft, pola_staff):
    client.force_login(pola_staff)
    category = draft.projects.get().category
    response = client.post(
        reverse("plans:project-add", args=[draft.pk]),
        _project_post(category.pk, **{"p-end_date": "2027-01-01"}),
    )
    assert response.status_code == 400
    assert "cannot end before it starts" in response.text


def test_a_bad_upload_gives_a_clear_error_and_keeps_the_rest_of_the_draft(
    client, draft, pola_staff
):
    client.force_login(pola_staff)
    fake = SimpleUploadedFile("plan.pdf", b"not a pdf at all", "application/pdf")
    response = client.post(reverse("plans:document-add", args=[draft.pk]), {"file": fake})
    assert response.status_code == 400
    assert "is not a PDF" in response.text
    assert "Pier 400 chargers" in response.text  # the draft is still on the page
    assert draft.projects.count() == 1
    assert draft.targets.count() == 1
    assert not draft.documents.exists()


def test_an_upload_over_the_limit_is_refused(client, draft, pola_staff, settings):
    settings.UPLOAD_MAX_BYTES = 100
    client.force_login(pola_staff)
    response = client.post(reverse("plans:document-add", args=[draft.pk]), {"file": pdf_upload()})
    assert response.status_code == 400
    assert "larger than" in response.text
    assert not draft.documents.exists()


def test_a_good_upload_is_listed_with_its_hash(client, draft, pola_staff):
    client.force_login(pola_staff)
    response = client.post(
        reverse("plans:document-add", args=[draft.pk]), {"file": pdf_upload("Layout.pdf")}
    )
    assert response.status_code == 302
    page = client.get(reverse("plans:version-edit", args=[draft.pk]))
    assert "Layout.pdf" in page.text
    assert draft.documents.get().document.sha256[:8] in page.text


def test_submitting_from_the_editor_freezes_the_version(client, draft, pola_staff):
    client.force_login(pola_staff)
    response = client.post(reverse("plans:submit", args=[draft.pk]))
    assert response["Location"] == reverse("plans:version", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.status == VersionStatus.SUBMITTED
    editor = client.get(reverse("plans:version-edit", args=[draft.pk]))
    assert editor.status_code == 302


def test_a_post_to_a_frozen_version_shows_the_revise_message(client, submitted, pola_staff):
    client.force_login(pola_staff)
    target = submitted.targets.get()
    response = client.post(reverse("plans:remove", args=["target", target.pk]), follow=True)
    assert "frozen" in response.text
    assert submitted.targets.count() == 1


def test_the_losing_reviewer_gets_a_clear_message_and_keeps_their_text(client, submitted, reviewer):
    other = UserFactory.create(username="reviewer.two", role="aqmd_reviewer")
    services.version_decide(version=submitted, decision="approved", reasons="", actor=reviewer)
    client.force_login(other)
    response = client.post(
        reverse("plans:decide", args=[submitted.pk]),
        {"decision": "changes_requested", "reasons": "Please add the grid study."},
    )
    assert response.status_code == 409
    assert "already decided by reviewer" in response.text
    assert "Please add the grid study." in response.text
    submitted.refresh_from_db()
    assert submitted.status == VersionStatus.APPROVED


def test_sending_back_from_the_page_without_reasons_shows_the_error(client, submitted, reviewer):
    client.force_login(reviewer)
    response = client.post(
        reverse("plans:decide", args=[submitted.pk]), {"decision": "changes_requested"}
    )
    assert response.status_code == 400
    assert "Reasons are required" in response.text


def test_a_reviewer_comments_on_one_project_from_the_page(client, submitted, reviewer):
    client.force_login(reviewer)
    project = submitted.projects.get()
    response = client.post(
        reverse("plans:comment", args=[submitted.pk]),
        {"body": "What is the charger power?", "project": project.pk},
        follow=True,
    )
    assert "What is the charger power?" in response.text
    assert submitted.comments.get().project == project


def test_the_version_page_compares_with_the_previous_submission(
    client, submitted, pola_staff, reviewer
):
    services.version_decide(
        version=submitted, decision="changes_requested", reasons="More", actor=reviewer
    )
    new, _ = services.plan_revise(plan=submitted.plan, actor=pola_staff)
    services.project_update(project=new.projects.get(), data={"quantity": 60}, actor=pola_staff)
    services.target_remove(target=new.targets.get(), actor=pola_staff)
    services.version_document_add(version=new, upload=pdf_upload("Grid.pdf"), actor=pola_staff)
    services.version_submit(version=new, actor=pola_staff)
    client.force_login(reviewer)
    response = client.get(reverse("plans:version", args=[new.pk]))
    diff = {(c.section, c.kind, c.name) for c in response.context["diff"]}
    assert ("Infrastructure projects", "changed", "Pier 400 chargers") in diff
    assert (
        "Planning targets",
        "removed",
        "Share of zero-emission cargo handling equipment (2030)",
    ) in diff
    assert ("Documents", "added", "Grid.pdf") in diff
    assert "Changes since version 1" in response.text
    assert "<del>40</del> → <ins>60</ins>" in response.text


def test_the_review_queue_lists_oldest_first_and_filters(
    client, reviewer, pola_staff, polb_staff, phase1
):
    from .conftest import make_draft

    first = make_draft(polb_staff, phase1)
    with time_machine.travel(dt.datetime(2027, 5, 1, tzinfo=dt.UTC)):
        services.version_submit(version=first, actor=polb_staff)
    second = make_draft(pola_staff, phase1)
    with time_machine.travel(dt.datetime(2027, 5, 2, tzinfo=dt.UTC)):
        services.version_submit(version=second, actor=pola_staff)
    services.version_start_review(version=second, actor=reviewer)
    client.force_login(reviewer)
    url = reverse("plans:review-queue")
    assert list(client.get(url).context["page"]) == [first, second]
    assert list(client.get(url, {"port": pola_staff.party_id}).context["page"]) == [second]
    assert list(client.get(url, {"status": "submitted"}).context["page"]) == [first]
    assert list(client.get(url, {"phase": phase1.pk}).context["page"]) == [first, second]


def test_the_plan_page_shows_the_timeline(client, submitted, pola_staff):
    client.force_login(pola_staff)
    response = client.get(reverse("plans:plan", args=[submitted.plan_id]))
    assert "started the plan" in response.text
    assert "submitted" in response.text
    assert Plan.objects.count() == 1


@pytest.mark.parametrize("kind", ["target", "project", "milestone"])
def test_removing_from_a_draft_works_from_the_page(client, draft, pola_staff, kind):
    client.force_login(pola_staff)
    obj = {
        "target": draft.targets.get(),
        "project": draft.projects.get(),
        "milestone": draft.projects.get().milestones.get(),
    }[kind]
    response = client.post(reverse("plans:remove", args=[kind, obj.pk]))
    assert response.status_code == 302
    assert not type(obj).objects.filter(pk=obj.pk).exists()


def test_the_planner_changes_what_the_version_is_from_the_editor(client, draft, pola_staff):
    client.force_login(pola_staff)
    response = client.post(
        reverse("plans:version-edit", args=[draft.pk]), {"kind": "final", "summary": "Final."}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.kind, draft.summary) == ("final", "Final.")


def test_a_planner_edits_a_target_on_its_own_page(client, draft, pola_staff):
    client.force_login(pola_staff)
    target = draft.targets.get()
    url = reverse("plans:target-edit", args=[target.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "category": target.category_id,
            "year": "2032",
            "metric": target.metric,
            "target_value": "75",
            "unit": "%",
        },
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.year, target.target_value) == (2032, Decimal("75.00"))


def test_aqmd_does_not_see_the_ports_work_on_a_new_draft_in_the_timeline(
    client, submitted, pola_staff, reviewer
):
    services.version_withdraw(version=submitted, actor=pola_staff)
    new, _ = services.plan_revise(plan=submitted.plan, actor=pola_staff)
    services.target_remove(target=new.targets.get(), actor=pola_staff)
    client.force_login(reviewer)
    response = client.get(reverse("plans:plan", args=[submitted.plan_id]))
    actions = [e.action for e in response.context["page"].timeline]
    assert "plan.version_submitted" in actions
    assert "plan.target_removed" not in actions
    assert [v.number for v in response.context["page"].versions] == [1]


def test_with_htmx_a_comment_swaps_in_the_comments_block_only(client, submitted, reviewer):
    client.force_login(reviewer)
    response = client.post(
        reverse("plans:comment", args=[submitted.pk]),
        {"body": "Looks complete."},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "Looks complete." in response.text
    assert 'hx-swap-oob="true"' in response.text
    assert "Your comment was added." in response.text


def test_with_htmx_an_empty_comment_comes_back_with_its_error(client, submitted, reviewer):
    client.force_login(reviewer)
    response = client.post(
        reverse("plans:comment", args=[submitted.pk]), {"body": ""}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "field-error" in response.text
    assert not submitted.comments.exists()


def test_the_review_queue_pages_by_25_and_keeps_the_filters(client, reviewer, pola_staff):
    from .test_plan_query_counts import _bulk_plans

    _bulk_plans(30, pola_staff, codes=("POLA",))
    client.force_login(reviewer)
    url = reverse("plans:review-queue")
    first = client.get(url, {"port": pola_staff.party_id})
    assert len(first.context["page"]) == 25
    assert f"port={pola_staff.party_id}&amp;page=2" in first.text
    second = client.get(url, {"port": pola_staff.party_id, "page": 2})
    assert len(second.context["page"]) == 5
    oldest = [v.submitted_at for v in first.context["page"]]
    assert oldest == sorted(oldest)


def test_an_editor_error_is_announced_at_the_top_and_focuses_the_field(client, draft, pola_staff):
    client.force_login(pola_staff)
    response = client.post(reverse("plans:target-add", args=[draft.pk]), {"t-year": "1999"})
    assert response.status_code == 400
    assert 'href="#add-target-heading"' in response.text
    assert "autofocus" in response.text


def test_administrators_can_look_at_plans_in_the_admin_but_not_change_them(
    client, submitted, administrator
):
    client.force_login(administrator)
    assert client.get(reverse("admin:plans_planversion_changelist")).status_code == 200
    url = reverse("admin:plans_planversion_change", args=[submitted.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"status": "approved"}).status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


def test_the_planner_withdraws_an_undecided_submission_from_its_page(client, submitted, pola_staff):
    client.force_login(pola_staff)
    page = client.get(reverse("plans:version", args=[submitted.pk]))
    assert "Withdraw this submission" in page.text
    response = client.post(reverse("plans:withdraw", args=[submitted.pk]), follow=True)
    assert "was withdrawn" in response.text
    assert "Revise: start a new version" in response.text
    submitted.refresh_from_db()
    assert submitted.status == VersionStatus.WITHDRAWN


def test_withdrawing_after_the_decision_shows_why_not(client, submitted, pola_staff, reviewer):
    services.version_decide(version=submitted, decision="approved", reasons="", actor=reviewer)
    client.force_login(pola_staff)
    response = client.post(reverse("plans:withdraw", args=[submitted.pk]), follow=True)
    assert "is approved and cannot become withdrawn" in response.text
    assert "decision is final" in response.text


def test_a_reviewer_starts_the_review_from_the_version_page(client, submitted, reviewer):
    client.force_login(reviewer)
    response = client.post(reverse("plans:start-review", args=[submitted.pk]), follow=True)
    assert "You are reviewing version 1." in response.text
    submitted.refresh_from_db()
    assert (submitted.status, submitted.reviewer) == (VersionStatus.UNDER_REVIEW, reviewer)


def _position(html: str, marker: str) -> int:
    assert marker in html, marker
    return html.index(marker)


def test_sending_back_without_reasons_puts_the_error_summary_at_the_top_of_the_page(
    client, submitted, reviewer
):
    client.force_login(reviewer)
    response = client.post(
        reverse("plans:decide", args=[submitted.pk]), {"decision": "changes_requested"}
    )
    assert response.status_code == 400
    html = response.text
    summary = _position(html, 'class="error-summary"')
    # In the "At a glance" panel, before the plan's content and its comments.
    assert _position(html, 'id="glance-heading"') < summary
    assert summary < _position(html, 'id="comments-heading"')
    assert summary < _position(html, 'id="targets-heading"')
    # It takes the keyboard focus and links to the field to fix; the choice is kept.
    block = html[summary : html.index("</div>", summary)]
    assert "autofocus" in block
    assert '<a href="#id_reasons">Reasons are required to send a plan back.</a>' in block
    assert re.search(r'value="changes_requested"[^>]*checked', html)


def test_the_panel_warns_of_past_milestone_dates_and_targets_changed_since_approval(
    client, submitted, pola_staff, reviewer
):
    services.version_decide(version=submitted, decision="approved", reasons="", actor=reviewer)
    new, _ = services.plan_revise(plan=submitted.plan, actor=pola_staff)
    target = new.targets.get()
    services.target_update(target=target, data={"target_value": 55}, actor=pola_staff)
    services.version_submit(version=new, actor=pola_staff)
    ProjectMilestone.objects.filter(project__version=new).update(due_date=dt.date(2020, 1, 31))
    client.force_login(reviewer)
    response = client.get(reverse("plans:version", args=[new.pk]))
    glance = response.context["glance"]
    assert [m.what for m in glance.past_due] == ["Chargers energised"]
    assert [(c.kind, c.name) for c in glance.targets_changed] == [
        ("changed", target.metric + f" ({target.year})")
    ]
    assert "1 planning target changed since version 1 was approved" in response.text
    assert "1 project milestone date has already passed" in response.text
    assert glance.may_decide
    panel_end = response.text.index("</section>", response.text.index('id="glance-heading"'))
    assert response.text.index('action="' + reverse("plans:decide", args=[new.pk])) < panel_end


def test_the_planner_sees_what_to_do_with_a_draft_and_no_decision_form(client, draft, pola_staff):
    client.force_login(pola_staff)
    response = client.get(reverse("plans:version", args=[draft.pk]))
    assert "Finish the draft in the editor, then submit it to AQMD." in response.text
    assert not response.context["glance"].may_decide
    assert reverse("plans:decide", args=[draft.pk]) not in response.text


def test_the_plan_page_lists_versions_newest_first_and_folds_the_timeline_after_10(
    client, submitted, pola_staff, reviewer
):
    services.version_withdraw(version=submitted, actor=pola_staff)
    second, _ = services.plan_revise(plan=submitted.plan, actor=pola_staff)
    for year in range(2031, 2037):
        services.target_update(target=second.targets.get(), data={"year": year}, actor=pola_staff)
    services.version_submit(version=second, actor=pola_staff)
    client.force_login(pola_staff)
    response = client.get(reverse("plans:plan", args=[submitted.plan_id]))
    page = response.context["page"]
    assert [v.number for v in page.versions] == [2, 1]
    assert page.latest == second
    assert len(page.timeline) > 10
    assert page.timeline[0].action == "plan.version_submitted"
    assert [e.at for e in page.timeline] == sorted((e.at for e in page.timeline), reverse=True)
    assert len(page.timeline_recent) == 10
    html = response.text
    details = html.index("<details>", html.index('id="timeline-heading"'))
    assert f"{len(page.timeline) - 10} earlier event" in html[details:]
    assert html.index("Version 2</a>") < html.index("Version 1</a>")


def _folds(html: str) -> dict[str, bool]:
    """Each folding section of the editor by the id of its heading: open or not."""
    found = {}
    for match in re.finditer(
        r'<details class="fold"( open)?>\s*<summary>\s*<h[23] id="([^"]+)"', html
    ):
        found[match.group(2)] = bool(match.group(1))
    return found


def test_the_draft_editor_folds_its_sections_and_opens_the_one_with_errors(
    client, draft, pola_staff
):
    services.version_document_add(version=draft, upload=pdf_upload("Site.pdf"), actor=pola_staff)
    client.force_login(pola_staff)
    project = draft.projects.get()
    folds = _folds(client.get(reverse("plans:version-edit", args=[draft.pk])).text)
    assert folds == {
        "about-heading": False,
        f"project-{project.pk}": False,
        "add-target-heading": False,
        "add-project-heading": False,
        "upload-heading": False,
    }
    response = client.post(reverse("plans:target-add", args=[draft.pk]), {"t-year": "1999"})
    assert response.status_code == 400
    folds = _folds(response.text)
    assert folds["add-target-heading"] is True
    assert [name for name, is_open in folds.items() if is_open] == ["add-target-heading"]
    response = client.post(reverse("plans:milestone-add", args=[project.pk]), {})
    assert [name for name, is_open in _folds(response.text).items() if is_open] == [
        f"project-{project.pk}"
    ]


def test_an_empty_draft_opens_the_forms_to_fill(client, pola_staff, phase1):
    plan, _ = services.plan_start(party=pola_staff.party, phase=phase1, actor=pola_staff)
    client.force_login(pola_staff)
    folds = _folds(client.get(reverse("plans:version-edit", args=[plan.versions.get().pk])).text)
    assert folds == {
        "about-heading": False,
        "add-target-heading": True,
        "add-project-heading": True,
        "upload-heading": True,
    }
