"""The columns of the defaults, penalties and fund ledger downloads (CSV or XLSX), shared
by the pages and the API.  Money stays a ``Decimal``: CSV writes "50000.00", XLSX a number
cell with two decimals."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from core.exports import Column


def _penalty_of(default: Any) -> Any:
    """The default's penalty, or None (only a confirmed default has one)."""
    return getattr(default, "penalty", None)


DEFAULT_COLUMNS = [
    Column(_("ID"), lambda d: d.pk),
    Column(_("Port"), lambda d: d.party.code),
    Column(_("Default number"), lambda d: d.ordinal),
    Column(_("Milestone"), lambda d: d.milestone.title),
    Column(_("Missed due date (Pacific)"), lambda d: d.due_date),
    Column(_("Status"), lambda d: d.get_status_display()),
    Column(_("Flagged at"), lambda d: d.detected_at),
    Column(_("Confirmed at"), lambda d: d.confirmed_at),
    Column(_("Dismissed at"), lambda d: d.dismissed_at),
    Column(_("Reason for the determination"), lambda d: d.determination_reason),
    Column(_("Withdrawn at"), lambda d: d.withdrawn_at),
    Column(_("Cured"), lambda d: d.is_cured),
    Column(_("Cured at"), lambda d: d.cured_at),
    Column(_("Penalty (USD)"), lambda d: p.amount if (p := _penalty_of(d)) else None),
    Column(
        _("Penalty status"), lambda d: p.get_status_display() if (p := _penalty_of(d)) else None
    ),
    Column(_("Proposed penalty (USD)"), lambda d: d.proposed_amount),
    Column(
        _("From a provisional schedule"),
        lambda d: p.is_provisional if (p := _penalty_of(d)) else d.proposal_is_provisional,
    ),
]

PENALTY_COLUMNS = [
    Column(_("ID"), lambda p: p.pk),
    Column(_("Port"), lambda p: p.party.code),
    Column(_("Default ID"), lambda p: p.default_id),
    Column(_("Milestone"), lambda p: p.default.milestone.title),
    Column(_("Amount (USD)"), lambda p: p.amount),
    Column(_("Tier (from default number)"), lambda p: p.tier_ordinal),
    Column(_("From a provisional schedule"), lambda p: p.is_provisional),
    Column(_("Status"), lambda p: p.get_status_display()),
    Column(_("Assessed at"), lambda p: p.assessed_at),
    Column(_("Notice sent at"), lambda p: p.notice_sent_at),
    Column(_("Paid at"), lambda p: p.paid_at),
    Column(_("Payment reference"), lambda p: p.payment_reference),
    Column(_("Waived at"), lambda p: p.waived_at),
    Column(_("Reason for the waiver"), lambda p: p.waiver_reason),
    Column(_("Withdrawn at"), lambda p: p.withdrawn_at),
]

FUND_ENTRY_COLUMNS = [
    Column(_("ID"), lambda e: e.pk),
    Column(_("Date (Pacific)"), lambda e: e.occurred_on),
    Column(_("Kind"), lambda e: e.get_kind_display()),
    Column(_("Port"), lambda e: e.party.code if e.party else None),
    Column(_("Penalty ID"), lambda e: e.penalty_id),
    Column(_("Community project"), lambda e: e.project_name),
    Column(_("Near-port community"), lambda e: e.community),
    Column(_("Description"), lambda e: e.description),
    Column(_("Amount (USD)"), lambda e: e.amount),
    Column(_("Balance after (USD)"), lambda e: e.balance_after),
]
