"""Defaults, penalties, extension and flexibility requests, the Clean Air Mitigation Fund and
the log of notices sent.

* :func:`counts_as_default` says which missed milestones are defaults (the agreement's rule).
* The deadline sweep (``penalties/sweep.py``) records one :class:`Default` per missed milestone
  (the database refuses a second) and assesses its :class:`Penalty` from the
  :class:`PenaltySchedule` in force, by the default's ordinal for that port.
* Every workflow has one transition table here; the services in ``penalties/services.py`` and
  ``penalties/flexibility.py`` check it.
* Nothing is deleted: withdrawn defaults, withdrawn penalties, refused requests stay on record.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agreement.models import Milestone, MilestoneKind, MilestoneStatus, Party

# The agreement's range per default; the database refuses anything outside it.
PENALTY_MIN = Decimal("50000.00")
PENALTY_MAX = Decimal("200000.00")


class PenaltyScheduleQuerySet(models.QuerySet["PenaltySchedule"]):
    def in_force(self, on: dt.date) -> PenaltySchedule | None:
        """The schedule in force on a date: the latest one effective on or before it."""
        return (
            self.filter(effective_from__lte=on)
            .order_by("-effective_from", "-id")
            .prefetch_related("tiers")
            .first()
        )


class PenaltySchedule(models.Model):
    """How much a port's n-th default costs.  A penalty records the schedule it used."""

    name = models.CharField(_("name"), max_length=200)
    effective_from = models.DateField(_("effective from"))
    is_provisional = models.BooleanField(
        _("provisional"),
        default=True,
        help_text=_("The public record does not say how the amount is chosen."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = PenaltyScheduleQuerySet.as_manager()

    class Meta:
        verbose_name = _("penalty schedule")
        verbose_name_plural = _("penalty schedules")
        ordering = ["-effective_from", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["effective_from"], name="one_schedule_per_start_date")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.effective_from})"

    def amount_for(self, ordinal: int) -> Decimal:
        """The penalty for a port's ``ordinal``-th default (1-based).

        The tier with the greatest ordinal not above ``ordinal`` applies, so the last tier
        covers every later default ("3rd and later").
        """
        return self.tier_for(ordinal).amount

    def tier_for(self, ordinal: int) -> PenaltyTier:
        """The tier that applies to a port's ``ordinal``-th default (see :meth:`amount_for`)."""
        if ordinal < 1:
            raise ValueError("Default ordinals start at 1.")
        applicable = [t for t in self.tiers.all() if t.default_ordinal <= ordinal]
        if not applicable:
            raise ValueError(f"Schedule {self.pk} has no tier for default #{ordinal}.")
        return max(applicable, key=lambda t: t.default_ordinal)


class PenaltyTier(models.Model):
    schedule = models.ForeignKey(PenaltySchedule, on_delete=models.PROTECT, related_name="tiers")
    default_ordinal = models.PositiveSmallIntegerField(
        _("from default number"), help_text=_("Applies to this default of a port and later ones.")
    )
    amount = models.DecimalField(
        _("amount (USD)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(PENALTY_MIN), MaxValueValidator(PENALTY_MAX)],
    )

    class Meta:
        verbose_name = _("penalty tier")
        verbose_name_plural = _("penalty tiers")
        ordering = ["schedule", "default_ordinal"]
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "default_ordinal"], name="one_tier_per_ordinal"
            ),
            models.CheckConstraint(
                name="tier_ordinal_positive", condition=Q(default_ordinal__gte=1)
            ),
            models.CheckConstraint(
                name="tier_amount_within_agreement_range",
                condition=Q(amount__gte=PENALTY_MIN) & Q(amount__lte=PENALTY_MAX),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.default_ordinal}+: ${self.amount:,.2f}"


# --- Which misses are defaults -------------------------------------------------------------

DEFAULTING_PLAN_KINDS = (MilestoneKind.DRAFT_PLAN, MilestoneKind.FINAL_PLAN)


