"""What each role's home page shows, asked of the policy and built from each app's selectors.

Each panel is None when the user's role does not see it, so the template shows only what
applies.  The number of queries does not grow with the number of rows (pinned in tests).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum
from django.utils import timezone

from accounts import policy
from accounts.policy import Action
from agreement import selectors as agreement_selectors
from agreement import withdrawal
from agreement.models import Milestone, WithdrawalNotice
from agreement.selectors import DueItem, DueWindow
from penalties import selectors as penalty_selectors
from penalties.models import Default, Penalty, PenaltyStatus
from penalties.selectors import FundTotals, PenaltyLedgerLine
from plans import selectors as plan_selectors
from plans.models import PlanVersion
from plans.selectors import OwedPlan
from reports.models import ReportRun, ReportStatus
from reports.selectors import report_runs_visible_to

REVIEW_QUEUE_PREVIEW = 5
LATEST_REPORTS = 5
DETERMINATION_PREVIEW = 10
PROVISIONAL_LOOKAHEAD_DAYS = 60


@dataclass(frozen=True)
class PendingRequests:
    extensions: int
    flexibility_claims: int
    completion_reports: int
    target_actuals: int = 0

    @property
    def total(self) -> int:
        return (
            self.extensions
            + self.flexibility_claims
            + self.completion_reports
            + self.target_actuals
        )


@dataclass(frozen=True)
class AwaitingPayment:
    count: int
    amount: Decimal


@dataclass(frozen=True)
class Dashboard:
    upcoming: DueWindow
    overdue: list[DueItem]
    overdue_count: int = 0
    plans: list[OwedPlan] | None = None
    review_queue: list[PlanVersion] | None = None
    review_queue_count: int = 0
    pending_requests: PendingRequests | None = None
    penalty_ledger: list[PenaltyLedgerLine] | None = None
    awaiting_payment: AwaitingPayment | None = None
    fund: FundTotals | None = None
    latest_reports: list[ReportRun] | None = None
    # AQMD's task: flagged defaults to determine (port staff: their own, awaiting AQMD).
    awaiting_determination: list[Default] | None = None
    awaiting_determination_count: int = 0
    # AQMD administrators: provisional due dates coming up, to confirm or correct in time.
    provisional_ahead: list[Milestone] | None = None
    # Every role: a standing notice of withdrawal, and the date the agreement ended.
    withdrawal: WithdrawalNotice | None = None
    ended_on: dt.date | None = None


def _pending_requests(user: Any) -> PendingRequests:
    counts = {
        kind: penalty_selectors.requests_visible_to(user, kind).filter(status="pending").count()
        for kind in ("extension", "flexibility", "completion", "target_actual")
    }
    return PendingRequests(
        extensions=counts["extension"],
        flexibility_claims=counts["flexibility"],
        completion_reports=counts["completion"],
        target_actuals=counts["target_actual"],
    )


def _awaiting_payment() -> AwaitingPayment:
    due = Penalty.objects.filter(
        status__in=[PenaltyStatus.ASSESSED, PenaltyStatus.NOTICE_SENT]
    ).aggregate(count=Count("id"), amount=Sum("amount"))
    return AwaitingPayment(count=due["count"], amount=due["amount"] or Decimal("0.00"))


def dashboard_for(*, user: Any, now: dt.datetime | None = None) -> Dashboard:
    """The panels ``user`` sees on the home page."""
    now = now or timezone.now()
    panels: dict[str, Any] = {
        "upcoming": agreement_selectors.milestones_due_within(user=user, now=now),
        "overdue": agreement_selectors.milestones_overdue(user=user, now=now),
    }
    notice = withdrawal.standing_withdrawal()
    if notice is not None:
        panels["withdrawal"] = notice
        panels["ended_on"] = withdrawal.ended_on_by(notice, now)
    # Counted always (not only when the panel is full), so the page's queries are the same
    # whatever the data; the page links to the full list when it shows fewer.
    panels["overdue_count"] = agreement_selectors.overdue_milestones(user=user, now=now).count()
    if policy.can(user, Action.PLAN_VIEW):
        panels["plans"] = plan_selectors.plans_owed(user=user, now=now)
    if policy.can(user, Action.PLAN_REVIEW):
        queue = plan_selectors.review_queue()
        panels["review_queue"] = list(queue[:REVIEW_QUEUE_PREVIEW])
        panels["review_queue_count"] = queue.count()
    if policy.can(user, Action.EXTENSION_DECIDE) or policy.can(user, Action.EXTENSION_REQUEST):
        panels["pending_requests"] = _pending_requests(user)
    if policy.can(user, Action.DEFAULT_VIEW_UNDETERMINED):
        flagged = penalty_selectors.defaults_awaiting_determination(user)
        panels["awaiting_determination"] = list(flagged[:DETERMINATION_PREVIEW])
        panels["awaiting_determination_count"] = flagged.count()
    if policy.can(user, Action.MILESTONE_CHANGE_DUE_DATE):
        panels["provisional_ahead"] = list(
            agreement_selectors.provisional_due_dates_ahead(
                now=now, days=PROVISIONAL_LOOKAHEAD_DAYS
            )
        )
    if policy.can(user, Action.DEFAULT_VIEW):
        panels["penalty_ledger"] = penalty_selectors.penalty_ledger(user)
    if policy.can(user, Action.PENALTY_RECORD_PAYMENT):
        panels["awaiting_payment"] = _awaiting_payment()
    if policy.can(user, Action.FUND_VIEW) and policy.port_scope(user) is None:
        panels["fund"] = penalty_selectors.fund_totals()
    if policy.can(user, Action.REPORT_VIEW):
        runs = report_runs_visible_to(user).filter(status=ReportStatus.READY)
        panels["latest_reports"] = list(runs.order_by("-year", "-requested_at")[:LATEST_REPORTS])
    return Dashboard(**panels)
