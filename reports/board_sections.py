"""What the Governing Board status report adds to each port's page and on its first page:
plan status, AQMD's determinations, cost recovery, and the agreement's lifecycle (the
rulemaking pause, a withdrawal notice).  Read from the apps' selectors as of ``now``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q

from accounts import policy
from agreement import withdrawal
from agreement.models import Party, WithdrawalNotice
from agreement.withdrawal import PauseStatus
from cost_recovery.models import Invoice
from cost_recovery.selectors import PortBalance, balances_by_port
from penalties.models import Default, DefaultStatus
from plans import selectors as plan_selectors

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Determinations:
    """A port's missed deadlines by AQMD's determination.  Flagged and dismissed misses are
    seen only by whoever the policy lets see undetermined defaults (AQMD, the port); for the
    others (the board) those counts are None and the report says so."""

    confirmed: int
    flagged: int | None
    dismissed: int | None
    withdrawn: int


@dataclass(frozen=True)
class AgreementPage:
    withdrawal: WithdrawalNotice | None
    ended_on: dt.date | None
    pauses: list[PauseStatus]


def agreement_page(*, now: dt.datetime) -> AgreementPage:
    notice = withdrawal.standing_withdrawal()
    return AgreementPage(
        withdrawal=notice,
        ended_on=withdrawal.ended_on_by(notice, now),
        pauses=withdrawal.rulemaking_pauses(now),
    )


def determinations(*, parties: list[Party], viewer: Any) -> dict[int, Determinations]:
    # Per port and status: every default, and those AQMD had confirmed (a flagged miss
    # withdrawn by an accepted flexibility claim was never a determination: not public).
    counts: dict[tuple[int, str], tuple[int, int]] = {
        (row["party_id"], row["status"]): (row["n"], row["confirmed"])
        for row in Default.objects.filter(party__in=parties)
        .order_by()
        .values("party_id", "status")
        .annotate(n=Count("id"), confirmed=Count("id", filter=Q(confirmed_at__isnull=False)))
    }
    result = {}
    for party in parties:
        # The port's own staff see their port's undetermined misses, as AQMD does.
        sees_undetermined = policy.can(
            viewer, policy.Action.DEFAULT_VIEW_UNDETERMINED, Default(party=party)
        )

        def n(status: str, party_id: int = party.pk) -> int:
            return counts.get((party_id, status), (0, 0))[0]

        def confirmed(status: str, party_id: int = party.pk) -> int:
            return counts.get((party_id, status), (0, 0))[1]

        result[party.pk] = Determinations(
            confirmed=n(DefaultStatus.CONFIRMED),
            flagged=n(DefaultStatus.FLAGGED) if sees_undetermined else None,
            dismissed=n(DefaultStatus.DISMISSED) if sees_undetermined else None,
            withdrawn=n(DefaultStatus.WITHDRAWN)
            if sees_undetermined
            else confirmed(DefaultStatus.WITHDRAWN),
        )
    return result


def cost_recovery(*, parties: list[Party]) -> dict[int, PortBalance]:
    balances = {b.code: b for b in balances_by_port(all_ports=True)}
    return {
        p.pk: balances.get(p.code)
        or PortBalance(code=p.code, name=p.name, invoiced=ZERO, paid=ZERO)
        for p in parties
    }


def has_illustrative_invoices(*, parties: list[Party]) -> bool:
    """Whether demo invoices (invented amounts) are counted: the report says so."""
    return Invoice.objects.filter(party__in=parties, is_illustrative=True).exists()


def plan_status(*, parties: list[Party], now: dt.datetime) -> dict[int, list[Any]]:
    """Per port, one row per phase: the status of the latest submitted plan version."""
    return plan_selectors.plan_status_at(parties=parties, cutoff=now)
