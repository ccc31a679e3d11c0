"""Every endpoint, for every role of the cast answers the status the policy says.

Public agreement data and milestones are open to all; a milestone or audit event of the
other port is a 404 for port staff; the audit trail needs a login (401); only AQMD
administrators amend a due date (403 for everyone else who is signed in).  Report runs and
inventories answer as their pages do: an unpublished run or an unaccepted inventory of
POLA is a 404 for whoever may not see it.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from agreement.models import Party
from audit.services import audit_record
from penalties.models import PenaltySchedule
from reports.inventory_services import FigureInput, inventory_save
from reports.models import ReportRun, ReportStatus

from .conftest import ROLES

ALL_200 = dict.fromkeys(ROLES, 200)
OWN_PORT_ONLY = {**ALL_200, "polb_staff": 404}
SIGNED_IN = {**ALL_200, "anonymous": 401}
SIGNED_IN_OWN_PORT = {**SIGNED_IN, "polb_staff": 404}
ADMIN_WRITE = {
    "anonymous": 401,
    "pola_staff": 403,
    "polb_staff": 403,
    "reviewer": 403,
    "administrator": 201,
    "board_member": 403,
}

# (name, method, url template, expected status per role).  {milestone} is a POLA milestone,
# {event} an audit event of POLA, {schedule} the seeded penalty schedule.
# A ready, unpublished run of POLA: readers and POLA's staff; a 404 for everyone else.
RUN_READERS = {**ALL_200, "anonymous": 404, "polb_staff": 404}
# A submitted (not yet accepted) inventory of POLA: AQMD and POLA's staff.
INVENTORY_READERS = {**RUN_READERS, "board_member": 404}
AQMD_WRITE = {
    "anonymous": 401,
    "pola_staff": 403,
    "polb_staff": 403,
    "reviewer": 200,
    "administrator": 200,
    "board_member": 403,
}
AQMD_CREATE = {**AQMD_WRITE, "reviewer": 201, "administrator": 201}
ADMIN_ACTION = {**AQMD_WRITE, "reviewer": 403}
EMISSIONS_ENTER = {**AQMD_CREATE, "pola_staff": 201, "reviewer": 403}
# POLB's staff may not see POLA's submitted inventory: 404 before the policy's 403.
EMISSIONS_CORRECT = {**AQMD_WRITE, "pola_staff": 200, "polb_staff": 404, "reviewer": 403}
# POLB's staff may import, but not rows of POLA: the file is refused row by row (400).
EMISSIONS_IMPORT = {**EMISSIONS_CORRECT, "polb_staff": 400}

WITHDRAWAL_READERS = {**SIGNED_IN, "pola_staff": 403, "polb_staff": 403}

ENDPOINTS = [
    ("parties", "get", "/api/v1/parties/", ALL_200),
    ("party", "get", "/api/v1/parties/POLA/", ALL_200),
    ("phases", "get", "/api/v1/phases/", ALL_200),
    ("phase", "get", "/api/v1/phases/1/", ALL_200),
    ("categories", "get", "/api/v1/categories/", ALL_200),
    ("category", "get", "/api/v1/categories/drayage/", ALL_200),
    ("milestones", "get", "/api/v1/milestones/", ALL_200),
    ("milestone", "get", "/api/v1/milestones/{milestone}/", OWN_PORT_ONLY),
    ("milestones csv", "get", "/api/v1/milestones/export.csv", ALL_200),
    ("milestones xlsx", "get", "/api/v1/milestones/export.xlsx", ALL_200),
    ("amend", "post", "/api/v1/milestones/{milestone}/due-date-amendments/", ADMIN_WRITE),
    ("schedules", "get", "/api/v1/penalty-schedules/", ALL_200),
    ("schedule", "get", "/api/v1/penalty-schedules/{schedule}/", ALL_200),
    ("audit events", "get", "/api/v1/audit-events/", SIGNED_IN),
    ("audit event", "get", "/api/v1/audit-events/{event}/", SIGNED_IN_OWN_PORT),
    ("report runs", "get", "/api/v1/report-runs/", ALL_200),
    ("report run", "get", "/api/v1/report-runs/{run}/", RUN_READERS),
    ("report download", "get", "/api/v1/report-runs/{run}/download/", RUN_READERS),
    ("report generate", "post", "/api/v1/report-runs/generate/", AQMD_CREATE),
    ("report retry", "post", "/api/v1/report-runs/{failed_run}/retry/", AQMD_WRITE),
    ("report publish", "post", "/api/v1/report-runs/{run}/publish/", ADMIN_ACTION),
    ("inventories", "get", "/api/v1/emissions-inventories/", ALL_200),
    ("inventory", "get", "/api/v1/emissions-inventories/{inventory}/", INVENTORY_READERS),
    ("inventories csv", "get", "/api/v1/emissions-inventories/export.csv", ALL_200),
    ("inventories xlsx", "get", "/api/v1/emissions-inventories/export.xlsx", ALL_200),
    ("inventory enter", "post", "/api/v1/emissions-inventories/entries/", EMISSIONS_ENTER),
    (
        "inventory figures",
        "put",
        "/api/v1/emissions-inventories/{inventory}/figures/",
        EMISSIONS_CORRECT,
    ),
    ("inventory review", "post", "/api/v1/emissions-inventories/{inventory}/review/", AQMD_WRITE),
    ("inventory import", "post", "/api/v1/emissions-inventories/import/", EMISSIONS_IMPORT),
    # The agreement's lifecycle (issue #14): withdrawal notices for AQMD and the board,
    # amendments as public as milestones, cost recovery for AQMD, the board and the ports.
    ("withdrawal notices", "get", "/api/v1/withdrawal-notices/", WITHDRAWAL_READERS),
    ("amendments", "get", "/api/v1/due-date-amendments/", ALL_200),
    ("cost recovery", "get", "/api/v1/cost-recovery-invoices/", SIGNED_IN),
    ("schema", "get", "/api/schema/", ALL_200),
    ("docs", "get", "/api/docs/", ALL_200),
]

CASES = [
    pytest.param(method, url, role, expected[role], id=f"{name}-{role}")
    for name, method, url, expected in ENDPOINTS
    for role in ROLES
]


FIGURES = [{"metric": "DPM", "value": "170.5", "source": "port inventory"}]
CSV = b"port,year,metric,value,unit,precision,source\nPOLA,2031,DPM,170,short tons/yr,exact,s\n"


def body_of(url: str) -> tuple[dict | None, str | None]:
    """The request body each write sends (the same for every role)."""
    if url.endswith("due-date-amendments/"):
        return {"new_due_date": "2027-06-30", "reason": "Amended by the Governing Board."}, None
    if url.endswith("generate/"):
        return {"year": 2026, "port": "POLA"}, None
    if url.endswith("entries/"):
        return {"port": "POLA", "year": 2031, "figures": FIGURES}, None
    if url.endswith("figures/"):
        return {"figures": FIGURES}, None
    if url.endswith("review/"):
        return {"decision": "accept"}, None
    if url.endswith("import/"):
        return {"file": SimpleUploadedFile("f.csv", CSV, content_type="text/csv")}, "multipart"
    return None, None


@pytest.fixture
def report_objects(settings, tmp_path, pola_staff):
    """A ready, unpublished run and a failed run of POLA, and a submitted POLA inventory."""
    settings.MEDIA_ROOT = tmp_path / "media"
    pola = Party.objects.get(code="POLA")
    pdf = b"%PDF-1.7 test"
    run = ReportRun(
        year=2026,
        party=pola,
        version=1,
        status=ReportStatus.READY,
        executive_summary="Written by AQMD staff for the test.",
        data_cutoff=timezone.now(),
        sha256=hashlib.sha256(pdf).hexdigest(),
    )
    run.pdf.save("run.pdf", ContentFile(pdf), save=False)
    run.save()
    failed = ReportRun.objects.create(
        year=2026, party=pola, version=2, status=ReportStatus.FAILED, error="boom"
    )
    inventory, _ = inventory_save(
        party=pola,
        year=2030,
        figures=[FigureInput(metric="DPM", value=Decimal("100"), source="port inventory")],
        actor=pola_staff,
    )
    return {"run": run.pk, "failed_run": failed.pk, "inventory": inventory.pk}


@pytest.mark.parametrize(("method", "url", "role", "expected"), CASES)
def test_endpoint_answers_each_role_as_the_policy_says(
    client_as, pola_milestone, report_objects, method, url, role, expected
):
    event = audit_record(actor=None, action="test.recorded", obj=pola_milestone)
    schedule = PenaltySchedule.objects.get()
    path = url.format(
        milestone=pola_milestone.pk, event=event.pk, schedule=schedule.pk, **report_objects
    )
    client = client_as(role)
    if method == "get":
        response = client.get(path)
    else:
        body, fmt = body_of(url)
        response = getattr(client, method)(path, body, format=fmt)
    assert response.status_code == expected, response.content[:500]
    if response.status_code == 401:
        assert response["WWW-Authenticate"].startswith("Bearer")