def counts_as_default(milestone: Milestone) -> bool:
    """Whether missing ``milestone`` is a default under the agreement.

    A port defaults when it misses a plan-development deadline (draft or approved plan) or
    fails to complete a project milestone that is within its control.  A missed annual
    report, or a project milestone outside the port's control, is shown as late and gets an
    overdue notice, but is not a default.  :func:`default_milestones_q` is the same rule as a
    query filter; keep the two together.
    """
    if milestone.kind in DEFAULTING_PLAN_KINDS:
        return True
    return milestone.kind == MilestoneKind.PROJECT and milestone.within_port_control


def default_milestones_q() -> Q:
    """:func:`counts_as_default` as a filter on milestones."""
    return Q(kind__in=DEFAULTING_PLAN_KINDS) | Q(
        kind=MilestoneKind.PROJECT, within_port_control=True
    )


# --- Defaults and penalties ----------------------------------------------------------------


class DefaultStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    WITHDRAWN = "withdrawn", _("Withdrawn (flexibility claim accepted)")


class DefaultQuerySet(models.QuerySet["Default"]):
    def active(self) -> DefaultQuerySet:
        return self.filter(status=DefaultStatus.ACTIVE)


class Default(models.Model):
    """A missed milestone that is a default.  One per milestone: the database refuses a second.

    ``ordinal`` is the default's place among its port's active (not withdrawn) defaults when
    it was assessed; it chose the penalty tier and never changes afterwards.
    """

    milestone = models.OneToOneField(
        Milestone, verbose_name=_("milestone"), on_delete=models.PROTECT, related_name="default"
    )
    party = models.ForeignKey(
        Party, verbose_name=_("port"), on_delete=models.PROTECT, related_name="defaults"
    )
    ordinal = models.PositiveSmallIntegerField(_("default number for the port"))
    due_date = models.DateField(_("missed due date"))
    status = models.CharField(
        _("status"), max_length=20, choices=DefaultStatus.choices, default=DefaultStatus.ACTIVE
    )
    detected_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    objects = DefaultQuerySet.as_manager()

    class Meta:
        verbose_name = _("default")
        verbose_name_plural = _("defaults")
        ordering = ["-detected_at", "-id"]
        constraints = [
            models.CheckConstraint(name="default_ordinal_positive", condition=Q(ordinal__gte=1)),
            models.CheckConstraint(
                name="withdrawn_default_has_time",
                condition=Q(status="active", withdrawn_at__isnull=True)
                | Q(status="withdrawn", withdrawn_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return _("Default #%(n)s of %(port)s: %(milestone)s") % {
            "n": self.ordinal,
            "port": self.party.code,
            "milestone": self.milestone.title,
        }

    @property
    def cured_at(self) -> dt.datetime | None:
        """When the port met the milestone late; None while it is still unmet.

        A cured default stays a default (its penalty stands); pages show it as cured.
        """
        if self.milestone.status == MilestoneStatus.MET:
            return self.milestone.completed_at
        return None

    @property
    def is_cured(self) -> bool:
        return self.cured_at is not None

    def is_withdrawn_at(self, moment: dt.datetime) -> bool:
        return self.withdrawn_at is not None and self.withdrawn_at <= moment

    def cured_by(self, moment: dt.datetime) -> dt.datetime | None:
        """:attr:`cured_at` if the milestone was met by ``moment``, else None."""
        cured = self.cured_at
        return cured if cured is not None and cured <= moment else None


class PenaltyStatus(models.TextChoices):
    ASSESSED = "assessed", _("Assessed")
    NOTICE_SENT = "notice_sent", _("Notice sent")
    PAID = "paid", _("Paid")
    WAIVED = "waived", _("Waived")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# The penalty workflow: the one table that says which change is allowed from where.
PENALTY_TRANSITIONS: dict[str, frozenset[str]] = {
    PenaltyStatus.ASSESSED: frozenset(
        {PenaltyStatus.NOTICE_SENT, PenaltyStatus.WAIVED, PenaltyStatus.WITHDRAWN}
    ),
    PenaltyStatus.NOTICE_SENT: frozenset(
        {PenaltyStatus.PAID, PenaltyStatus.WAIVED, PenaltyStatus.WITHDRAWN}
    ),
    PenaltyStatus.PAID: frozenset(),
    PenaltyStatus.WAIVED: frozenset(),
    PenaltyStatus.WITHDRAWN: frozenset(),
}


class PenaltyQuerySet(models.QuerySet["Penalty"]):
    def for_port(self, party_id: int | None) -> PenaltyQuerySet:
        return self if party_id is None else self.filter(party_id=party_id)


class Penalty(models.Model):
    """The amount a default costs, from the schedule in force when it was assessed."""

    default = models.OneToOneField(
        Default, verbose_name=_("default"), on_delete=models.PROTECT, related_name="penalty"
    )
    party = models.ForeignKey(
        Party, verbose_name=_("port"), on_delete=models.PROTECT, related_name="penalties"
    )
    amount = models.DecimalField(_("amount (USD)"), max_digits=12, decimal_places=2)
    schedule = models.ForeignKey(
        PenaltySchedule,
        verbose_name=_("schedule applied"),
        on_delete=models.PROTECT,
        related_name="penalties",
    )
    tier_ordinal = models.PositiveSmallIntegerField(_("tier applied (from default number)"))
    status = models.CharField(
        _("status"), max_length=20, choices=PenaltyStatus.choices, default=PenaltyStatus.ASSESSED
    )
    assessed_at = models.DateTimeField(_("assessed at"), default=timezone.now)
    notice_sent_at = models.DateTimeField(_("notice sent at"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=100, blank=True)
    waived_at = models.DateTimeField(_("waived at"), null=True, blank=True)
    waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("waived by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    waiver_reason = models.TextField(_("reason for the waiver"), blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    objects = PenaltyQuerySet.as_manager()

    class Meta:
        verbose_name = _("penalty")
        verbose_name_plural = _("penalties")
        ordering = ["-assessed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="penalty_amount_within_agreement_range",
                condition=Q(amount__gte=PENALTY_MIN) & Q(amount__lte=PENALTY_MAX),
            ),
            models.CheckConstraint(
                name="paid_penalty_has_time_and_reference",
                condition=~Q(status="paid") | (Q(paid_at__isnull=False) & ~Q(payment_reference="")),
            ),
            models.CheckConstraint(
                name="waived_penalty_has_reason",
                condition=~Q(status="waived") | (Q(waived_at__isnull=False) & ~Q(waiver_reason="")),
            ),
        ]

    def __str__(self) -> str:
        return _("Penalty of $%(amount)s for %(default)s") % {
            "amount": f"{self.amount:,.2f}",
            "default": self.default,
        }

    def can_become(self, status: str) -> bool:
        return status in PENALTY_TRANSITIONS[self.status]

    def status_at(self, moment: dt.datetime) -> str | None:
        """The penalty's status at ``moment`` from its timestamps; None if it was not
        assessed by then.

        A payment counts from when it was recorded: the fund receipt's ``entered_at``
        (written in the same transaction), not ``paid_at``, which is the payment's own date
        and may be earlier.  Load ``fund_receipt`` with ``select_related``.
        """
        if self.assessed_at > moment:
            return None
        if self.withdrawn_at is not None and self.withdrawn_at <= moment:
            return PenaltyStatus.WITHDRAWN
        if self.waived_at is not None and self.waived_at <= moment:
            return PenaltyStatus.WAIVED
        try:
            receipt: FundEntry | None = self.fund_receipt
        except FundEntry.DoesNotExist:
            receipt = None
        recorded = receipt.entered_at if receipt is not None else self.paid_at
        if self.status == PenaltyStatus.PAID and recorded is not None and recorded <= moment:
            return PenaltyStatus.PAID
        if self.notice_sent_at is not None and self.notice_sent_at <= moment:
            return PenaltyStatus.NOTICE_SENT
        return PenaltyStatus.ASSESSED


# --- Extension and flexibility requests ----------------------------------------------------


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")


class ClaimStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


# Decisions: a pending request is decided once, either way.
EXTENSION_TRANSITIONS: dict[str, frozenset[str]] = {
    RequestStatus.PENDING: frozenset({RequestStatus.GRANTED, RequestStatus.REFUSED}),
    RequestStatus.GRANTED: frozenset(),
    RequestStatus.REFUSED: frozenset(),
}
FLEXIBILITY_TRANSITIONS: dict[str, frozenset[str]] = {
    ClaimStatus.PENDING: frozenset({ClaimStatus.ACCEPTED, ClaimStatus.REJECTED}),
    ClaimStatus.ACCEPTED: frozenset(),
    ClaimStatus.REJECTED: frozenset(),
}


class ExtensionRequest(models.Model):
    """A port asks, before the due date, to move it; an AQMD reviewer grants or refuses."""

    milestone = models.ForeignKey(
        Milestone,
        verbose_name=_("milestone"),
        on_delete=models.PROTECT,
        related_name="extension_requests",
    )
    party = models.ForeignKey(Party, verbose_name=_("port"), on_delete=models.PROTECT)
    current_due_date = models.DateField(_("due date when asked"))
    requested_due_date = models.DateField(_("requested new due date"))
    reason = models.TextField(_("reason"))
    documents = models.ManyToManyField(
        "core.Document", verbose_name=_("documents"), blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["milestone"],
                condition=Q(status="pending"),
                name="one_pending_extension_per_milestone",
            ),
            models.CheckConstraint(
                name="extension_moves_date_later",
                condition=Q(requested_due_date__gt=models.F("current_due_date")),
            ),
            models.CheckConstraint(name="extension_has_reason", condition=~Q(reason="")),
            models.CheckConstraint(
                name="decided_extension_has_decider",
                condition=Q(status="pending")
                | (Q(decided_by__isnull=False) & Q(decided_at__isnull=False)),
            ),
        ]

    def __str__(self) -> str:
        return _("Extension of %(milestone)s to %(date)s") % {
            "milestone": self.milestone,
            "date": self.requested_due_date,
        }


class FlexibilityClaim(models.Model):
    """A port claims a missed project milestone was outside its control; AQMD decides.

    Accepted: the milestone is excused and its default and penalty are withdrawn (all kept
    on record).  Rejected: nothing else changes.
    """

    milestone = models.ForeignKey(
        Milestone,
        verbose_name=_("milestone"),
        on_delete=models.PROTECT,
        related_name="flexibility_claims",
    )
    party = models.ForeignKey(Party, verbose_name=_("port"), on_delete=models.PROTECT)
    reason = models.TextField(_("why it was outside the port's control"))
    documents = models.ManyToManyField(
        "core.Document", verbose_name=_("evidence"), blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ClaimStatus.choices, default=ClaimStatus.PENDING
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    filed_at = models.DateTimeField(_("filed at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        verbose_name = _("flexibility claim")
        verbose_name_plural = _("flexibility claims")
        ordering = ["-filed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["milestone"],
                condition=Q(status="pending"),
                name="one_pending_claim_per_milestone",
            ),
            models.CheckConstraint(name="claim_has_reason", condition=~Q(reason="")),
            models.CheckConstraint(
                name="decided_claim_has_decider",
                condition=Q(status="pending")
                | (Q(decided_by__isnull=False) & Q(decided_at__isnull=False)),
            ),
        ]

    def __str__(self) -> str:
        return _("Flexibility claim for %(milestone)s") % {"milestone": self.milestone}


# --- Clean Air Mitigation Fund -------------------------------------------------------------


class MitigationFund(models.Model):
    """The one row holding the fund's balance.  Every ledger entry locks it (select_for_update)
    and the database refuses a negative balance, so concurrent disbursements cannot overdraw.
    """

    balance = models.DecimalField(
        _("balance (USD)"), max_digits=14, decimal_places=2, default=Decimal("0.00")
    )

    class Meta:
        verbose_name = _("Clean Air Mitigation Fund")
        verbose_name_plural = _("Clean Air Mitigation Fund")
        constraints = [
            models.CheckConstraint(name="fund_balance_never_negative", condition=Q(balance__gte=0))
        ]

    def __str__(self) -> str:
        return str(_("Clean Air Mitigation Fund"))


class FundEntryKind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt (penalty paid)")
    DISBURSEMENT = "disbursement", _("Disbursement (community project)")


class FundEntry(models.Model):
    """One line of the fund's ledger.  Never edited or removed; ``balance_after`` is the
    running balance the entry left, checked by the database to be zero or more."""

    kind = models.CharField(_("kind"), max_length=20, choices=FundEntryKind.choices)
    amount = models.DecimalField(_("amount (USD)"), max_digits=12, decimal_places=2)
    balance_after = models.DecimalField(_("balance after (USD)"), max_digits=14, decimal_places=2)
    occurred_on = models.DateField(_("date (Pacific)"))
    penalty = models.OneToOneField(
        Penalty,
        verbose_name=_("penalty paid"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fund_receipt",
    )
    party = models.ForeignKey(
        Party,
        verbose_name=_("paying port"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    project_name = models.CharField(_("community project"), max_length=200, blank=True)
    community = models.CharField(
        _("near-port community"),
        max_length=100,
        blank=True,
        help_text=_("For example Wilmington, San Pedro or West Long Beach."),
    )
    description = models.TextField(_("description"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now)

    class Meta:
        verbose_name = _("fund ledger entry")
        verbose_name_plural = _("fund ledger entries")
        ordering = ["entered_at", "id"]
        constraints = [
            models.CheckConstraint(name="fund_entry_amount_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(
                name="fund_entry_balance_never_negative", condition=Q(balance_after__gte=0)
            ),
            models.CheckConstraint(
                name="receipt_is_a_paid_penalty_of_a_port",
                condition=~Q(kind="receipt") | (Q(penalty__isnull=False) & Q(party__isnull=False)),
            ),
            models.CheckConstraint(
                name="disbursement_names_a_community_project",
                condition=~Q(kind="disbursement")
                | (Q(penalty__isnull=True) & ~Q(project_name="") & ~Q(community="")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_on} {self.get_kind_display()} ${self.amount:,.2f}"


# --- Notices and reminders -----------------------------------------------------------------


class NoticeKind(models.TextChoices):
    REMINDER_60 = "reminder_60", _("Reminder: 60 days left")
    REMINDER_30 = "reminder_30", _("Reminder: 30 days left")
    REMINDER_7 = "reminder_7", _("Reminder: 7 days left")
    REMINDER_1 = "reminder_1", _("Reminder: 1 day left")
    OVERDUE = "overdue", _("Overdue notice")
    DEFAULT = "default", _("Notice of default")


class Notice(models.Model):
    """An email about a milestone, recorded before it is sent.

    The unique (milestone, kind, due date) makes each reminder and notice happen at most
    once, even when jobs rerun or run concurrently; a moved due date gets new reminders.
    ``sent_at`` is set when the message is claimed for sending.
    """

    milestone = models.ForeignKey(
        Milestone, verbose_name=_("milestone"), on_delete=models.PROTECT, related_name="notices"
    )
    party = models.ForeignKey(Party, verbose_name=_("port"), on_delete=models.PROTECT)
    kind = models.CharField(_("kind"), max_length=20, choices=NoticeKind.choices)
    due_date = models.DateField(_("due date"))
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    recipients = models.TextField(_("recipients"), blank=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["milestone", "kind", "due_date"], name="one_notice_per_milestone_kind_due"
            )
        ]
        indexes = [
            # The reminder job retries notices that were recorded but not sent.
            models.Index(
                fields=["created_at"], condition=Q(sent_at__isnull=True), name="notice_unsent_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.milestone}"
