"""Illustrative demo data for ``make run`` (idempotent; every item is labelled as such).

A few project milestones (missed within and outside the port's control, and upcoming), the
sweep run over them (it flags the misses), AQMD's determination of the oldest (confirmed:
its penalty paid) while the other waits for AQMD, a completion report awaiting
verification, and one community disbursement, so every screen has something to show.
Dates are relative to the first run.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from agreement import deadlines
from agreement.models import Milestone, MilestoneKind, Party

from .determinations import default_determine
from .milestone_requests import request_file
from .models import CompletionReport, Default, DefaultStatus, FundEntry, Penalty, PenaltyStatus
from .services import fund_disburse, penalty_mark_notice_sent, penalty_record_payment
from .sweep import sweep_deadlines

LABEL = "Illustrative demo"


def _milestone(port: str, title: str, days_from_today: int, *, in_control: bool = True) -> None:
    today = deadlines.pacific_today()
    Milestone.objects.get_or_create(
        party=Party.objects.get(code=port),
        kind=MilestoneKind.PROJECT,
        title=f"{LABEL}: {title}",
        defaults={
            "due_date": today + dt.timedelta(days=days_from_today),
            "within_port_control": in_control,
        },
    )


def seed_penalties_demo() -> None:
    """Create the demo milestones, flag the misses, confirm one (paid), leave one for AQMD,
    file a completion report, disburse once."""
    with transaction.atomic():
        _milestone("POLA", "Terminal charging depot energized", -40)
        _milestone("POLA", "Drayage charging plaza permits issued", -12)
        _milestone("POLB", "Utility grid interconnection", -20, in_control=False)
        _milestone("POLB", "Shore power at berth 5", 25)
        _milestone("POLB", "Battery-electric yard tractor chargers commissioned", 70)
        _milestone("POLA", "Hydrogen fueling station groundbreaking", 55)
    now = timezone.now()
    sweep_deadlines(now)
    admin = User.objects.filter(username="aqmd.admin").first()
    reviewer = User.objects.filter(username="aqmd.reviewer").first()
    oldest = (
        Default.objects.filter(milestone__title__startswith=LABEL)
        .order_by("due_date", "pk")
        .first()
    )
    if reviewer is not None and oldest is not None and oldest.status == DefaultStatus.FLAGGED:
        default_determine(
            default=oldest,
            decision=DefaultStatus.CONFIRMED,
            reason=f"{LABEL}: the depot was not energized by its date; no claim was filed.",
            actor=reviewer,
        )
    _demo_completion_report(now)
    first = (
        Penalty.objects.filter(default__milestone__title__startswith=LABEL)
        .order_by("default__due_date")
        .first()
    )
    if admin is None or first is None:
        return
    with transaction.atomic():
        if first.status == PenaltyStatus.ASSESSED:
            penalty_mark_notice_sent(penalty=first, now=now)
        if first.status == PenaltyStatus.NOTICE_SENT:
            penalty_record_payment(
                penalty=first, paid_at=now, reference=f"{LABEL} check 0001", actor=admin
            )
        if not FundEntry.objects.filter(project_name__startswith=LABEL).exists():
            fund_disburse(
                amount=Decimal("20000.00"),
                occurred_on=deadlines.pacific_today(now),
                project_name=f"{LABEL}: Wilmington school air filtration",
                community="Wilmington",
                description=f"{LABEL} entry.",
                actor=admin,
            )


def _demo_completion_report(now: dt.datetime) -> None:
    """POLB reports the shore power milestone done; it waits for AQMD to verify it."""
    staff = User.objects.filter(username="polb.staff").first()
    milestone = Milestone.objects.filter(
        title=f"{LABEL}: Shore power at berth 5", status="open"
    ).first()
    if staff is None or milestone is None:
        return
    if CompletionReport.objects.filter(milestone=milestone).exists():
        return
    request_file(
        kind="completion",
        milestone=milestone,
        reason=f"{LABEL}: shore power at berth 5 commissioned and tested with the first vessel.",
        completed_on=deadlines.pacific_today(now),
        actor=staff,
    )
