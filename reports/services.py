"""Writes to report runs: request, retry, publish, and the rendering job itself.

A run is never overwritten: regenerating makes a new run with the next version.  Rendering
claims the run with a conditional update (queued -> rendering), writes the PDF to a temporary
file and moves it into place, then marks the run ready; any error marks it failed with the
message.  Only ready runs have a file that is served.  The moves are those of the run's table
(``REPORT_RUN_WORKFLOW`` in ``models.py``); a retry goes through :func:`core.workflow.transition`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
from pathlib import Path
from typing import Any

from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policy
from agreement.models import Party
from audit.services import audit_record, snapshot
from core.errors import Conflict, ServiceError
from core.workflow import save_audited, transition

from .models import BASELINE_YEAR, LAST_YEAR, ReportRun, ReportStatus

logger = logging.getLogger(__name__)

# The render task's hard time limit; a run still "rendering" well after it was claimed
# belongs to a worker that died, and may be claimed again.
RENDER_TIME_LIMIT = 10 * 60
STALE_AFTER = dt.timedelta(seconds=RENDER_TIME_LIMIT + 60)
RUN_FIELDS = [
    "year",
    "party",
    "version",
    "status",
    "error",
    "attempts",
    "sha256",
    "executive_summary",
]


def _state(run: ReportRun) -> dict[str, Any]:
    """The audited fields of a run (the file by name: an empty FileField has no url)."""
    data = snapshot(run, [*RUN_FIELDS, "is_published", "published_at"])
    data["pdf"] = run.pdf.name or None
    return data


def enqueue_render(run_id: int) -> None:
    """Send the render task after commit.  If the broker is down the run stays queued (the
    error is logged) and ``reports/recovery.py`` sends it again once the broker is back."""
    from .tasks import render_report_run

    transaction.on_commit(lambda: render_report_run.delay(run_id), robust=True)


@transaction.atomic
def report_run_request(
    *,
    year: int,
    party: Party | None,
    actor: Any,
    executive_summary: str = "",
    enqueue: bool = True,
) -> ReportRun:
    """Queue a new version of the report for ``year`` (one port, or both when None), with
    the executive summary AQMD staff wrote for it (printed after the cover; required to
    publish, not to render a draft).

    ``actor`` None is the system (the command line), which renders synchronously with
    ``enqueue=False``.
    """
    if actor is not None:
        policy.require(actor, policy.Action.REPORT_GENERATE)
    if not BASELINE_YEAR <= year <= LAST_YEAR:
        raise ServiceError(
            _("Choose a reporting year from %(a)s.") % {"a": BASELINE_YEAR},
            fields={"year": _("Out of range.")},
        )
    if party is not None and party.kind != "port":
        raise ServiceError(_("Reports cover a port."), fields={"party": _("Not a port.")})
    latest = ReportRun.objects.filter(year=year, party=party).aggregate(v=Max("version"))["v"]
    try:
        with transaction.atomic():
            run = ReportRun.objects.create(
                year=year,
                party=party,
                version=(latest or 0) + 1,
                requested_by=actor,
                requested_at=timezone.now(),
                executive_summary=(executive_summary or "").strip(),
            )
    except IntegrityError as exc:  # Race condition: two requests took the same version.
        raise Conflict(_("Another version was requested at the same moment; try again.")) from exc
    audit_record(actor=actor, action="report_run.requested", obj=run, after=_state(run))
    if enqueue:
        enqueue_render(run.pk)
    return run


def _lock_for(run: ReportRun, actor: Any, action: policy.Action) -> ReportRun:
    """The run, locked for a change the policy lets ``actor`` make (checked first)."""
    policy.require(actor, action, run)
    return ReportRun.objects.select_for_update().get(pk=run.pk)


@transaction.atomic
def report_run_retry(*, run: ReportRun, actor: Any) -> ReportRun:
    """Queue a failed run again.  A queued or rendering run is left alone (no-op)."""
    locked = _lock_for(run, actor, policy.Action.REPORT_GENERATE)
    if locked.is_in_progress:
        return locked
    transition(locked, ReportStatus.QUEUED, actor=actor, action="report_run.retried", locked=True)
    enqueue_render(locked.pk)
    return locked


@transaction.atomic
def report_run_publish(*, run: ReportRun, actor: Any) -> ReportRun:
    """Publish a ready run: its PDF becomes public.  Publishing twice is a no-op."""
    locked = _lock_for(run, actor, policy.Action.REPORT_PUBLISH)
    if locked.is_published:
        return locked
    if locked.status != ReportStatus.READY:
        raise Conflict(_("Only a ready report can be published."))
    if not locked.executive_summary.strip():
        raise ServiceError(
            _(
                "This version has no executive summary, and a report is published with one. "
                "Generate a new version with the executive summary written, then publish it."
            ),
            fields={"executive_summary": _("Required to publish.")},
        )
    save_audited(
        locked,
        {"is_published": True, "published_at": timezone.now(), "published_by": actor},
        actor=actor,
        action="report_run.published",
        record=_state,
    )
    return locked


# --- The rendering job --------------------------------------------------------------------


@transaction.atomic
def _claim(run_id: int, now: dt.datetime) -> bool:
    """Claim the run for rendering: exactly one caller wins (conditional update), and the
    claim is audited like every change of a run's status (the pages and lists that show it
    are kept until the audit trail moves: core/page_cache.py)."""
    claimable = Q(status=ReportStatus.QUEUED) | Q(
        status=ReportStatus.RENDERING, started_at__lt=now - STALE_AFTER
    )
    claimed = (
        ReportRun.objects.filter(claimable, pk=run_id).update(
            status=ReportStatus.RENDERING,
            started_at=now,
            data_cutoff=now,
            finished_at=None,
            error="",
            attempts=F("attempts") + 1,
        )
        == 1
    )
    if claimed:
        run = ReportRun.objects.get(pk=run_id)
        audit_record(actor=None, action="report_run.rendering", obj=run, after=_state(run))
    return claimed


def _file_name(run: ReportRun, sha256: str) -> str:
    scope = run.party.code.lower() if run.party is not None else "combined"
    return f"reports/{run.year}/annual-report-{run.year}-{scope}-v{run.version}-{sha256[:12]}.pdf"


def _store(name: str, data: bytes) -> None:
    """Write to a temporary file next to the target, then move it into place."""
    target = Path(default_storage.path(name))
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.{os.getpid()}.part")
    try:
        with temp.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)


def _finish(run_id: int, claimed_at: dt.datetime, **values: Any) -> bool:
    with transaction.atomic():
        updated = ReportRun.objects.filter(
            pk=run_id, status=ReportStatus.RENDERING, started_at=claimed_at
        ).update(finished_at=timezone.now(), **values)
        if updated:
            run = ReportRun.objects.get(pk=run_id)
            audit_record(
                actor=None,
                action=f"report_run.{values['status']}",
                obj=run,
                after=_state(run),
                note=values.get("error", ""),
            )
    return updated == 1


def report_run_render(*, run_id: int) -> ReportRun:
    """Render one run if it can be claimed; safe to call twice or concurrently.

    Returns the run as it stands afterwards (ready, failed, or whatever another worker left).
    """
    from .rendering import render_pdf, run_html

    now = timezone.now()
    if not _claim(run_id, now):
        return ReportRun.objects.get(pk=run_id)  # already taken, done, or failed: no-op
    run = ReportRun.objects.select_related("party").get(pk=run_id)
    name = ""
    try:
        data, pages = render_pdf(run_html(run))
        sha256 = hashlib.sha256(data).hexdigest()
        name = _file_name(run, sha256)
        _store(name, data)
        done = _finish(
            run_id,
            now,
            status=ReportStatus.READY,
            pdf=name,
            sha256=sha256,
            size_bytes=len(data),
            page_count=pages,
        )
        if not done:  # Race condition: the claim went stale and another worker took over.
            default_storage.delete(name)
    except Exception as exc:
        logger.exception("Report run %s failed", run_id)
        message = f"{type(exc).__name__}: {exc}"[:4000]
        _finish(run_id, now, status=ReportStatus.FAILED, error=message)
        if name and not ReportRun.objects.filter(pdf=name).exists():
            default_storage.delete(name)
    return ReportRun.objects.get(pk=run_id)
