"""Large ILLUSTRATIVE demo data (``python manage.py seed_demo --scale large``).

For measuring the application at scale (``make bench``, ``BENCHMARKS.md``): both ports, all
phases, 10,000 project milestones (past ones met or defaulted, future ones open), 2,000 plan
versions with 20,000 comments, hundreds of defaults and penalties with their notices and fund
entries, ten years of emissions inventories, and 100,000 audit events linked into the hash
chain.  Every record says "Illustrative large demo" (titles, summaries, reasons, sources,
notes): these are invented figures, not the ports' records.

Built with bulk inserts, each part in one transaction, and skipped when its labelled rows
are already there (idempotent).  Dates are relative to the day of the first run.  Written
directly rather than through the services (which write one row at a time); the audit events
go through :func:`audit.chain.append_many`, so ``verify_audit_log`` still holds.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import User
from agreement import deadlines
from agreement.models import Milestone, MilestoneKind, MilestoneStatus, Party, Phase
from audit import chain
from audit.models import AuditEvent
from penalties.models import (
    Default,
    DefaultStatus,
    FundEntry,
    FundEntryKind,
    MitigationFund,
    Notice,
    NoticeKind,
    Penalty,
    PenaltySchedule,
    PenaltyStatus,
)
from plans.models import (
    Comment,
    Decision,
    Plan,
    PlanVersion,
    ReviewDecision,
    VersionKind,
    VersionStatus,
)
from reports.models import (
    METRIC_UNITS,
    EmissionsInventory,
    FigureBasis,
    InventoryFigure,
    InventoryStatus,
)

LABEL = "Illustrative large demo"

MILESTONES = 10_000
PLAN_VERSIONS = 2_000
COMMENTS_PER_VERSION = 10
AUDIT_EVENTS = 100_000
INVENTORY_YEARS = range(2015, 2025)
# Past milestones are due from here (after the penalty schedule took effect) to yesterday;
# future ones over the next ten years.
PAST_FROM = dt.date(2025, 12, 1)
FUTURE_DAYS = 3650
BATCH = 5000

# Illustrative 2005-level magnitudes per port (short tons, metric tons CO2e, TEU).
_BASE = {"DPM": 900, "NOx": 16000, "SOx": 5300, "GHG": 1_000_000, "TEU": 7_000_000}
_COMMUNITIES = ["Wilmington", "San Pedro", "West Long Beach", "Carson"]


class _Out(Protocol):
    def write(self, text: str) -> Any: ...
    def flush(self) -> Any: ...


class Progress:
    """Plain printed progress: one line per step with its count and time (no dependency)."""

    def __init__(self, out: _Out | None = None) -> None:
        self.out: _Out = out or sys.stdout
        self.start = time.perf_counter()

    def step(self, what: str, count: int | str) -> None:
        elapsed = time.perf_counter() - self.start
        self.out.write(f"  [{elapsed:6.1f} s] {what}: {count}\n")
        self.out.flush()


@dataclass
class Cast:
    ports: list[Party]
    staff: dict[int, User]
    reviewer: User
    admin: User
    phases: list[Phase]
    events: list[AuditEvent] = field(default_factory=list)
    plan_versions: list[PlanVersion] = field(default_factory=list)

    def audit(
        self,
        *,
        at: dt.datetime,
        action: str,
        obj: Any,
        actor: User | None,
        after: dict[str, Any] | None = None,
        party_id: int | None = None,
    ) -> None:
        """Queue an event about ``obj``; its port is ``obj``'s own unless ``party_id`` says."""
        self.events.append(
            AuditEvent(
                at=at,
                actor=actor,
                actor_label=actor.username if actor else "system",
                action=action,
                object_type=obj._meta.label_lower,
                object_id=str(obj.pk),
                object_repr=str(getattr(obj, "title", f"{obj._meta.verbose_name} {obj.pk}"))[:300],
                party_id=party_id if party_id is not None else obj.party_id,
                after=after,
                note=LABEL,
            )
        )

    def audit_status(self, obj: Any, *, actor: User | None) -> None:
        """The event of ``obj`` (a default, a penalty) reaching its current status, at the
        time it did (its ``<status>_at``: ``confirmed_at``, ``paid_at``, ...)."""
        self.audit(
            at=getattr(obj, f"{obj.status}_at"),
            action=f"{obj._meta.model_name}.{obj.status}",
            obj=obj,
            actor=actor,
            after={"status": obj.status},
        )


