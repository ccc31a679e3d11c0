"""Defaults, penalties, the ports' requests on milestones, the Clean Air Mitigation Fund and
the log of notices sent.

* :func:`counts_as_default` says which missed milestones may be defaults (the agreement's rule).
* The deadline sweep (``penalties/sweep.py``) *flags* each missed milestone (one
  :class:`Default` per milestone and missed due date: the database refuses a second) with the
  penalty it would cost; AQMD's determination (``penalties/determinations.py``) confirms it,
  assessing its :class:`Penalty` from the :class:`PenaltySchedule` in force at the miss by the
  port's confirmed defaults, or dismisses it.
* Ports file :class:`MilestoneRequest` s (extension requests, flexibility claims, completion
  reports, and the actuals of their approved plans' targets) that AQMD decides
  (``penalties/milestone_requests.py``).
* Every stateful model declares its transition table here, once (:mod:`core.workflow`).
* Nothing is deleted: withdrawn defaults, withdrawn penalties, refused requests stay on record.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agreement.models import Milestone, MilestoneKind, MilestoneStatus, Party
from core.models import PortQuerySet, port_fk, status_field, status_known, user_fk
from core.workflow import can_move, decided_once, workflow

# The agreement's range per default; the database refuses anything outside it.
PENALTY_MIN = Decimal("50000.00")
PENALTY_MAX = Decimal("200000.00")


def milestone_fk(related_name: str) -> models.ForeignKey[Milestone, Milestone]:
    """The milestone a record is about (milestones are closed, never deleted)."""
    return models.ForeignKey(
        Milestone, verbose_name=_("milestone"), on_delete=models.PROTECT, related_name=related_name
    )


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
    created_by = user_fk(optional=True)

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
    FLAGGED = "flagged", _("Flagged: awaiting AQMD's determination")
    CONFIRMED = "confirmed", _("Confirmed by AQMD")
    DISMISSED = "dismissed", _("Dismissed by AQMD")
    WITHDRAWN = "withdrawn", _("Withdrawn (flexibility claim accepted)")


class DefaultQuerySet(models.QuerySet["Default"]):
    def confirmed(self) -> DefaultQuerySet:
        """Defaults AQMD confirmed that stand: they count toward a port's escalation."""
        return self.filter(status=DefaultStatus.CONFIRMED)

    def flagged(self) -> DefaultQuerySet:
        return self.filter(status=DefaultStatus.FLAGGED)

    def public(self) -> DefaultQuerySet:
        """What the public sees: defaults AQMD confirmed (withdrawn later ones too).

        A flagged default is a proposal, and a dismissed one never was a default.
        """
        return self.filter(confirmed_at__isnull=False)


def default_repr(ordinal: int | None, port_code: str, milestone_title: str) -> str:
    """A default as its ``str`` (and its audit events) name it; also for rows written as
    plain values (the deadline sweep's batches, flagged: no ordinal yet)."""
    if ordinal:
        return _("Default #%(n)s of %(port)s: %(milestone)s") % {
            "n": ordinal,
            "port": port_code,
            "milestone": milestone_title,
        }
    return _("Missed deadline of %(port)s: %(milestone)s") % {
        "port": port_code,
        "milestone": milestone_title,
    }


