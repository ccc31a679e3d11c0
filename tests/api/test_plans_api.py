"""The plans API: everything a planner or a reviewer does on the pages, a program can do.

Drafts are their port's alone (404 for anyone else, whichever id is guessed), uploads are
real PDFs, two reviewers deciding at once get a 409, and a whole plan goes from a first
draft to tracked project milestones through the API only.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from agreement.models import Milestone, MilestoneKind, Phase
from api.services import api_token_create
from audit.models import AuditEvent
from plans import services
from plans.models import Decision, InfrastructureProject, PlanVersion, ReviewDecision, VersionStatus
from tests.pdfs import pdf_bytes, pdf_upload
from tests.plans.conftest import make_draft

from .conftest import error_of
from .plans_fixtures import _media, pola_draft, pola_submitted  # noqa: F401

PROJECT = {
    "name": "Pier 300 chargers",
    "location": "Pier 300",
    "category": "che_container",
    "project_type": "charging",
    "capacity_value": "8.00",
    "capacity_unit": "MW",
    "quantity": 20,
    "estimated_cost": "12000000.00",
    "funding_sources": "Port capital budget",
    "start_date": "2028-01-01",
    "end_date": "2030-12-31",
}


# --- another port's drafts are not there --------------------------------------------------


@pytest.mark.parametrize("who", ["polb_staff", "reviewer", "board_member"])
def test_guessing_any_id_of_another_ports_draft_is_a_404_in_the_error_shape(
    client_as,
    pola_draft,  # noqa: F811
    who,
):
    client = client_as(who)
    d = pola_draft
    answers = [
        client.get(f"/api/v1/plans/{d.plan.pk}/"),
        client.get(f"/api/v1/plans/{d.plan.pk}/versions/"),
        client.get(f"/api/v1/plan-versions/{d.version.pk}/"),
        client.get(f"/api/v1/plan-versions/{d.version.pk}/comparison/"),
        client.post(f"/api/v1/plan-versions/{d.version.pk}/submit/"),
        client.post(f"/api/v1/plan-versions/{d.version.pk}/decision/", {"decision": "approved"}),
        client.patch(f"/api/v1/plan-targets/{d.target.pk}/", {"year": 2040}, format="json"),
        client.patch(f"/api/v1/plan-projects/{d.project.pk}/", {"quantity": 2}, format="json"),
        client.delete(f"/api/v1/plan-projects/{d.project.pk}/"),
        client.post(f"/api/v1/plan-projects/{d.project.pk}/milestones/", {"what": "x"}),
        client.delete(f"/api/v1/plan-project-milestones/{d.milestone.pk}/"),
        client.get(f"/api/v1/plan-documents/{d.document.pk}/download/"),
        client.delete(f"/api/v1/plan-documents/{d.document.pk}/"),
    ]
    assert [a.status_code for a in answers] == [404] * len(answers)
    assert {error_of(a)["code"] for a in answers} == {"not_found"}
    # and nothing changed
    assert InfrastructureProject.objects.filter(pk=d.project.pk).exists()


def test_lists_leave_out_other_ports_plans_and_readers_see_no_drafts(
    client_as,
    pola_draft,  # noqa: F811
    pola_submitted,  # noqa: F811
):
    def plan_ids(role):
        return {p["id"] for p in client_as(role).get("/api/v1/plans/").json()["results"]}

    assert plan_ids("pola_staff") == {pola_draft.plan.pk, pola_submitted.plan.pk}
    assert plan_ids("polb_staff") == set()
    assert plan_ids("reviewer") == {pola_submitted.plan.pk}
    # A submitted plan's open revision stays the port's until it is submitted.
    services.version_withdraw(version=pola_submitted.version, actor=pola_submitted.plan.created_by)
    services.plan_revise(plan=pola_submitted.plan, actor=pola_submitted.plan.created_by)
    versions = client_as("board_member").get(f"/api/v1/plans/{pola_submitted.plan.pk}/versions/")
    assert [v["number"] for v in versions.json()["results"]] == [1]
    plan = client_as("board_member").get(f"/api/v1/plans/{pola_submitted.plan.pk}/").json()
    assert [v["number"] for v in plan["versions"]] == [1]


def test_plans_filter_by_port_and_phase_and_order(
    client_as,
    pola_draft,  # noqa: F811
    pola_submitted,  # noqa: F811
):
    client = client_as("pola_staff")
    by_phase = client.get("/api/v1/plans/", {"phase": 2}).json()["results"]
    assert [p["id"] for p in by_phase] == [pola_submitted.plan.pk]
    assert client.get("/api/v1/plans/", {"port": "polb"}).json()["count"] == 0
    ordered = client.get("/api/v1/plans/", {"ordering": "-phase"}).json()["results"]
    assert [p["phase"] for p in ordered] == [2, 1]


# --- reading a version --------------------------------------------------------------------


def test_a_version_reads_with_its_content_decision_and_comments(
    client_as,
    pola_submitted,  # noqa: F811
    reviewer,
):
    s = pola_submitted
    services.comment_add(version=s.version, body="Add the grid study.", actor=reviewer)
    services.comment_add(version=s.version, body="Phasing?", project=s.project, actor=reviewer)
    body = client_as("board_member").get(f"/api/v1/plan-versions/{s.version.pk}/").json()
    assert body["status"] == "submitted" and body["port"] == "POLA" and body["phase"] == 2
    assert body["decision"] is None
    assert [t["id"] for t in body["targets"]] == [s.target.pk]
    [project] = body["projects"]
    assert project["name"] == "Pier 400 chargers"
    assert [m["what"] for m in project["milestones"]] == ["Chargers energised"]
    assert project["milestones"][0]["tracked_milestone"] is None
    [document] = body["documents"]
    assert document["name"] == "plan.pdf"
    assert document["download"] == f"/api/v1/plan-documents/{s.document.pk}/download/"
    assert [(c["project"], c["author"]) for c in body["comments"]] == [
        (None, "reviewer"),
        (s.project.pk, "reviewer"),
    ]


def test_versions_of_a_plan_filter_by_status_and_kind(
    client_as,
    pola_submitted,  # noqa: F811
    pola_staff,
):
    s = pola_submitted
    services.version_withdraw(version=s.version, actor=pola_staff)
    services.plan_revise(plan=s.plan, actor=pola_staff)
    client = client_as("pola_staff")
    url = f"/api/v1/plans/{s.plan.pk}/versions/"
    assert [v["number"] for v in client.get(url).json()["results"]] == [1, 2]
    assert [v["number"] for v in client.get(url, {"status": "draft"}).json()["results"]] == [2]
    # the first submitted draft plan met the draft milestone: the revision is the final plan
    assert [v["number"] for v in client.get(url, {"kind": "final"}).json()["results"]] == [2]
    assert client.get(url, {"status": "nonsense"}).status_code == 400


# --- editing a draft ----------------------------------------------------------------------


def test_a_draft_is_edited_through_the_services(client_as, pola_draft):  # noqa: F811
    d = pola_draft
    client = client_as("pola_staff")
    summary = client.patch(
        f"/api/v1/plan-versions/{d.version.pk}/summary/",
        {"summary": "Phase 1 draft", "kind": "final"},
        format="json",
    )
    assert summary.status_code == 200, summary.content
    assert (summary.json()["summary"], summary.json()["kind"]) == ("Phase 1 draft", "final")
    target = client.patch(
        f"/api/v1/plan-targets/{d.target.pk}/", {"year": 2035}, format="json"
    ).json()
    assert target["year"] == 2035 and target["metric"] == d.target.metric
    project = client.post(f"/api/v1/plan-versions/{d.version.pk}/projects/", PROJECT)
    assert project.status_code == 201, project.content
    project_id = project.json()["id"]
    milestone = client.post(
        f"/api/v1/plan-projects/{project_id}/milestones/",
        {"what": "Switchgear installed", "due_date": "2029-03-31"},
    )
    assert milestone.status_code == 201, milestone.content
    changed = client.patch(
        f"/api/v1/plan-project-milestones/{milestone.json()['id']}/",
        {"within_port_control": False},
        format="json",
    )
    assert changed.json()["within_port_control"] is False
    assert client.delete(f"/api/v1/plan-projects/{d.project.pk}/").status_code == 204
    body = client.get(f"/api/v1/plan-versions/{d.version.pk}/").json()
    assert [p["name"] for p in body["projects"]] == ["Pier 300 chargers"]
    actions = set(_audit_actions(d.plan))
    assert {
        "plan.version_edited",
        "plan.target_changed",
        "plan.project_added",
        "plan.project_milestone_added",
        "plan.project_milestone_changed",
        "plan.project_removed",
    } <= actions


def _audit_actions(plan) -> list[str]:
    return list(AuditEvent.objects.for_object(plan).values_list("action", flat=True))


def test_invalid_content_is_a_400_naming_the_fields(client_as, pola_draft):  # noqa: F811
    d = pola_draft
    client = client_as("pola_staff")
    backwards = client.patch(
        f"/api/v1/plan-projects/{d.project.pk}/",
        {"start_date": "2031-01-01", "end_date": "2030-01-01"},
        format="json",
    )
    assert backwards.status_code == 400
    assert error_of(backwards)["message"]
    # a category of another phase is not one of this plan's
    other_phase = client.post(
        f"/api/v1/plan-versions/{d.version.pk}/targets/",
        {"category": "rail", "year": 2030, "metric": "m", "target_value": "1", "unit": "%"},
    )
    assert other_phase.status_code == 400
    assert "category" in error_of(other_phase)["fields"]


def test_a_submitted_version_is_frozen_with_a_message(client_as, pola_submitted):  # noqa: F811
    answer = client_as("pola_staff").patch(
        f"/api/v1/plan-targets/{pola_submitted.target.pk}/", {"year": 2040}, format="json"
    )
    assert answer.status_code == 409
    error = error_of(answer)
    assert error["code"] == "conflict"
    assert "Revise" in error["message"]


# --- documents ----------------------------------------------------------------------------


def test_a_pdf_uploads_and_downloads_byte_for_byte(client_as, pola_draft):  # noqa: F811
    client = client_as("pola_staff")
    content = pdf_bytes(pages=3)
    upload = pdf_upload("grid study.pdf", pages=3)
    answer = client.post(
        f"/api/v1/plan-versions/{pola_draft.version.pk}/documents/",
        {"file": upload},
        format="multipart",
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["name"] == "grid study.pdf"
    assert answer.json()["size_bytes"] == len(content)
    download = client.get(answer.json()["download"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert 'filename="grid study.pdf"' in download["Content-Disposition"]
    assert b"".join(download.streaming_content) == content
    assert client_as("polb_staff").get(answer.json()["download"]).status_code == 404
    assert client_as("reviewer").get(answer.json()["download"]).status_code == 404


def test_a_submitted_document_downloads_for_aqmd_and_the_board(
    client_as,
    pola_submitted,  # noqa: F811
):
    url = f"/api/v1/plan-documents/{pola_submitted.document.pk}/download/"
    for role in ("reviewer", "administrator", "board_member"):
        assert client_as(role).get(url).status_code == 200
    assert client_as("anonymous").get(url).status_code == 401


def test_a_file_over_the_limit_is_a_413(client_as, pola_draft, settings):  # noqa: F811
    settings.UPLOAD_MAX_BYTES = 200
    answer = client_as("pola_staff").post(
        f"/api/v1/plan-versions/{pola_draft.version.pk}/documents/",
        {"file": pdf_upload(pages=2)},
        format="multipart",
    )
    assert answer.status_code == 413
    assert error_of(answer)["code"] == "too_large"
    assert pola_draft.version.documents.count() == 1


def test_a_file_that_is_not_a_pdf_is_a_400(client_as, pola_draft):  # noqa: F811
    fake = SimpleUploadedFile("plan.pdf", b"MZ not a pdf at all", content_type="application/pdf")
    answer = client_as("pola_staff").post(
        f"/api/v1/plan-versions/{pola_draft.version.pk}/documents/",
        {"file": fake},
        format="multipart",
    )
    assert answer.status_code == 400
    assert error_of(answer)["fields"] == {"file": ["Not a PDF file."]}
    missing = client_as("pola_staff").post(
        f"/api/v1/plan-versions/{pola_draft.version.pk}/documents/", {}, format="multipart"
    )
    assert missing.status_code == 400 and "file" in error_of(missing)["fields"]


# --- review -------------------------------------------------------------------------------


def test_the_review_queue_is_oldest_first_and_filters(
    client_as,
    pola_submitted,  # noqa: F811
    polb_staff,
    reviewer,
):
    later = services.version_submit(
        version=make_draft(polb_staff, Phase.objects.get(number=1)), actor=polb_staff
    )
    services.version_start_review(version=later, actor=reviewer)
    client = client_as("reviewer")
    rows = client.get("/api/v1/plan-review-queue/").json()["results"]
    assert [r["id"] for r in rows] == [pola_submitted.version.pk, later.pk]
    polb = client.get("/api/v1/plan-review-queue/", {"port": "POLB"}).json()["results"]
    assert [r["id"] for r in polb] == [later.pk]
    under = client.get("/api/v1/plan-review-queue/", {"status": "under_review"}).json()
    assert [r["reviewer"] for r in under["results"]] == ["reviewer"]
    assert client.get("/api/v1/plan-review-queue/", {"status": "draft"}).status_code == 400


def test_a_second_reviewer_deciding_after_the_first_gets_a_409(
    client_as,
    pola_submitted,  # noqa: F811
    reviewer,
):
    url = f"/api/v1/plan-versions/{pola_submitted.version.pk}/decision/"
    first = client_as("reviewer").post(url, {"decision": "approved"}, format="json")
    assert first.status_code == 201, first.content
    second = client_as("administrator").post(
        url, {"decision": "changes_requested", "reasons": "Too slow."}, format="json"
    )
    assert second.status_code == 409
    error = error_of(second)
    assert error["code"] == "conflict"
    assert "already decided by" in error["message"]
    assert ReviewDecision.objects.get().decision == Decision.APPROVED
    # the winner sending the same decision again (a retry) is a no-op, not a conflict
    again = client_as("reviewer").post(url, {"decision": "approved"}, format="json")
    assert again.status_code == 200


def test_sending_back_without_reasons_is_a_400(client_as, pola_submitted):  # noqa: F811
    answer = client_as("reviewer").post(
        f"/api/v1/plan-versions/{pola_submitted.version.pk}/decision/",
        {"decision": "changes_requested"},
        format="json",
    )
    assert answer.status_code == 400
    assert "reasons" in error_of(answer)["fields"]


def test_a_comment_on_a_project_of_another_version_is_refused(
    client_as,
    pola_submitted,  # noqa: F811
    pola_draft,  # noqa: F811
):
    answer = client_as("reviewer").post(
        f"/api/v1/plan-versions/{pola_submitted.version.pk}/comments/",
        {"body": "Which one?", "project": pola_draft.project.pk},
        format="json",
    )
    assert answer.status_code == 400
    assert "project" in error_of(answer)["fields"]


# --- a whole plan, through the API only -----------------------------------------------------


def test_a_plan_goes_from_draft_to_tracked_project_milestones_through_the_api(
    client_as, pola_staff, reviewer
):
    port, aqmd = client_as("pola_staff"), client_as("reviewer")

    started = port.post("/api/v1/plans/start/", {"phase": 1}, format="json")
    assert started.status_code == 201, started.content
    plan_id = started.json()["id"]
    [v1] = started.json()["versions"]
    assert port.post("/api/v1/plans/start/", {"phase": 1}).status_code == 200  # a no-op
    kind = port.patch(
        f"/api/v1/plan-versions/{v1['id']}/summary/", {"kind": "final"}, format="json"
    )
    assert kind.status_code == 200
    project = port.post(f"/api/v1/plan-versions/{v1['id']}/projects/", PROJECT, format="json")
    assert project.status_code == 201, project.content
    milestone = port.post(
        f"/api/v1/plan-projects/{project.json()['id']}/milestones/",
        {"what": "Chargers energised", "due_date": "2030-06-30", "within_port_control": True},
        format="json",
    )
    assert milestone.status_code == 201, milestone.content
    upload = port.post(
        f"/api/v1/plan-versions/{v1['id']}/documents/",
        {"file": pdf_upload("final plan.pdf")},
        format="multipart",
    )
    assert upload.status_code == 201, upload.content
    submitted = port.post(f"/api/v1/plan-versions/{v1['id']}/submit/")
    assert submitted.json()["status"] == "submitted"

    queue = aqmd.get("/api/v1/plan-review-queue/").json()["results"]
    assert [row["id"] for row in queue] == [v1["id"]]
    assert aqmd.post(f"/api/v1/plan-versions/{v1['id']}/start-review/").status_code == 200
    comment = aqmd.post(
        f"/api/v1/plan-versions/{v1['id']}/comments/",
        {"body": "Say when the chargers are commissioned.", "project": project.json()["id"]},
        format="json",
    )
    assert comment.status_code == 201
    rejected = aqmd.post(
        f"/api/v1/plan-versions/{v1['id']}/decision/",
        {"decision": "changes_requested", "reasons": "Add commissioning."},
        format="json",
    )
    assert rejected.status_code == 201
    assert rejected.json()["reasons"] == "Add commissioning."

    revised = port.post(f"/api/v1/plans/{plan_id}/revise/")
    assert revised.status_code == 201, revised.content
    v2 = revised.json()
    assert (v2["number"], v2["status"], v2["kind"]) == (2, "draft", "final")
    content = port.get(f"/api/v1/plan-versions/{v2['id']}/").json()
    [copied] = content["projects"]
    added = port.post(
        f"/api/v1/plan-projects/{copied['id']}/milestones/",
        {"what": "Chargers commissioned", "due_date": "2030-09-30"},
        format="json",
    )
    assert added.status_code == 201
    assert port.post(f"/api/v1/plan-versions/{v2['id']}/submit/").status_code == 200

    comparison = aqmd.get(f"/api/v1/plan-versions/{v2['id']}/comparison/").json()
    assert comparison["previous"]["number"] == 1
    assert [(c["section"], c["kind"], c["name"]) for c in comparison["changes"]] == [
        ("Project milestones", "added", "Pier 300 chargers: Chargers commissioned")
    ]
    approved = aqmd.post(
        f"/api/v1/plan-versions/{v2['id']}/decision/", {"decision": "approved"}, format="json"
    )
    assert approved.status_code == 201

    final = port.get(f"/api/v1/plan-versions/{v2['id']}/").json()
    assert final["status"] == "approved"
    assert final["decision"]["reviewer"] == "reviewer"
    tracked_ids = [m["tracked_milestone"] for m in final["projects"][0]["milestones"]]
    assert None not in tracked_ids
    tracked = Milestone.objects.filter(pk__in=tracked_ids, kind=MilestoneKind.PROJECT)
    assert sorted(tracked.values_list("title", flat=True)) == [
        "Pier 300 chargers: Chargers commissioned",
        "Pier 300 chargers: Chargers energised",
    ]
    listed = port.get("/api/v1/milestones/", {"kind": "project"}).json()["results"]
    assert {m["id"] for m in listed} == set(tracked_ids)
    final_plan = Milestone.objects.get(
        party__code="POLA", phase__number=1, kind=MilestoneKind.FINAL_PLAN
    )
    assert final_plan.completed_at is not None
    assert PlanVersion.objects.get(pk=v1["id"]).status == VersionStatus.CHANGES_REQUESTED
    assert final_plan.completed_at <= timezone.now()


def test_a_program_with_a_token_uploads_and_submits_without_a_session(
    pola_draft,  # noqa: F811
    pola_staff,
):
    _token, secret = api_token_create(user=pola_staff, name="planning tool", actor=pola_staff)
    program = APIClient(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {secret}")
    upload = program.post(
        f"/api/v1/plan-versions/{pola_draft.version.pk}/documents/",
        {"file": pdf_upload("appendix.pdf")},
        format="multipart",
    )
    assert upload.status_code == 201, upload.content
    submitted = program.post(f"/api/v1/plan-versions/{pola_draft.version.pk}/submit/")
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["submitted_by"] == "pola.planner"
    assert AuditEvent.objects.filter(action="plan.version_submitted", actor=pola_staff).exists()
