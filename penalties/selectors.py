"""Reads for the penalties pages: scoped by the policy (port staff see their own port)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Self

from django.db.models import (
    Case,
    CharField,
    Count,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    When,
    prefetch_related_objects,
)
from django.db.models.functions import Cast, ExtractYear
from django.http import Http404
from django.utils import timezone

from accounts import policy
from accounts.policy import Action
from agreement import deadlines
from agreement.models import Milestone, MilestoneKind, MilestoneQuerySet, MilestoneStatus, Party
from audit.models import AuditEventQuerySet

from .milestone_requests import KINDS
from .models import (
    REQUEST_MODELS,
    CompletionReport,
    Default,
    DefaultQuerySet,
    DefaultStatus,
    ExtensionRequest,
    FlexibilityClaim,
    FundEntry,
    FundEntryKind,
    MilestoneRequest,
    MitigationFund,
    Notice,
    NoticeKind,
    Penalty,
    PenaltySchedule,
    PenaltyStatus,
    RequestStatus,
    counts_as_default,
)


@dataclass(frozen=True)
class MilestoneRow:
    """A milestone as a port planner sees it: status, days left, and what follows from it."""

    milestone: Milestone
    days_left: int
    default: Default | None  # the latest miss flagged, confirmed, dismissed or withdrawn
    pending: frozenset[str]  # kinds of request waiting for AQMD

    @property
    def days_late(self) -> int:
        return max(0, -self.days_left)

    @property
    def is_overdue(self) -> bool:
        return self.milestone.status == MilestoneStatus.OPEN and self.days_left < 0

    @property
    def pending_extension(self) -> bool:
        return "extension" in self.pending

    @property
    def pending_claim(self) -> bool:
        return "flexibility" in self.pending

    @property
    def pending_completion(self) -> bool:
        return "completion" in self.pending

    @property
    def may_ask_extension(self) -> bool:
        return (
            self.milestone.status == MilestoneStatus.OPEN
            and self.days_left >= 0
            and not self.pending_extension
        )

    @property
    def may_report_completion(self) -> bool:
        """As the completion report allows: an open project milestone or annual report."""
        return (
            self.milestone.status == MilestoneStatus.OPEN
            and self.milestone.kind in (MilestoneKind.PROJECT, MilestoneKind.ANNUAL_REPORT)
            and not self.pending_completion
        )

    @property
    def may_claim_flexibility(self) -> bool:
        """As the flexibility claim allows: a miss flagged or confirmed, or an open deadline
        already passed that may be a default."""
        if self.pending_claim:
            return False
        standing = self.default is not None and self.default.status in (
            DefaultStatus.FLAGGED,
            DefaultStatus.CONFIRMED,
        )
        return standing or (self.is_overdue and counts_as_default(self.milestone))

    @property
    def is_default_kind(self) -> bool:
        return counts_as_default(self.milestone)


def _pending_requests() -> list[Prefetch]:
    return [
        Prefetch(
            f"{related}",
            queryset=model.objects.filter(status="pending").only("pk", "milestone_id"),
            to_attr=f"pending_{kind}",
        )
        for kind, model, related in (
            ("extension", ExtensionRequest, "extension_requests"),
            ("flexibility", FlexibilityClaim, "flexibility_claims"),
            ("completion", CompletionReport, "completion_reports"),
        )
    ]


def milestones_for_rows(user: Any) -> MilestoneQuerySet:
    """The milestones of the milestones page, soonest due first (paginate, then
    :func:`milestone_rows` on one page)."""
    return (
        Milestone.objects.for_port(policy.port_scope(user))
        .select_related("party", "phase")
        .order_by("due_date", "party__code", "id")
    )


def milestone_rows(
    *, user: Any, milestones: Iterable[Milestone], now: dt.datetime | None = None
) -> list[MilestoneRow]:
    """One page of milestones with status, days left, default and open requests (a fixed
    number of queries for the page, whatever its length)."""
    now = now or timezone.now()
    milestones = list(milestones)
    prefetch_related_objects(
        milestones,
        Prefetch(
            "defaults",
            queryset=defaults_visible_to(user).order_by("-due_date", "-pk"),
            to_attr="visible_defaults",
        ),
        *_pending_requests(),
    )
    return [
        MilestoneRow(
            milestone=m,
            days_left=deadlines.days_left(m.due_date, now),
            default=m.visible_defaults[0] if m.visible_defaults else None,  # type: ignore[attr-defined]
            pending=frozenset(
                kind
                for kind, model in REQUEST_MODELS.items()
                if model.SUBJECT == "milestone" and getattr(m, f"pending_{kind}")
            ),
        )
        for m in milestones
    ]


def defaults_visible_to(user: Any) -> DefaultQuerySet:
    """Defaults with their penalties, newest first.

    AQMD sees every one, port staff their own port's (flagged and dismissed ones too); the
    board and the public see defaults AQMD confirmed.
    """
    qs = Default.objects.select_related(
        "party", "milestone", "penalty__schedule", "proposed_schedule"
    )
    if not policy.can(user, Action.DEFAULT_VIEW_UNDETERMINED):
        return qs.public()
    scope = policy.port_scope(user)
    return qs if scope is None else qs.filter(party_id=scope)


def default_for(user: Any, pk: int) -> Default:
    """One default the user may see, or 404 (another port's, an undetermined one)."""
    default = (
        defaults_visible_to(user)
        .select_related("proposed_schedule", "determined_by", "milestone__party")
        .filter(pk=pk)
        .first()
    )
    if default is None:
        raise Http404
    return default


def defaults_awaiting_determination(user: Any) -> QuerySet[Default]:
    """Flagged defaults, oldest first: AQMD's determination queue (port staff: their own)."""
    return (
        defaults_visible_to(user)
        .flagged()
        .select_related("proposed_schedule")
        .order_by("detected_at", "pk")
    )


def requests_visible_to(user: Any, kind: str) -> QuerySet[Any]:
    """Requests of ``kind`` the user may see (the port's own staff, AQMD, the board), with
    what their pages and API rows render."""
    spec = KINDS[kind]
    return policy.visible(
        user,
        spec.view_action,
        spec.model.objects.select_related(
            "party", *spec.subject.related, "filed_by", "decided_by"
        ).prefetch_related("documents"),
    )


def requests_pending_first(user: Any, kind: str) -> QuerySet[Any]:
    """The requests page's order: those awaiting AQMD first, then the newest filed."""
    pending_first = Case(When(status=RequestStatus.PENDING, then=0), default=1)
    return requests_visible_to(user, kind).order_by(pending_first, "-filed_at", "-pk")


def request_for(user: Any, kind: str, pk: int) -> MilestoneRequest:
    """One request the user may see, or 404: the same answer on pages and in the API."""
    found = requests_visible_to(user, kind).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def pending_requests(user: Any) -> list[MilestoneRequest]:
    """Every request waiting for AQMD's decision that the user may see, oldest first."""
    rows: list[MilestoneRequest] = []
    for kind in KINDS:
        rows.extend(requests_visible_to(user, kind).filter(status="pending"))
    return sorted(rows, key=lambda r: (r.filed_at, r.KIND, r.pk))


@dataclass(frozen=True)
class PenaltyAmounts:
    """Penalties in money: assessed (not withdrawn), paid, waived, and what is outstanding."""

    assessed: Decimal
    paid: Decimal
    waived: Decimal

    @property
    def outstanding(self) -> Decimal:
        return self.assessed - self.paid - self.waived

    @classmethod
    def from_totals(cls, totals: Mapping[str, Decimal], **rest: Any) -> Self:
        """From the sums of the penalties' amounts by status; ``rest``: a subclass's fields."""
        zero = Decimal("0.00")
        return cls(
            assessed=sum((v for k, v in totals.items() if k != PenaltyStatus.WITHDRAWN), zero),
            paid=totals.get(PenaltyStatus.PAID, zero),
            waived=totals.get(PenaltyStatus.WAIVED, zero),
            **rest,
        )


@dataclass(frozen=True, kw_only=True)
class PenaltyLedgerLine(PenaltyAmounts):
    """One port's penalties in money, and its count of confirmed defaults."""

    party: Party
    active_defaults: int


def penalty_ledger(user: Any) -> list[PenaltyLedgerLine]:
    """Per port (port staff: their own), the totals of the penalty ledger."""
    scope = policy.port_scope(user)
    sums: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for row in (
        Penalty.objects.for_port(scope)
        .values("party_id", "status")
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        sums[row["party_id"]][row["status"]] = row["total"]
    counts = dict(
        Default.objects.confirmed()
        .values_list("party_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("party_id", "n")
    )
    ports = Party.objects.ports()
    if scope is not None:
        ports = ports.filter(pk=scope)
    return [
        PenaltyLedgerLine.from_totals(
            sums[party.pk],
            party=party,
            active_defaults=counts.get(party.pk, 0),
        )
        for party in ports
    ]


def penalty_for(user: Any, pk: int) -> Penalty:
    """One penalty the user may see, or 404 (port staff: another port's)."""
    penalty = penalties_visible_to(user).select_related("waived_by").filter(pk=pk).first()
    if penalty is None:
        raise Http404
    return penalty


@dataclass
class FundTotals:
    balance: Decimal
    receipts: Decimal
    disbursements: Decimal
    # (year, received, disbursed), oldest year first
    by_year: list[tuple[int, Decimal, Decimal]] = field(default_factory=list)
    # (port, [(year, received)], total received) for each port
    by_port: list[tuple[Party, list[tuple[int, Decimal]], Decimal]] = field(default_factory=list)


def fund_totals() -> FundTotals:
    """The fund's balance, receipts and disbursements by year, and receipts by port and year."""
    zero = Decimal("0.00")
    fund = MitigationFund.objects.filter(pk=1).first()
    rows = (
        FundEntry.objects.annotate(year=ExtractYear("occurred_on"))
        .values("kind", "party_id", "year")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    years: dict[int, dict[str, Decimal]] = defaultdict(lambda: {"r": zero, "d": zero})
    port_years: dict[int, dict[int, Decimal]] = defaultdict(lambda: defaultdict(lambda: zero))
    for row in rows:
        key = "r" if row["kind"] == FundEntryKind.RECEIPT else "d"
        years[row["year"]][key] += row["total"]
        if key == "r":
            port_years[row["party_id"]][row["year"]] += row["total"]
    by_port = []
    for party in Party.objects.ports():
        per_year = sorted(port_years.get(party.pk, {}).items())
        by_port.append((party, per_year, sum((t for _, t in per_year), zero)))
    return FundTotals(
        balance=fund.balance if fund else zero,
        receipts=sum((v["r"] for v in years.values()), zero),
        disbursements=sum((v["d"] for v in years.values()), zero),
        by_year=[(y, v["r"], v["d"]) for y, v in sorted(years.items())],
        by_port=by_port,
    )


def fund_ledger() -> QuerySet[FundEntry]:
    return FundEntry.objects.select_related("party", "penalty__default__milestone").order_by(
        "-entered_at", "-id"
    )


# --- The reports: defaults, penalties and the fund at a data cut-off ------------------------


def _pacific_year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of a Pacific calendar year as aware datetimes."""
    return (
        dt.datetime(year, 1, 1, tzinfo=deadlines.PACIFIC),
        dt.datetime(year + 1, 1, 1, tzinfo=deadlines.PACIFIC),
    )


@dataclass(frozen=True)
class DefaultAt:
    """A recorded default and its penalty as they stood at a cut-off."""

    default: Default
    withdrawn: bool
    penalty_status: str | None
    cured_at: dt.datetime | None

    @property
    def penalty(self) -> Penalty | None:
        return getattr(self.default, "penalty", None)

    @property
    def amount(self) -> Decimal | None:
        return self.penalty.amount if self.penalty is not None else None

    @property
    def penalty_status_label(self) -> str:
        return str(PenaltyStatus(self.penalty_status).label) if self.penalty_status else ""

    @property
    def is_provisional(self) -> bool:
        """The amount comes from a penalty schedule stored as provisional."""
        return self.penalty is not None and self.penalty.is_provisional


def defaults_at(*, parties: list[Party], cutoff: dt.datetime, through: dt.date) -> list[DefaultAt]:
    """Defaults of these ports that AQMD confirmed by ``cutoff``, for deadlines up to
    ``through``, oldest deadline first, each with its penalty's status, withdrawal and cure as
    of the cut-off.  (A flagged miss is not a default until AQMD confirms it.)

    One query whatever the number of defaults.
    """
    rows = (
        Default.objects.filter(
            party_id__in=[p.pk for p in parties], confirmed_at__lte=cutoff, due_date__lte=through
        )
        .select_related("party", "milestone", "penalty__fund_receipt", "penalty__schedule")
        .order_by("due_date", "ordinal", "id")
    )
    return [
        DefaultAt(
            default=d,
            withdrawn=d.is_withdrawn_at(cutoff),
            penalty_status=d.penalty.status_at(cutoff) if hasattr(d, "penalty") else None,
            cured_at=d.cured_by(cutoff),
        )
        for d in rows
    ]


def penalties_assessed_in(*, parties: list[Party], year: int, now: dt.datetime) -> list[Penalty]:
    """Penalties of these ports assessed in Pacific calendar ``year`` up to ``now``, oldest
    first, with their defaults and milestones (one query)."""
    start, end = _pacific_year_bounds(year)
    return list(
        Penalty.objects.filter(
            party_id__in=[p.pk for p in parties],
            assessed_at__gte=start,
            assessed_at__lt=end,
            assessed_at__lte=now,
        )
        .select_related("party", "default__milestone", "fund_receipt", "schedule")
        .order_by("assessed_at", "id")
    )


@dataclass(frozen=True)
class FundPortLine:
    party: Party
    received_in_year: Decimal
    received_total: Decimal


@dataclass(frozen=True)
class FundAt:
    """The fund's ledger for a reporting year as recorded by a cut-off.

    Totals run from the first entry to the end of ``year`` (by the entries' Pacific dates);
    ``balance`` is receipts minus disbursements over that span.
    """

    year: int
    received_in_year: Decimal
    disbursed_in_year: Decimal
    received_total: Decimal
    disbursed_total: Decimal
    by_port: list[FundPortLine]
    disbursements: list[FundEntry]
    has_entries: bool

    @property
    def balance(self) -> Decimal:
        return self.received_total - self.disbursed_total


def fund_at(*, year: int, cutoff: dt.datetime, ports: list[Party]) -> FundAt:
    """The fund's receipts and disbursements of ``year`` and up to its end, counting only
    entries recorded (``entered_at``) by ``cutoff``.  One query."""
    zero = Decimal("0.00")
    entries = list(
        FundEntry.objects.filter(entered_at__lte=cutoff, occurred_on__lte=dt.date(year, 12, 31))
        .select_related("party")
        .order_by("occurred_on", "id")
    )
    receipts = [e for e in entries if e.kind == FundEntryKind.RECEIPT]
    payouts = [e for e in entries if e.kind == FundEntryKind.DISBURSEMENT]

    def total(rows: list[FundEntry]) -> Decimal:
        return sum((e.amount for e in rows), zero)

    def of_year(rows: list[FundEntry]) -> list[FundEntry]:
        return [e for e in rows if e.occurred_on.year == year]

    return FundAt(
        year=year,
        received_in_year=total(of_year(receipts)),
        disbursed_in_year=total(of_year(payouts)),
        received_total=total(receipts),
        disbursed_total=total(payouts),
        by_port=[
            FundPortLine(
                party=party,
                received_in_year=total([e for e in of_year(receipts) if e.party_id == party.pk]),
                received_total=total([e for e in receipts if e.party_id == party.pk]),
            )
            for party in ports
        ],
        disbursements=of_year(payouts),
        has_entries=bool(entries),
    )


# --- The API's reads: scoped by the policy, everything a row renders loaded up front ------


def schedules_visible_to(user: Any) -> QuerySet[PenaltySchedule]:
    return policy.visible(
        user, policy.Action.AGREEMENT_VIEW, PenaltySchedule.objects.prefetch_related("tiers")
    )


def penalties_visible_to(user: Any) -> QuerySet[Penalty]:
    """Penalties the user may see: the penalties of defaults AQMD confirmed (public; port
    staff their own port's)."""
    return policy.visible(
        user,
        policy.Action.DEFAULT_VIEW,
        Penalty.objects.select_related("party", "default__milestone", "schedule"),
    )


def fund_entries_visible_to(user: Any) -> QuerySet[FundEntry]:
    """The fund's ledger (public), oldest first as a ledger reads."""
    return policy.visible(
        user,
        policy.Action.FUND_VIEW,
        FundEntry.objects.select_related("party", "penalty__default__milestone"),
    )


def without_undetermined_defaults(events: AuditEventQuerySet, user: Any) -> AuditEventQuerySet:
    """``events`` less those about a miss AQMD has not confirmed (flagged, dismissed, or
    withdrawn before confirmation) and its notices of potential default or dismissal, for a
    reader the policy does not let see undetermined defaults (the board)."""
    if policy.can(user, policy.Action.DEFAULT_VIEW_UNDETERMINED):
        return events
    as_text = Cast("pk", output_field=CharField())
    undetermined = Default.objects.filter(confirmed_at__isnull=True).values(pid=as_text)
    notices = Notice.objects.filter(
        kind__in=[NoticeKind.POTENTIAL_DEFAULT, NoticeKind.DEFAULT_DISMISSED]
    ).values(pid=as_text)
    return events.exclude(
        Q(object_type="penalties.default", object_id__in=undetermined)
        | Q(object_type="penalties.notice", object_id__in=notices)
    )