def _cast() -> Cast | None:
    users = {u.username: u for u in User.objects.filter(username__contains=".")}
    ports = list(Party.objects.ports().order_by("code"))
    staff = {
        p.pk: users.get(f"{p.code.lower()}.staff")
        for p in ports
        if users.get(f"{p.code.lower()}.staff")
    }
    reviewer, admin = users.get("aqmd.reviewer"), users.get("aqmd.admin")
    if len(ports) != 2 or len(staff) != 2 or reviewer is None or admin is None:
        return None
    return Cast(
        ports=ports,
        staff=staff,  # type: ignore[arg-type]
        reviewer=reviewer,
        admin=admin,
        phases=list(Phase.objects.order_by("number")),
    )


def _moment(day: dt.date, hour: int = 10) -> dt.datetime:
    """An aware instant on a Pacific date."""
    return dt.datetime.combine(day, dt.time(hour), tzinfo=deadlines.PACIFIC)


def _chunks(rows: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(rows), BATCH):
        yield rows[start : start + BATCH]


# --- Milestones, defaults, penalties, notices, fund -----------------------------------------


def _milestones(cast: Cast, today: dt.date) -> list[Milestone]:
    past_days = max((today - PAST_FROM).days, 1)
    span = past_days + FUTURE_DAYS
    rows = []
    for i in range(MILESTONES):
        due = PAST_FROM + dt.timedelta(days=i * span // MILESTONES)
        rows.append(
            Milestone(
                party=cast.ports[i % 2],
                kind=MilestoneKind.PROJECT,
                phase=cast.phases[i % len(cast.phases)],
                title=f"{LABEL}: project milestone {i + 1:05d}",
                due_date=due,
                within_port_control=i % 10 != 9,
                created_at=_moment(PAST_FROM - dt.timedelta(days=30)),
            )
        )
    return rows


def _seed_milestones(cast: Cast, progress: Progress) -> None:
    if Milestone.objects.filter(title__startswith=LABEL).exists():
        progress.step("milestones (already there)", 0)
        return
    today = deadlines.pacific_today()
    last_passed = deadlines.last_passed_due_date(timezone.now())
    rows = _milestones(cast, today)
    # Past ones: met on time, except every third one within the port's control, defaulted
    # (half of those met late since, half still open).
    defaulted: list[Milestone] = []
    for i, m in enumerate(r for r in rows if r.due_date <= last_passed):
        if m.within_port_control and i % 3 == 0:
            defaulted.append(m)
            if len(defaulted) % 2 == 0:
                m.status = MilestoneStatus.MET
                m.completed_at = _moment(m.due_date + dt.timedelta(days=20))
                m.closed_at = m.completed_at + dt.timedelta(days=5)
        else:
            m.status = MilestoneStatus.MET
            m.completed_at = _moment(m.due_date - dt.timedelta(days=3))
            m.closed_at = _moment(m.due_date + dt.timedelta(days=2))
    with transaction.atomic():
        for chunk in _chunks(rows):
            Milestone.objects.bulk_create(chunk)
        progress.step("project milestones", len(rows))
        for m in rows:
            cast.audit(
                at=m.created_at,
                action="milestone.created_from_plan",
                obj=m,
                actor=cast.reviewer,
                after={"due_date": m.due_date.isoformat(), "title": m.title},
            )
            if m.status == MilestoneStatus.MET and m.closed_at is not None:
                cast.audit(
                    at=m.closed_at,
                    action="milestone.met",
                    obj=m,
                    actor=cast.reviewer,
                    after={"status": "met", "completed_at": m.completed_at.isoformat()},  # type: ignore[union-attr]
                )
        notices = _past_notices(cast, [r for r in rows if r.due_date <= last_passed])
        _seed_defaults(cast, defaulted, notices, progress)
        for chunk in _chunks(notices):
            Notice.objects.bulk_create(chunk)
        progress.step("notices (reminders, overdue, defaults)", len(notices))


def _past_notices(cast: Cast, past: list[Milestone]) -> list[Notice]:
    notices = []
    for m in past:
        for days, kind in (
            (60, NoticeKind.REMINDER_60),
            (30, NoticeKind.REMINDER_30),
            (7, NoticeKind.REMINDER_7),
            (1, NoticeKind.REMINDER_1),
        ):
            at = _moment(m.due_date - dt.timedelta(days=days), 6)
            notices.append(_notice(cast, m, kind, at))
    return notices


def _notice(cast: Cast, m: Milestone, kind: str, at: dt.datetime) -> Notice:
    return Notice(
        milestone=m,
        party_id=m.party_id,
        kind=kind,
        due_date=m.due_date,
        created_at=at,
        sent_at=at,
        recipients=cast.staff[m.party_id].email,
    )


def _seed_defaults(
    cast: Cast, defaulted: list[Milestone], notices: list[Notice], progress: Progress
) -> None:
    schedules = list(PenaltySchedule.objects.prefetch_related("tiers").order_by("effective_from"))
    ordinals = {
        p.pk: Default.objects.filter(party=p).aggregate(n=Max("ordinal"))["n"] or 0
        for p in cast.ports
    }

    def schedule_for(due: dt.date) -> PenaltySchedule:
        applicable = [s for s in schedules if s.effective_from <= due + dt.timedelta(days=1)]
        return applicable[-1]

    defaults: list[Default] = []
    for j, m in enumerate(defaulted):
        schedule = schedule_for(m.due_date)
        detected = _moment(m.due_date + dt.timedelta(days=1), 0).replace(minute=15)
        proposed_ordinal = ordinals[m.party_id] + 1
        d = Default(
            milestone=m,
            party_id=m.party_id,
            due_date=m.due_date,
            detected_at=detected,
            proposed_amount=schedule.amount_for(proposed_ordinal),
            proposed_schedule=schedule,
        )
        kind = j % 10
        decided = detected + dt.timedelta(days=14)
        if kind <= 5:
            ordinals[m.party_id] += 1
            d.status = DefaultStatus.CONFIRMED
            d.ordinal = ordinals[m.party_id]
            d.confirmed_at = decided
            d.determined_by = cast.reviewer
            d.determination_reason = f"{LABEL}: the milestone was not met by its date."
        elif kind == 8:
            d.status = DefaultStatus.DISMISSED
            d.dismissed_at = decided
            d.determined_by = cast.reviewer
            d.determination_reason = f"{LABEL}: dismissed after review."
        elif kind == 6 and m.status == MilestoneStatus.OPEN:
            # A flexibility claim accepted: withdrawn, the milestone excused.
            d.status = DefaultStatus.WITHDRAWN
            d.withdrawn_at = decided
            m.status = MilestoneStatus.EXCUSED
            m.completed_at = m.closed_at = decided
        defaults.append(d)
        notices.append(_notice(cast, m, NoticeKind.OVERDUE, detected))
        notices.append(_notice(cast, m, NoticeKind.POTENTIAL_DEFAULT, detected))
        if d.status == DefaultStatus.CONFIRMED:
            notices.append(_notice(cast, m, NoticeKind.DEFAULT, decided))
        elif d.status == DefaultStatus.DISMISSED:
            notices.append(_notice(cast, m, NoticeKind.DEFAULT_DISMISSED, decided))
    excused = [m for m in defaulted if m.status == MilestoneStatus.EXCUSED]
    Milestone.objects.bulk_update(excused, ["status", "completed_at", "closed_at"])
    Default.objects.bulk_create(defaults)
    for d in defaults:
        cast.audit(
            at=d.detected_at,
            action="default.flagged",
            obj=d,
            actor=None,
            after={"status": "flagged", "proposed_amount": str(d.proposed_amount)},
        )
        if d.status != DefaultStatus.FLAGGED:
            cast.audit_status(d, actor=cast.reviewer)
    progress.step("defaults (flagged, confirmed, dismissed, withdrawn)", len(defaults))
    _seed_penalties(cast, [d for d in defaults if d.status == DefaultStatus.CONFIRMED], progress)


def _seed_penalties(cast: Cast, confirmed: list[Default], progress: Progress) -> None:
    penalties = []
    for k, d in enumerate(confirmed):
        assert d.proposed_schedule is not None and d.ordinal is not None
        tier = d.proposed_schedule.tier_for(d.ordinal)
        assessed = d.confirmed_at
        assert assessed is not None
        p = Penalty(
            default=d,
            party_id=d.party_id,
            amount=tier.amount,
            schedule=d.proposed_schedule,
            tier_ordinal=tier.default_ordinal,
            assessed_at=assessed,
        )
        step = k % 5
        if step in (0, 1, 2, 4):
            p.status = PenaltyStatus.NOTICE_SENT
            p.notice_sent_at = assessed + dt.timedelta(days=1)
        if step in (0, 1):
            p.status = PenaltyStatus.PAID
            p.paid_at = assessed + dt.timedelta(days=40)
            p.payment_reference = f"{LABEL} check {k + 1:04d}"
        elif step == 4:
            p.status = PenaltyStatus.WAIVED
            p.waived_at = assessed + dt.timedelta(days=30)
            p.waived_by = cast.admin
            p.waiver_reason = f"{LABEL}: waived."
        penalties.append(p)
    Penalty.objects.bulk_create(penalties)
    for p in penalties:
        cast.audit(
            at=p.assessed_at,
            action="penalty.assessed",
            obj=p,
            actor=cast.reviewer,
            after={"amount": str(p.amount), "status": "assessed"},
        )
        if p.status != PenaltyStatus.ASSESSED:
            cast.audit_status(p, actor=cast.admin)
    progress.step("penalties", len(penalties))
    _seed_fund(cast, [p for p in penalties if p.status == PenaltyStatus.PAID], progress)


def _seed_fund(cast: Cast, paid: list[Penalty], progress: Progress) -> None:
    MitigationFund.objects.get_or_create(pk=1)
    fund = MitigationFund.objects.select_for_update().get(pk=1)
    balance = fund.balance
    entries = []
    for n, p in enumerate(sorted(paid, key=lambda p: p.paid_at or p.assessed_at)):
        assert p.paid_at is not None
        balance += p.amount
        entries.append(
            FundEntry(
                kind=FundEntryKind.RECEIPT,
                amount=p.amount,
                balance_after=balance,
                occurred_on=deadlines.pacific_today(p.paid_at),
                penalty=p,
                party_id=p.party_id,
                description=f"{LABEL} receipt.",
                entered_by=cast.admin,
                entered_at=p.paid_at,
            )
        )
        if n % 3 == 2:  # a community disbursement every third receipt
            amount = Decimal("40000.00")
            balance -= amount
            entries.append(
                FundEntry(
                    kind=FundEntryKind.DISBURSEMENT,
                    amount=amount,
                    balance_after=balance,
                    occurred_on=deadlines.pacific_today(p.paid_at) + dt.timedelta(days=7),
                    project_name=f"{LABEL}: community air filtration {n + 1}",
                    community=_COMMUNITIES[n % len(_COMMUNITIES)],
                    description=f"{LABEL} disbursement.",
                    entered_by=cast.admin,
                    entered_at=p.paid_at + dt.timedelta(days=7),
                )
            )
    FundEntry.objects.bulk_create(entries)
    fund.balance = balance
    fund.save(update_fields=["balance"])
    for e in entries:
        cast.audit(
            at=e.entered_at,
            action=f"fund.{e.kind}",
            obj=e,
            actor=cast.admin,
            after={"amount": str(e.amount), "balance_after": str(e.balance_after)},
        )
    progress.step("fund ledger entries", len(entries))


# --- Plans, versions, decisions, comments ---------------------------------------------------


def _seed_plans(cast: Cast, progress: Progress) -> None:
    if PlanVersion.objects.filter(summary__startswith=LABEL).exists():
        progress.step("plan versions (already there)", 0)
        return
    start = _moment(PAST_FROM - dt.timedelta(days=365 * 3))
    with transaction.atomic():
        pairs = [(port, phase) for phase in cast.phases for port in cast.ports]
        versions: list[PlanVersion] = []
        decisions: list[ReviewDecision] = []
        per_plan = [
            PLAN_VERSIONS // len(pairs) + (1 if n < PLAN_VERSIONS % len(pairs) else 0)
            for n in range(len(pairs))
        ]
        for (port, phase), count in zip(pairs, per_plan, strict=True):
            staff = cast.staff[port.pk]
            plan, _created = Plan.objects.get_or_create(
                party=port, phase=phase, defaults={"created_by": staff, "first_submitted_at": start}
            )
            if plan.first_submitted_at is None:
                Plan.objects.filter(pk=plan.pk).update(first_submitted_at=start)
            first = (
                plan.versions.order_by("-number").values_list("number", flat=True).first()
            ) or 0
            has_open = plan.versions.filter(
                status__in=[
                    VersionStatus.DRAFT,
                    VersionStatus.SUBMITTED,
                    VersionStatus.UNDER_REVIEW,
                ]
            ).exists()
            for n in range(count):
                at = start + dt.timedelta(hours=12 * n)
                kind = VersionKind.DRAFT if n < count // 2 else VersionKind.FINAL
                last = n == count - 1
                v = PlanVersion(
                    plan=plan,
                    number=first + n + 1,
                    kind=kind,
                    summary=f"{LABEL}: invented version {n + 1} of {plan}, not a real plan.",
                    created_at=at,
                    created_by=staff,
                    updated_at=at,
                    submitted_at=at + dt.timedelta(hours=2),
                    submitted_by=staff,
                )
                if last and not has_open:
                    v.status = VersionStatus.SUBMITTED
                elif n % 10 == 9:
                    v.status = VersionStatus.WITHDRAWN
                    v.withdrawn_at = at + dt.timedelta(hours=6)
                else:
                    v.status = (
                        VersionStatus.APPROVED
                        if kind == VersionKind.FINAL and n == count - 2
                        else VersionStatus.CHANGES_REQUESTED
                    )
                    v.review_started_at = at + dt.timedelta(hours=3)
                    v.reviewer = cast.reviewer
                    decisions.append(
                        ReviewDecision(
                            version=v,
                            decision=Decision.APPROVED
                            if v.status == VersionStatus.APPROVED
                            else Decision.CHANGES_REQUESTED,
                            reasons=f"{LABEL}: invented review notes.",
                            reviewer=cast.reviewer,
                            decided_at=at + dt.timedelta(hours=10),
                        )
                    )
                versions.append(v)
        PlanVersion.objects.bulk_create(versions, batch_size=BATCH)
        for d in decisions:
            d.version_id = d.version.pk
        ReviewDecision.objects.bulk_create(decisions, batch_size=BATCH)
        progress.step("plan versions", len(versions))
        comments = []
        for v in versions:
            party_id = v.plan.party_id
            assert v.submitted_at is not None
            for c in range(COMMENTS_PER_VERSION):
                author = cast.reviewer if c % 2 == 0 else cast.staff[party_id]
                comments.append(
                    Comment(
                        version=v,
                        author=author,
                        body=f"{LABEL}: invented comment {c + 1} on version {v.number}.",
                        created_at=v.submitted_at + dt.timedelta(minutes=10 * (c + 1)),
                    )
                )
        for chunk in _chunks(comments):
            Comment.objects.bulk_create(chunk)
        progress.step("comments", len(comments))
        for v in versions:
            party_id = v.plan.party_id
            staff = cast.staff[party_id]
            assert v.submitted_at is not None
            cast.audit(
                at=v.submitted_at,
                action="plan.version_submitted",
                obj=v,
                actor=staff,
                party_id=party_id,
                after={"status": "submitted", "number": v.number},
            )
        for d in decisions:
            cast.audit(
                at=d.decided_at,
                action=f"plan.{d.decision}",
                obj=d.version,
                actor=cast.reviewer,
                party_id=d.version.plan.party_id,
                after={"decision": d.decision},
            )
        for comment in comments:
            cast.audit(
                at=comment.created_at,
                action="plan.comment_added",
                obj=comment,
                actor=comment.author,
                party_id=comment.version.plan.party_id,
                after={"version": comment.version.number},
            )
        cast.plan_versions = versions


# --- Inventories ----------------------------------------------------------------------------


def _seed_inventories(cast: Cast, progress: Progress) -> None:
    existing = set(EmissionsInventory.objects.values_list("party_id", "year"))
    now = timezone.now()
    created = 0
    with transaction.atomic():
        for n, port in enumerate(cast.ports):
            for year in INVENTORY_YEARS:
                if (port.pk, year) in existing:
                    continue
                inventory = EmissionsInventory.objects.create(
                    party=port,
                    year=year,
                    status=InventoryStatus.ACCEPTED,
                    submitted_by=cast.staff[port.pk],
                    submitted_at=now,
                    reviewed_by=cast.reviewer,
                    reviewed_at=now,
                    review_note=f"{LABEL}: invented figures, not a real inventory.",
                )
                factor = 0.6 - 0.03 * (year - INVENTORY_YEARS.start)
                InventoryFigure.objects.bulk_create(
                    InventoryFigure(
                        inventory=inventory,
                        metric=metric,
                        value=Decimal(
                            round(base * (1 + 0.1 * n) * (1.2 if metric == "TEU" else factor))
                        ),
                        basis=FigureBasis.ILLUSTRATIVE,
                        source=f"{LABEL}: invented figure ({METRIC_UNITS[metric]}), not real data",
                    )
                    for metric, base in _BASE.items()
                )
                cast.audit(
                    at=now,
                    action="emissions_inventory.entered",
                    obj=inventory,
                    actor=cast.staff[port.pk],
                    after={"year": year, "basis": "illustrative"},
                )
                created += 1
    progress.step("emissions inventories (illustrative years)", created)


# --- Audit events ---------------------------------------------------------------------------


def _seed_audit(cast: Cast, progress: Progress) -> None:
    """The events of what was created, topped up to ``AUDIT_EVENTS`` with draft edits."""
    already = AuditEvent.objects.filter(note=LABEL).count()
    if already >= AUDIT_EVENTS:
        progress.step("audit events (already there)", 0)
        return
    missing = AUDIT_EVENTS - already - len(cast.events)
    versions = cast.plan_versions
    if missing > 0 and versions:
        for k in range(missing):
            v = versions[k % len(versions)]
            cast.audit(
                at=v.created_at + dt.timedelta(minutes=1 + k // len(versions)),
                action="plan.version_updated",
                obj=v,
                actor=cast.staff[v.plan.party_id],
                party_id=v.plan.party_id,
                after={"summary": v.summary, "edit": k // len(versions) + 1},
            )
    events = cast.events[: max(AUDIT_EVENTS - already, 0)]
    appended = chain.append_many(events)
    progress.step("audit events (hash-chained)", appended)


STEPS: list[tuple[str, Callable[[Cast, Progress], None]]] = [
    ("milestones", _seed_milestones),
    ("plans", _seed_plans),
    ("inventories", _seed_inventories),
    ("audit", _seed_audit),
]


def seed_large_demo(out: _Out | None = None) -> bool:
    """Create whatever part of the large illustrative data is missing.  False without the
    demo users (run the ordinary ``seed_demo`` first)."""
    cast = _cast()
    if cast is None:
        return False
    progress = Progress(out)
    with transaction.atomic():  # all or nothing: a rerun after a crash starts clean
        for _name, step in STEPS:
            step(cast, progress)
    if connection.vendor == "postgresql":
        # Fresh statistics after the bulk load, or the planner guesses from empty tables.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        progress.step("table statistics (ANALYZE)", "done")
    return True
