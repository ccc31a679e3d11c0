"""Reads for the penalties pages: scoped by the policy (port staff see their own port)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone

from accounts import policy
from agreement import deadlines
from agreement.models import Milestone, MilestoneKind, MilestoneStatus, Party

from .models import (
    ClaimStatus,
    Default,
    DefaultStatus,
    ExtensionRequest,
    FlexibilityClaim,
    FundEntry,
    FundEntryKind,
    MitigationFund,
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
    default: Default | None
    pending_extension: bool
    pending_claim: bool

    @property
    def days_late(self) -> int:
        return max(0, -self.days_left)

    @property
    def is_overdue(self) -> bool:
        return self.milestone.status == MilestoneStatus.OPEN and self.days_left < 0

    @property
    def may_ask_extension(self) -> bool:
        return (
            self.milestone.status == MilestoneStatus.OPEN
            and self.days_left >= 0
            and not self.pending_extension
        )

    @property
    def may_claim_flexibility(self) -> bool:
        """As ``flexibility_claim_file`` allows: a missed project milestone, still open after
        its deadline or met late with its default standing."""
        missed = self.milestone.status == MilestoneStatus.OPEN or (
            self.milestone.status == MilestoneStatus.MET
            and self.default is not None
            and self.default.status == DefaultStatus.ACTIVE
        )
        return (
            self.milestone.kind == MilestoneKind.PROJECT
            and missed
            and self.days_left < 0
            and not self.pending_claim
        )

    @property
    def is_default_kind(self) -> bool:
        return counts_as_default(self.milestone)


def milestone_rows(*, user: Any, now: dt.datetime | None = None) -> list[MilestoneRow]:
    """Every milestone the user may see with status, days left, default and open requests."""
    now = now or timezone.now()
    milestones = list(
        Milestone.objects.for_port(policy.port_scope(user))
        .select_related("party", "phase", "default__penalty")
        .prefetch_related(
            Prefetch(
                "extension_requests",
                queryset=ExtensionRequest.objects.filter(status=RequestStatus.PENDING),
                to_attr="pending_extensions",
            ),
            Prefetch(
                "flexibility_claims",
                queryset=FlexibilityClaim.objects.filter(status=ClaimStatus.PENDING),
                to_attr="pending_claims",
            ),
        )
        .order_by("due_date", "party__code", "id")
    )
    rows = []
    for m in milestones:
        rows.append(
            MilestoneRow(
                milestone=m,
                days_left=deadlines.days_left(m.due_date, now),
                default=getattr(m, "default", None),
                pending_extension=bool(m.pending_extensions),
                pending_claim=bool(m.pending_claims),
            )
        )
    return rows


def defaults_visible_to(user: Any) -> QuerySet[Default]:
    """Defaults with their penalties, newest first; port staff see their own port's."""
    scope = policy.port_scope(user)
    qs = Default.objects.select_related("party", "milestone", "penalty__schedule")
    return qs if scope is None else qs.filter(party_id=scope)


@dataclass(frozen=True)
class PenaltyLedgerLine:
    """One port's penalties in money: assessed (not withdrawn), paid, waived, outstanding."""

    party: Party
    active_defaults: int
    assessed: Decimal
    paid: Decimal
    waived: Decimal

    @property
    def outstanding(self) -> Decimal:
        return self.assessed - self.paid - self.waived


def penalty_ledger(user: Any) -> list[PenaltyLedgerLine]:
    """Per port (port staff: their own), the totals of the penalty ledger."""
    zero = Decimal("0.00")
    scope = policy.port_scope(user)
    sums: dict[tuple[int, str], Decimal] = {
        (row["party_id"], row["status"]): row["total"]
        for row in Penalty.objects.for_port(scope)
        .values("party_id", "status")
        .annotate(total=Sum("amount"))
        .order_by()
    }
    counts = dict(
        Default.objects.active()
        .values_list("party_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("party_id", "n")
    )
    ports = Party.objects.ports()
    if scope is not None:
        ports = ports.filter(pk=scope)
    lines = []
    for party in ports:
        by_status = {status: sums.get((party.pk, status), zero) for status in PenaltyStatus}
        lines.append(
            PenaltyLedgerLine(
                party=party,
                active_defaults=counts.get(party.pk, 0),
                assessed=sum(
                    (v for k, v in by_status.items() if k != PenaltyStatus.WITHDRAWN), zero
                ),
                paid=by_status[PenaltyStatus.PAID],
                waived=by_status[PenaltyStatus.WAIVED],
            )
        )
    return lines


def penalty_for_page(pk: int) -> Penalty:
    return Penalty.objects.select_related(
        "party", "default__milestone", "schedule", "waived_by"
    ).get(pk=pk)


def extension_requests_visible_to(user: Any) -> QuerySet[ExtensionRequest]:
    scope = policy.port_scope(user)
    qs = ExtensionRequest.objects.select_related("milestone", "party", "requested_by")
    return qs if scope is None else qs.filter(party_id=scope)


def flexibility_claims_visible_to(user: Any) -> QuerySet[FlexibilityClaim]:
    scope = policy.port_scope(user)
    qs = FlexibilityClaim.objects.select_related("milestone", "party", "filed_by")
    return qs if scope is None else qs.filter(party_id=scope)


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


def defaults_at(*, parties: list[Party], cutoff: dt.datetime, through: dt.date) -> list[DefaultAt]:
    """Defaults of these ports recorded by ``cutoff`` for deadlines up to ``through``, oldest
    deadline first, each with its penalty's status, withdrawal and cure as of the cut-off.

    One query whatever the number of defaults.
    """
    rows = (
        Default.objects.filter(
            party_id__in=[p.pk for p in parties], detected_at__lte=cutoff, due_date__lte=through
        )
        .select_related("party", "milestone", "penalty__fund_receipt")
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
        .select_related("party", "default__milestone", "fund_receipt")
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


def defaults_for_api(user: Any) -> QuerySet[Default]:
    """Defaults the user may see (public; port staff: their own port), newest first."""
    return policy.visible(
        user,
        policy.Action.DEFAULT_VIEW,
        Default.objects.select_related("party", "milestone", "penalty"),
    )


def penalties_visible_to(user: Any) -> QuerySet[Penalty]:
    """Penalties the user may see: the same rows as their defaults."""
    return policy.visible(
        user,
        policy.Action.DEFAULT_VIEW,
        Penalty.objects.select_related("party", "default__milestone"),
    )


def extension_requests_for_api(user: Any) -> QuerySet[ExtensionRequest]:
    """Extension requests: the port's own staff, AQMD and the board; nobody else."""
    return policy.visible(
        user,
        policy.Action.EXTENSION_VIEW,
        ExtensionRequest.objects.select_related(
            "party", "milestone", "requested_by", "decided_by"
        ).prefetch_related("documents"),
    )


def flexibility_claims_for_api(user: Any) -> QuerySet[FlexibilityClaim]:
    return policy.visible(
        user,
        policy.Action.FLEXIBILITY_VIEW,
        FlexibilityClaim.objects.select_related(
            "party", "milestone", "filed_by", "decided_by"
        ).prefetch_related("documents"),
    )


def fund_entries_visible_to(user: Any) -> QuerySet[FundEntry]:
    """The fund's ledger (public), oldest first as a ledger reads."""
    return policy.visible(
        user,
        policy.Action.FUND_VIEW,
        FundEntry.objects.select_related("party", "penalty__default__milestone"),
    )
