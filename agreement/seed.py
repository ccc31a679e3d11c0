"""The agreement's seeded terms (../shared/AGREEMENT.md), loaded idempotently.

Rows are found by their natural keys and created only when missing: re-running never
duplicates a row and never overwrites a value an administrator has since edited.  Every date
the public record does not fix is marked provisional.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from penalties.models import PenaltySchedule, PenaltyTier

from .models import (
    Agreement,
    AgreementTerm,
    Approval,
    EmissionCategory,
    Milestone,
    MilestoneKind,
    Party,
    PartyKind,
    Phase,
    RulemakingPause,
    TermKey,
)

AGREEMENT_TITLE = "Cooperative Agreement on Zero-Emission Infrastructure at the San Pedro Bay Ports"

PARTIES = [
    ("AQMD", "South Coast Air Quality Management District", PartyKind.REGULATOR, "Governing Board"),
    ("POLA", "Port of Los Angeles", PartyKind.PORT, "Board of Harbor Commissioners"),
    ("POLB", "Port of Long Beach", PartyKind.PORT, "Board of Harbor Commissioners"),
]

APPROVALS = [
    ("AQMD", "South Coast AQMD Governing Board", dt.date(2025, 11, 7), "9-1"),
    ("POLB", "Long Beach Board of Harbor Commissioners", dt.date(2025, 11, 10), "unanimous"),
    ("POLA", "Los Angeles Board of Harbor Commissioners", dt.date(2025, 11, 20), "unanimous"),
]


@dataclass(frozen=True)
class PhaseSeed:
    number: int
    title: str
    categories: list[tuple[str, str]]
    draft_due: dt.date
    draft_provisional: bool
    final_due: dt.date


PHASES = [
    PhaseSeed(
        1,
        "Container terminal equipment and drayage trucks",
        [
            ("che_container", "Cargo handling equipment at container terminals"),
            ("drayage", "Drayage trucks"),
        ],
        # Public record: "May 2027"; the day is not public.
        dt.date(2027, 5, 31),
        True,
        dt.date(2027, 12, 31),
    ),
    PhaseSeed(
        2,
        "Non-container terminal equipment, switcher locomotives and harbor craft",
        [
            ("che_noncontainer", "Cargo handling equipment at non-container terminals"),
            ("switcher_locomotives", "Local switcher locomotives"),
            ("harbor_craft", "Harbor craft"),
        ],
        dt.date(2028, 5, 31),  # not public: placeholder
        True,
        dt.date(2028, 12, 31),
    ),
    PhaseSeed(
        3,
        "Ocean-going vessels",
        [("ogv", "Ocean-going vessels")],
        dt.date(2029, 5, 31),  # not public: placeholder
        True,
        dt.date(2029, 12, 31),
    ),
]

# Annual reports: content and due dates are not public; seed March 31 of the next year.
ANNUAL_REPORT_YEARS = range(2026, 2031)

TERMS = [
    (TermKey.REVIEW_PERIOD, 60, "Not public: placeholder until AQMD confirms."),
    (TermKey.RESUBMISSION_WINDOW, 60, "Not public: placeholder until AQMD confirms."),
]

# Seed escalation; how the amount within $50,000..$200,000 is chosen is not public.
PENALTY_TIERS = [(1, Decimal("50000.00")), (2, Decimal("100000.00")), (3, Decimal("200000.00"))]
PENALTY_SCHEDULE_START = dt.date(2025, 11, 20)

# AQMD paused port indirect-source rulemaking for 5 years from its approval (2025-11-07).
RULEMAKING_PAUSE_RULE = "Proposed Rule 2304 (port indirect-source rule)"
RULEMAKING_PAUSE_START = dt.date(2025, 11, 7)


def _years_later(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@transaction.atomic
def seed_agreement() -> Agreement:
    """Create whatever of the agreement's seeded terms is missing; return the agreement."""
    parties = {}
    for code, name, kind, body in PARTIES:
        parties[code], _ = Party.objects.get_or_create(
            code=code, defaults={"name": name, "kind": kind, "governing_body": body}
        )
    agreement, _ = Agreement.objects.get_or_create(
        title=AGREEMENT_TITLE,
        defaults={"withdrawal_notice_days": 45, "rulemaking_pause_years": 5},
    )
    for code, body, approved_on, vote in APPROVALS:
        Approval.objects.get_or_create(
            agreement=agreement,
            party=parties[code],
            defaults={"body": body, "approved_on": approved_on, "vote": vote},
        )
    for key, days, note in TERMS:
        AgreementTerm.objects.get_or_create(
            agreement=agreement,
            key=key,
            defaults={"days": days, "is_provisional": True, "note": note},
        )
    RulemakingPause.objects.get_or_create(
        agreement=agreement,
        rule=RULEMAKING_PAUSE_RULE,
        defaults={
            "starts_on": RULEMAKING_PAUSE_START,
            "planned_end_on": _years_later(
                RULEMAKING_PAUSE_START, agreement.rulemaking_pause_years
            ),
            "note": "Ends early if the agreement ends; AQMD keeps its authority to resume.",
        },
    )
    ports = [parties["POLA"], parties["POLB"]]
    for seed in PHASES:
        phase, _ = Phase.objects.get_or_create(
            agreement=agreement, number=seed.number, defaults={"title": seed.title}
        )
        for order, (code, name) in enumerate(seed.categories):
            EmissionCategory.objects.get_or_create(
                code=code, defaults={"name": name, "phase": phase, "order": order}
            )
        plan_milestones = [
            (MilestoneKind.DRAFT_PLAN, "draft plan", seed.draft_due, seed.draft_provisional),
            (MilestoneKind.FINAL_PLAN, "approved plan", seed.final_due, False),
        ]
        for port in ports:
            for milestone_kind, what, due, provisional in plan_milestones:
                Milestone.objects.get_or_create(
                    party=port,
                    phase=phase,
                    kind=milestone_kind,
                    defaults={
                        "title": f"Phase {seed.number} {what}",
                        "due_date": due,
                        "is_provisional": provisional,
                    },
                )
    for year in ANNUAL_REPORT_YEARS:
        for port in ports:
            Milestone.objects.get_or_create(
                party=port,
                kind=MilestoneKind.ANNUAL_REPORT,
                reporting_year=year,
                defaults={
                    "title": f"Annual report {year}",
                    "due_date": dt.date(year + 1, 3, 31),
                    "is_provisional": True,
                },
            )
    schedule, created = PenaltySchedule.objects.get_or_create(
        effective_from=PENALTY_SCHEDULE_START,
        defaults={"name": "Seed escalation schedule", "is_provisional": True},
    )
    if created:
        PenaltyTier.objects.bulk_create(
            PenaltyTier(schedule=schedule, default_ordinal=n, amount=amount)
            for n, amount in PENALTY_TIERS
        )
    from reports.seed import seed_caap_targets

    seed_caap_targets()
    return agreement