class Default(models.Model):
    """A missed milestone that may be a default: flagged by the sweep, determined by AQMD.

    The sweep *flags* a miss with the penalty it would cost (``proposed_*``, from the
    schedule in force at the miss and the port's confirmed defaults at that time).  Only
    AQMD's determination makes it a default: *confirmed* (the penalty is assessed, the notice
    of default goes out, it becomes public) or *dismissed* (no penalty; the reason is kept;
    never public).  An accepted flexibility claim *withdraws* it.  One per milestone and
    missed due date: the database refuses a second.

    ``ordinal`` is the default's place among its port's confirmed defaults when AQMD
    confirmed it; it chose the penalty tier and never changes afterwards.
    """

    milestone = milestone_fk("defaults")
    party = port_fk("defaults")
    due_date = models.DateField(_("missed due date"))
    status = status_field(DefaultStatus, default=DefaultStatus.FLAGGED)
    detected_at = models.DateTimeField(_("flagged at"), default=timezone.now)
    proposed_amount = models.DecimalField(
        _("proposed penalty (USD)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    proposed_schedule = models.ForeignKey(
        PenaltySchedule,
        verbose_name=_("schedule of the proposal"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    ordinal = models.PositiveSmallIntegerField(
        _("default number for the port"), null=True, blank=True
    )
    determined_by = user_fk(_("determined by"), optional=True)
    determination_reason = models.TextField(_("reason for the determination"), blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    dismissed_at = models.DateTimeField(_("dismissed at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    objects = DefaultQuerySet.as_manager()

    class Meta:
        verbose_name = _("default")
        verbose_name_plural = _("defaults")
        ordering = ["-detected_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["milestone", "due_date"], name="one_default_per_milestone_due_date"
            ),
            status_known("default_status_known", DefaultStatus),
            models.CheckConstraint(
                name="default_ordinal_positive",
                condition=Q(ordinal__isnull=True) | Q(ordinal__gte=1),
            ),
            models.CheckConstraint(
                name="flagged_default_undetermined",
                condition=~Q(status="flagged")
                | Q(
                    confirmed_at__isnull=True, dismissed_at__isnull=True, withdrawn_at__isnull=True
                ),
            ),
            models.CheckConstraint(
                name="confirmed_default_has_time_and_number",
                condition=~Q(status="confirmed")
                | Q(confirmed_at__isnull=False, ordinal__isnull=False, withdrawn_at__isnull=True),
            ),
            models.CheckConstraint(
                name="dismissed_default_has_time_and_reason",
                condition=~Q(status="dismissed")
                | (
                    Q(dismissed_at__isnull=False, confirmed_at__isnull=True)
                    & ~Q(determination_reason="")
                ),
            ),
            models.CheckConstraint(
                name="withdrawn_default_has_time",
                condition=~Q(status="withdrawn") | Q(withdrawn_at__isnull=False),
            ),
            models.CheckConstraint(
                name="proposed_amount_within_agreement_range",
                condition=Q(proposed_amount__isnull=True)
                | (Q(proposed_amount__gte=PENALTY_MIN) & Q(proposed_amount__lte=PENALTY_MAX)),
            ),
        ]
        indexes = [
            # AQMD's dashboard and the determination queue list flagged defaults.
            models.Index(
                fields=["detected_at"], condition=Q(status="flagged"), name="default_flagged_idx"
            ),
        ]

    def __str__(self) -> str:
        return default_repr(self.ordinal, self.party.code, self.milestone.title)

    @property
    def is_flagged(self) -> bool:
        return self.status == DefaultStatus.FLAGGED

    @property
    def was_confirmed(self) -> bool:
        """AQMD confirmed it (it may have been withdrawn since): public, with a penalty."""
        return self.confirmed_at is not None

    @property
    def proposal_is_provisional(self) -> bool:
        """The proposed amount comes from a schedule the public record does not fix."""
        return bool(self.proposed_schedule and self.proposed_schedule.is_provisional)

    @property
    def date_since_moved(self) -> bool:
        """The milestone's due date is no longer the one this default missed."""
        return self.milestone.due_date != self.due_date

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
        """:attr:`cured_at` if the record showed the milestone met by ``moment``, else None."""
        cured = self.cured_at
        return cured if cured is not None and self.milestone.closed_by(moment) else None


DEFAULT_WORKFLOW = workflow(
    Default,
    states=DefaultStatus,
    action="default",
    moves={
        DefaultStatus.FLAGGED: {
            DefaultStatus.CONFIRMED,
            DefaultStatus.DISMISSED,
            DefaultStatus.WITHDRAWN,
        },
        DefaultStatus.CONFIRMED: {DefaultStatus.WITHDRAWN},
        DefaultStatus.DISMISSED: set(),
        DefaultStatus.WITHDRAWN: set(),
    },
    hint=lambda current, target: (
        _("AQMD has already determined it.")
        if target in (DefaultStatus.CONFIRMED, DefaultStatus.DISMISSED)
        else ""
    ),
    label=lambda d: _("The missed deadline of %(date)s") % {"date": d.due_date.isoformat()},
)


class PenaltyStatus(models.TextChoices):
    ASSESSED = "assessed", _("Assessed")
    NOTICE_SENT = "notice_sent", _("Notice sent")
    PAID = "paid", _("Paid")
    WAIVED = "waived", _("Waived")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class PenaltyQuerySet(PortQuerySet["Penalty"]):
    """Penalties, by port (``for_port``)."""


class Penalty(models.Model):
    """The amount a default costs, from the schedule in force when it was assessed."""

    default = models.OneToOneField(
        Default, verbose_name=_("default"), on_delete=models.PROTECT, related_name="penalty"
    )
    party = port_fk("penalties")
    amount = models.DecimalField(_("amount (USD)"), max_digits=12, decimal_places=2)
    schedule = models.ForeignKey(
        PenaltySchedule,
        verbose_name=_("schedule applied"),
        on_delete=models.PROTECT,
        related_name="penalties",
    )
    tier_ordinal = models.PositiveSmallIntegerField(_("tier applied (from default number)"))
    status = status_field(PenaltyStatus, default=PenaltyStatus.ASSESSED)
    assessed_at = models.DateTimeField(_("assessed at"), default=timezone.now)
    notice_sent_at = models.DateTimeField(_("notice sent at"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=100, blank=True)
    waived_at = models.DateTimeField(_("waived at"), null=True, blank=True)
    waived_by = user_fk(_("waived by"), optional=True)
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
        return can_move(self, status)

    @property
    def is_provisional(self) -> bool:
        """The amount comes from a schedule the public record does not fix (say so)."""
        return self.schedule.is_provisional

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


PENALTY_WORKFLOW = workflow(
    Penalty,
    states=PenaltyStatus,
    action="penalty",
    moves={
        PenaltyStatus.ASSESSED: {
            PenaltyStatus.NOTICE_SENT,
            PenaltyStatus.WAIVED,
            PenaltyStatus.WITHDRAWN,
        },
        PenaltyStatus.NOTICE_SENT: {
            PenaltyStatus.PAID,
            PenaltyStatus.WAIVED,
            PenaltyStatus.WITHDRAWN,
        },
        PenaltyStatus.PAID: set(),
        PenaltyStatus.WAIVED: set(),
        PenaltyStatus.WITHDRAWN: set(),
    },
    hint=lambda current, target: (
        _("A payment is recorded once the notice of default has gone out.")
        if current == PenaltyStatus.ASSESSED and target == PenaltyStatus.PAID
        else ""
    ),
    label=lambda p: _("This penalty"),
    audited_fields=("notice_sent_at", "paid_at", "payment_reference", "waived_at"),
)


# --- Requests on a milestone: extensions, flexibility claims, completion reports ----------


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")


class ClaimStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


# Every kind of request: a reason, and a decider once decided.
REQUEST_CHECKS = [
    models.CheckConstraint(name="%(class)s_has_reason", condition=~Q(reason="")),
    models.CheckConstraint(
        name="%(class)s_decided_has_decider",
        condition=Q(status="pending") | (Q(decided_by__isnull=False) & Q(decided_at__isnull=False)),
    ),
]


class MilestoneRequest(models.Model):
    """What a port asks AQMD to decide about one of its records: a milestone (most kinds) or
    a planning target of an approved plan (the target's actual for a year).

    Port staff file it (reason, PDF documents); an AQMD reviewer decides it once, either
    way (:attr:`ACCEPT` or :attr:`REJECT`, a note required to refuse).  Each kind says what
    it asks and what acceptance does (``penalties/milestone_requests.py``).  At most one
    request of a kind is pending per milestone (the database refuses a second).
    """

    KIND: str = ""
    ACCEPT: str = ""
    REJECT: str = ""
    SUBJECT: str = "milestone"  # the field naming what the request is about

    # Declared by each kind (the reverse name differs); typed here for the shared flow.
    if TYPE_CHECKING:
        objects: ClassVar[models.Manager[Any]]
        milestone: Milestone
        milestone_id: int

    party = port_fk()
    reason = models.TextField(_("reason"))
    documents = models.ManyToManyField(
        "core.Document", verbose_name=_("documents"), blank=True, related_name="+"
    )
    status = models.CharField(_("status"), max_length=20, default="pending")
    filed_by = user_fk(_("filed by"))
    filed_at = models.DateTimeField(_("filed at"), default=timezone.now)
    decided_by = user_fk(_("decided by"), optional=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        abstract = True
        ordering = ["-filed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["milestone"],
                condition=Q(status="pending"),
                name="%(class)s_one_pending_per_milestone",
            ),
            *REQUEST_CHECKS,
        ]

    @property
    def subject(self) -> Any:
        """What the request is about: its milestone, or its planning target."""
        return getattr(self, self.SUBJECT)

    @property
    def is_pending(self) -> bool:
        return self.status == "pending"

    @property
    def was_accepted(self) -> bool:
        return self.status == self.ACCEPT


def _request_workflow(model: type[MilestoneRequest], states: type[models.TextChoices]) -> None:
    workflow(
        model,
        states=states,
        action=model.KIND,
        moves=decided_once("pending", model.ACCEPT, model.REJECT),
        hint=lambda current, target: _("It was already decided."),
    )


class ExtensionRequest(MilestoneRequest):
    """A port asks, before the due date, to move it; AQMD grants or refuses."""

    KIND = "extension"
    ACCEPT = RequestStatus.GRANTED
    REJECT = RequestStatus.REFUSED

    milestone = milestone_fk("extension_requests")
    status = status_field(RequestStatus, default=RequestStatus.PENDING)
    current_due_date = models.DateField(_("due date when asked"))
    requested_due_date = models.DateField(_("requested new due date"))

    class Meta(MilestoneRequest.Meta):
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        constraints = [
            *MilestoneRequest.Meta.constraints,
            models.CheckConstraint(
                name="extension_moves_date_later",
                condition=Q(requested_due_date__gt=models.F("current_due_date")),
            ),
        ]

    def __str__(self) -> str:
        return _("Extension of %(milestone)s to %(date)s") % {
            "milestone": self.milestone,
            "date": self.requested_due_date,
        }


class FlexibilityClaim(MilestoneRequest):
    """A port claims a missed deadline was outside its control; AQMD decides.

    Accepted: the flagged or confirmed default is withdrawn with its penalty (all kept on
    record), and the milestone is excused, or, when AQMD sets one, gets a new due date.
    Rejected: nothing else changes.
    """

    KIND = "flexibility"
    ACCEPT = ClaimStatus.ACCEPTED
    REJECT = ClaimStatus.REJECTED

    milestone = milestone_fk("flexibility_claims")
    status = status_field(ClaimStatus, default=ClaimStatus.PENDING)
    default = models.ForeignKey(
        Default,
        verbose_name=_("default claimed"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="flexibility_claims",
    )
    new_due_date = models.DateField(
        _("new due date set by AQMD"),
        null=True,
        blank=True,
        help_text=_("When AQMD accepts the claim with a new date instead of excusing."),
    )

    class Meta(MilestoneRequest.Meta):
        verbose_name = _("flexibility claim")
        verbose_name_plural = _("flexibility claims")

    def __str__(self) -> str:
        return _("Flexibility claim for %(milestone)s") % {"milestone": self.milestone}


class CompletionReport(MilestoneRequest):
    """A port reports a milestone done (a project milestone, or its annual report); AQMD
    verifies it.

    Accepted: the milestone is met as of when the report was filed: on time if that was by
    its deadline (the completion date, never after the filing day, is then not after the due
    date either).  Rejected: the milestone stays open and the port may report again.  While
    a report filed on time awaits the decision, the deadline sweep does not flag the
    milestone.
    """

    KIND = "completion"
    ACCEPT = ClaimStatus.ACCEPTED
    REJECT = ClaimStatus.REJECTED

    milestone = milestone_fk("completion_reports")
    status = status_field(ClaimStatus, default=ClaimStatus.PENDING)
    completed_on = models.DateField(_("completed on (Pacific date)"))
    filed_on_time = models.BooleanField(
        _("filed by the deadline"),
        help_text=_("Filed by 23:59:59 Pacific on the milestone's due date at filing."),
    )

    class Meta(MilestoneRequest.Meta):
        verbose_name = _("completion report")
        verbose_name_plural = _("completion reports")

    def __str__(self) -> str:
        return _("Completion of %(milestone)s on %(date)s") % {
            "milestone": self.milestone,
            "date": self.completed_on,
        }


class TargetActual(MilestoneRequest):
    """A port reports the actual value reached for one planning target of its approved plan
    in one calendar year (e.g. chargers installed at container terminals by the end of
    2028); AQMD verifies it through the same flow as a completion report.

    Only an accepted actual counts toward the target; when AQMD accepts a later report for
    the same target and year (a correction), the latest accepted one counts.  Rejected, the
    port may report again.
    """

    KIND = "target_actual"
    SUBJECT = "target"
    ACCEPT = ClaimStatus.ACCEPTED
    REJECT = ClaimStatus.REJECTED

    target = models.ForeignKey(
        "plans.PlanningTarget",
        verbose_name=_("planning target"),
        on_delete=models.PROTECT,
        related_name="actuals",
    )
    status = status_field(ClaimStatus, default=ClaimStatus.PENDING)
    year = models.PositiveSmallIntegerField(_("year reported"))
    actual_value = models.DecimalField(_("actual value"), max_digits=14, decimal_places=2)

    class Meta(MilestoneRequest.Meta):
        verbose_name = _("target actual")
        verbose_name_plural = _("target actuals")
        constraints = [
            models.UniqueConstraint(
                fields=["target", "year"],
                condition=Q(status="pending"),
                name="targetactual_one_pending_per_target_year",
            ),
            *REQUEST_CHECKS,
            models.CheckConstraint(
                name="targetactual_value_not_negative", condition=Q(actual_value__gte=0)
            ),
            models.CheckConstraint(
                name="targetactual_year_in_range", condition=Q(year__gte=2025) & Q(year__lte=2100)
            ),
        ]

    def __str__(self) -> str:
        return _("Actual for %(target)s in %(year)s: %(value)s") % {
            "target": self.target,
            "year": self.year,
            "value": self.actual_value,
        }


_request_workflow(ExtensionRequest, RequestStatus)
_request_workflow(FlexibilityClaim, ClaimStatus)
_request_workflow(CompletionReport, ClaimStatus)
_request_workflow(TargetActual, ClaimStatus)
REQUEST_MODELS: dict[str, type[MilestoneRequest]] = {
    model.KIND: model
    for model in (ExtensionRequest, FlexibilityClaim, CompletionReport, TargetActual)
}


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
    entered_by = user_fk(_("entered by"), optional=True)
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


def notice_repr(kind_label: str, milestone: Milestone) -> str:
    """A notice as its ``str`` (and its audit events) name it; also for rows written as
    plain values (the deadline sweep's batches)."""
    return f"{kind_label}: {milestone}"


class NoticeKind(models.TextChoices):
    REMINDER_60 = "reminder_60", _("Reminder: 60 days left")
    REMINDER_30 = "reminder_30", _("Reminder: 30 days left")
    REMINDER_7 = "reminder_7", _("Reminder: 7 days left")
    REMINDER_1 = "reminder_1", _("Reminder: 1 day left")
    OVERDUE = "overdue", _("Overdue notice")
    POTENTIAL_DEFAULT = "potential_default", _("Notice of potential default")
    DEFAULT = "default", _("Notice of default")
    DEFAULT_DISMISSED = "default_dismissed", _("Potential default dismissed")


class Notice(models.Model):
    """A notice about a milestone to the port's staff: the legal record of what was sent.

    The unique (milestone, kind, due date) makes each reminder and notice happen at most
    once, even when jobs rerun or run concurrently; a moved due date gets new reminders.
    The e-mail goes through the outbox (:mod:`core.outbox`); ``sent_at`` is set by its
    delivery hook when the first copy went out.
    """

    milestone = milestone_fk("notices")
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

    def __str__(self) -> str:
        return notice_repr(self.get_kind_display(), self.milestone)


class SweepFailure(models.Model):
    """A milestone the deadline sweep could not process, set aside so it cannot stop every
    later sweep.  Retried after ``next_attempt_at`` (with backoff); resolved when it works."""

    milestone = milestone_fk("+")
    due_date = models.DateField(_("due date"))
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    first_failed_at = models.DateTimeField(_("first failed at"), default=timezone.now)
    last_failed_at = models.DateTimeField(_("last failed at"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("sweep failure")
        verbose_name_plural = _("sweep failures")
        ordering = ["-last_failed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["milestone", "due_date"],
                condition=Q(resolved_at__isnull=True),
                name="one_open_sweep_failure_per_miss",
            )
        ]

    def __str__(self) -> str:
        return f"{self.milestone_id} ({self.due_date}): {self.last_error[:80]}"
