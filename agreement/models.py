"""The Cooperative Agreement as data: parties, phases, categories, terms and milestones.

Terms that the public record does not fix are kept as editable data marked provisional.
Due dates change only through :func:`agreement.services.milestone_change_due_date`, which
records the old value, who, when and why (:class:`MilestoneDateChange`).
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import PortQuerySet, port_fk, status_field, user_fk
from core.workflow import decided_once, workflow

from . import deadlines


class PartyKind(models.TextChoices):
    REGULATOR = "regulator", _("Regulator")
    PORT = "port", _("Port")


class PartyQuerySet(models.QuerySet["Party"]):
    def ports(self) -> PartyQuerySet:
        return self.filter(kind=PartyKind.PORT)


class Party(models.Model):
    code = models.CharField(_("code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=PartyKind.choices)
    governing_body = models.CharField(_("governing body"), max_length=200)

    objects = PartyQuerySet.as_manager()

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["kind", "code"]

    def __str__(self) -> str:
        return self.name


class Agreement(models.Model):
    title = models.CharField(_("title"), max_length=200, unique=True)
    title_is_provisional = models.BooleanField(
        _("title provisional"),
        default=True,
        help_text=_("The stored title is a placeholder until the signed title is entered."),
    )
    signed_on = models.DateField(
        _("signed on"),
        null=True,
        blank=True,
        help_text=_("The date the parties signed; provisional (unknown) until entered."),
    )
    effective_on = models.DateField(
        _("effective on"),
        null=True,
        blank=True,
        help_text=_("The date the agreement took effect; provisional (unknown) until entered."),
    )
    withdrawal_notice_days = models.PositiveIntegerField(
        _("withdrawal notice (days)"), help_text=_("Written notice a party gives to withdraw.")
    )
    rulemaking_pause_years = models.PositiveIntegerField(
        _("rulemaking pause (years)"),
        help_text=_("Years AQMD paused port indirect-source rulemaking (Proposed Rule 2304)."),
    )

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        constraints = [
            models.CheckConstraint(
                name="agreement_effective_not_before_signed",
                condition=Q(signed_on__isnull=True)
                | Q(effective_on__isnull=True)
                | Q(effective_on__gte=F("signed_on")),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Approval(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="approvals")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="approvals")
    body = models.CharField(_("approving body"), max_length=200)
    approved_on = models.DateField(_("approved on"))
    vote = models.CharField(_("vote"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        ordering = ["approved_on"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "party"], name="one_approval_per_party")
        ]

    def __str__(self) -> str:
        return f"{self.body} ({self.approved_on})"


class TermKey(models.TextChoices):
    REVIEW_PERIOD = "review_period", _("AQMD review period")
    RESUBMISSION_WINDOW = "resubmission_window", _("Resubmission window after rejection")


class AgreementTerm(models.Model):
    """A duration of the agreement that the public record does not fix (editable, audited)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="terms")
    key = models.CharField(_("term"), max_length=40, choices=TermKey.choices)
    days = models.PositiveIntegerField(_("days"))
    is_provisional = models.BooleanField(
        _("provisional"), default=True, help_text=_("Not fixed by the public record.")
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("agreement term")
        verbose_name_plural = _("agreement terms")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "key"], name="one_value_per_term"),
            models.CheckConstraint(name="term_days_positive", condition=Q(days__gte=1)),
        ]

    def __str__(self) -> str:
        return f"{self.get_key_display()}: {self.days}"


class Phase(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="phases")
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="unique_phase_number"),
            models.CheckConstraint(name="phase_number_positive", condition=Q(number__gte=1)),
        ]

    def __str__(self) -> str:
        return _("Phase %(number)s") % {"number": self.number}


class EmissionCategory(models.Model):
    """A source sub-category named by the phases (e.g. drayage trucks)."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    phase = models.ForeignKey(Phase, on_delete=models.PROTECT, related_name="categories")
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("emission source category")
        verbose_name_plural = _("emission source categories")
        ordering = ["phase__number", "order"]

    def __str__(self) -> str:
        return self.name


class MilestoneKind(models.TextChoices):
    DRAFT_PLAN = "draft_plan", _("Draft plan")
    FINAL_PLAN = "final_plan", _("Approved plan")
    ANNUAL_REPORT = "annual_report", _("Annual report")
    PROJECT = "project", _("Project milestone")


class MilestoneStatus(models.TextChoices):
    OPEN = "open", _("Open")
    MET = "met", _("Met")
    EXCUSED = "excused", _("Excused")


class MilestoneQuerySet(PortQuerySet["Milestone"]):
    def open(self) -> MilestoneQuerySet:
        return self.filter(status=MilestoneStatus.OPEN)

    def upcoming(self, *, today: dt.date) -> MilestoneQuerySet:
        return self.open().filter(due_date__gte=today).order_by("due_date", "party__code")


class Milestone(models.Model):
    """Something a port owes by a Pacific calendar date."""

    party = port_fk("milestones")
    kind = models.CharField(_("kind"), max_length=20, choices=MilestoneKind.choices)
    phase = models.ForeignKey(
        Phase, on_delete=models.PROTECT, null=True, blank=True, related_name="milestones"
    )
    reporting_year = models.PositiveSmallIntegerField(
        _("reporting year"), null=True, blank=True, help_text=_("For annual reports.")
    )
    title = models.CharField(_("title"), max_length=300)
    due_date = models.DateField(
        _("due date"), help_text=_("On time if delivered by 23:59:59 Pacific on this date.")
    )
    is_provisional = models.BooleanField(
        _("provisional date"),
        default=False,
        help_text=_("The public record does not fix this date; it is a placeholder."),
    )
    within_port_control = models.BooleanField(_("within the port's control"), default=True)
    status = status_field(MilestoneStatus, default=MilestoneStatus.OPEN)
    completed_at = models.DateTimeField(
        _("completed at"),
        null=True,
        blank=True,
        help_text=_(
            "When the port delivered: a plan's submission, a completion report's filing. "
            "On time or late is judged on this."
        ),
    )
    closed_at = models.DateTimeField(
        _("closed at"),
        null=True,
        blank=True,
        help_text=_("When the record became met or excused (AQMD's approval or verification)."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = MilestoneQuerySet.as_manager()

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due_date", "party__code", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["party", "phase", "kind"],
                condition=Q(kind__in=["draft_plan", "final_plan"]),
                name="one_plan_milestone_per_port_phase_kind",
                violation_error_message=_(
                    "This port already has a plan milestone of this kind for this phase."
                ),
            ),
            models.UniqueConstraint(
                fields=["party", "reporting_year"],
                condition=Q(kind="annual_report"),
                name="one_annual_report_per_port_year",
                violation_error_message=_(
                    "This port already has an annual report milestone for this year."
                ),
            ),
            models.CheckConstraint(
                name="plan_milestone_has_phase",
                condition=~Q(kind__in=["draft_plan", "final_plan"]) | Q(phase__isnull=False),
                violation_error_message=_("A plan milestone needs a phase."),
            ),
            models.CheckConstraint(
                name="annual_report_has_year",
                condition=~Q(kind="annual_report") | Q(reporting_year__isnull=False),
                violation_error_message=_("An annual report milestone needs a reporting year."),
            ),
            models.CheckConstraint(
                name="completed_milestone_has_time",
                condition=Q(status="open") | Q(completed_at__isnull=False),
                violation_error_message=_(
                    "A met or excused milestone needs the time it was completed."
                ),
            ),
            models.CheckConstraint(
                name="closed_milestone_has_close_time",
                condition=Q(status="open", closed_at__isnull=True)
                | (~Q(status="open") & Q(closed_at__isnull=False)),
                violation_error_message=_(
                    "A met or excused milestone needs the time it was closed; an open one has none."
                ),
            ),
        ]
        indexes = [
            # The deadline sweep and the reminders scan open milestones by due date, in the
            # sweep's order (due date, id); the sweep asks for its first candidate in that
            # order so the planner reads this index (penalties.sweep._any).
            models.Index(
                fields=["due_date", "id"],
                condition=Q(status="open"),
                name="milestone_open_due_idx",
            ),
            # The milestones pages and the API list every milestone by due date, a page at a
            # time (then by port: an incremental sort of each date's few rows).
            models.Index(fields=["due_date", "id"], name="milestone_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.party.code}: {self.title}"

    @property
    def due_moment(self) -> dt.datetime:
        """The last on-time second: 23:59:59 Pacific on the due date."""
        return deadlines.due_moment(self.due_date)

    def closed_by(self, moment: dt.datetime) -> bool:
        """Whether the record showed it met or excused at ``moment`` (for as-of reports)."""
        return self.closed_at is not None and self.closed_at <= moment

    def days_left(self, now: dt.datetime | None = None) -> int:
        """Pacific calendar days until the due date (negative once past)."""
        return deadlines.days_left(self.due_date, now)

    @property
    def is_overdue(self) -> bool:
        return self.status == MilestoneStatus.OPEN and deadlines.has_passed(self.due_date)

    @property
    def met_late(self) -> bool | None:
        """Whether a met milestone arrived after its deadline; None if it is not met."""
        if self.status != MilestoneStatus.MET or self.completed_at is None:
            return None
        return not deadlines.is_on_time(self.due_date, self.completed_at)


MILESTONE_WORKFLOW = workflow(
    Milestone,
    states=MilestoneStatus,
    action="milestone",
    moves=decided_once(MilestoneStatus.OPEN, MilestoneStatus.MET, MilestoneStatus.EXCUSED),
    label=lambda m: _("The milestone"),
    audited_fields=("completed_at", "closed_at"),
)


class DateChangeKind(models.TextChoices):
    EXTENSION = "extension", _("Approved extension")
    AMENDMENT = "amendment", _("Amendment of the agreement")
    FLEXIBILITY = "flexibility", _("Accepted flexibility claim")
    RESUBMISSION = "resubmission", _("Resubmission window after AQMD sent the plan back")


class MilestoneDateChange(models.Model):
    """A recorded act that moved a due date.  Never edited or removed."""

    milestone = models.ForeignKey(Milestone, on_delete=models.PROTECT, related_name="date_changes")
    kind = models.CharField(_("kind"), max_length=20, choices=DateChangeKind.choices)
    old_due_date = models.DateField(_("old due date"))
    new_due_date = models.DateField(_("new due date"))
    old_is_provisional = models.BooleanField(_("old date was provisional"))
    new_is_provisional = models.BooleanField(_("new date is provisional"))
    reason = models.TextField(_("reason"))
    actor = user_fk(_("who"))
    changed_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("due date change")
        verbose_name_plural = _("due date changes")
        ordering = ["changed_at", "id"]
        constraints = [
            models.CheckConstraint(name="date_change_has_reason", condition=~Q(reason="")),
        ]

    def __str__(self) -> str:
        return f"{self.milestone}: {self.old_due_date} → {self.new_due_date}"


def withdrawal_effective_on(received_on: dt.date, notice_days: int) -> dt.date:
    """The date a withdrawal takes effect: the written notice's receipt plus the notice
    period (45 days in the agreement).  The one place this is computed."""
    return received_on + dt.timedelta(days=notice_days)


class WithdrawalStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    RESCINDED = "rescinded", _("Rescinded")


class WithdrawalNoticeQuerySet(models.QuerySet["WithdrawalNotice"]):
    def standing(self) -> WithdrawalNoticeQuerySet:
        """Notices not rescinded: each ends the agreement on its effective date."""
        return self.filter(status=WithdrawalStatus.RECEIVED)


class WithdrawalNotice(models.Model):
    """A party's written notice of withdrawal from the agreement.

    Any party may withdraw on the agreement's notice period (45 days' written notice); the
    agreement ends on :attr:`effective_on`.  A notice can be rescinded before then; after
    that it stays (records are closed, never removed).
    """

    agreement = models.ForeignKey(
        Agreement, on_delete=models.PROTECT, related_name="withdrawal_notices"
    )
    party = models.ForeignKey(
        Party,
        verbose_name=_("withdrawing party"),
        on_delete=models.PROTECT,
        related_name="withdrawal_notices",
    )
    received_on = models.DateField(_("written notice received on"))
    notice_days = models.PositiveIntegerField(
        _("notice period (days)"), help_text=_("The agreement's notice period when received.")
    )
    effective_on = models.DateField(
        _("effective on"), help_text=_("The agreement ends for the parties on this date.")
    )
    document = models.ForeignKey(
        "core.Document",
        verbose_name=_("written notice"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    status = status_field(WithdrawalStatus, default=WithdrawalStatus.RECEIVED)
    recorded_by = user_fk(_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    rescinded_at = models.DateTimeField(_("rescinded at"), null=True, blank=True)
    rescind_reason = models.TextField(_("why it was rescinded"), blank=True)

    objects = WithdrawalNoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("withdrawal notice")
        verbose_name_plural = _("withdrawal notices")
        ordering = ["effective_on", "id"]
        constraints = [
            models.CheckConstraint(
                name="withdrawal_effective_after_receipt",
                condition=Q(effective_on__gt=F("received_on")),
            ),
            models.CheckConstraint(
                name="withdrawal_rescinded_has_time_and_reason",
                condition=Q(status="received", rescinded_at__isnull=True)
                | (Q(status="rescinded", rescinded_at__isnull=False) & ~Q(rescind_reason="")),
            ),
            models.UniqueConstraint(
                fields=["agreement", "party"],
                condition=Q(status="received"),
                name="one_standing_withdrawal_per_party",
            ),
        ]

    def __str__(self) -> str:
        return _("%(party)s withdraws, effective %(date)s") % {
            "party": self.party.code,
            "date": self.effective_on.isoformat(),
        }

    def in_effect_on(self, day: dt.date) -> bool:
        """Whether the agreement has ended by ``day`` (a Pacific date) under this notice."""
        return self.status == WithdrawalStatus.RECEIVED and day >= self.effective_on

    def can_be_rescinded_on(self, day: dt.date) -> bool:
        return self.status == WithdrawalStatus.RECEIVED and day < self.effective_on


WITHDRAWAL_WORKFLOW = workflow(
    WithdrawalNotice,
    states=WithdrawalStatus,
    action="withdrawal_notice",
    moves=decided_once(WithdrawalStatus.RECEIVED, WithdrawalStatus.RESCINDED),
    audited_fields=("rescind_reason", "rescinded_at"),
)


class RulemakingPause(models.Model):
    """AQMD's pause of port indirect-source rulemaking (Proposed Rule 2304) under the
    agreement: five years from its approval, ending early if the agreement ends.  AQMD keeps
    its authority to resume (``resumed_on``).  Edited by administrators (audited)."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.PROTECT, related_name="rulemaking_pauses"
    )
    rule = models.CharField(_("rule"), max_length=200)
    starts_on = models.DateField(_("paused from"))
    planned_end_on = models.DateField(_("planned end"))
    resumed_on = models.DateField(
        _("resumed on"),
        null=True,
        blank=True,
        help_text=_("If AQMD resumes the rulemaking before the planned end."),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("rulemaking pause")
        verbose_name_plural = _("rulemaking pauses")
        ordering = ["starts_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "rule"], name="one_pause_per_rule"),
            models.CheckConstraint(
                name="pause_planned_end_after_start",
                condition=Q(planned_end_on__gt=F("starts_on")),
            ),
            models.CheckConstraint(
                name="pause_resumed_after_start",
                condition=Q(resumed_on__isnull=True) | Q(resumed_on__gte=F("starts_on")),
            ),
        ]

    def __str__(self) -> str:
        return self.rule

    def actual_end(self, agreement_ended_on: dt.date | None) -> dt.date | None:
        """When the pause ended: the earliest of AQMD's resumption, the agreement's end and
        (once passed) the planned end; None while it runs (``agreement_ended_on`` is the
        date a withdrawal took effect, if one has)."""
        ends = [d for d in (self.resumed_on, agreement_ended_on) if d is not None]
        early = min(ends) if ends else None
        if early is not None and early < self.planned_end_on:
            return early
        return None


class AmendmentStatus(models.TextChoices):
    PENDING = "pending", _("Pending the parties' approvals")
    IN_EFFECT = "in_effect", _("In effect")
    ABANDONED = "abandoned", _("Abandoned")


class DueDateAmendment(models.Model):
    """An amendment of the agreement that moves a due date.

    It takes effect only when every party (AQMD and both ports) has approved it, each
    approval with its date (:class:`AmendmentApproval`); until then it is pending and the
    due date does not move.  In effect, the move is the recorded :attr:`date_change`.
    """

    milestone = models.ForeignKey(Milestone, on_delete=models.PROTECT, related_name="amendments")
    new_due_date = models.DateField(_("new due date"))
    new_is_provisional = models.BooleanField(
        _("new date is provisional"), null=True, blank=True, help_text=_("Empty: keep the flag.")
    )
    reason = models.TextField(_("reason"))
    status = status_field(AmendmentStatus, default=AmendmentStatus.PENDING)
    proposed_by = user_fk(_("recorded by"))
    proposed_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    took_effect_at = models.DateTimeField(_("took effect at"), null=True, blank=True)
    date_change = models.OneToOneField(
        MilestoneDateChange,
        verbose_name=_("due date change"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="amendment",
    )

    class Meta:
        verbose_name = _("due-date amendment")
        verbose_name_plural = _("due-date amendments")
        ordering = ["proposed_at", "id"]
        constraints = [
            models.CheckConstraint(name="amendment_has_reason", condition=~Q(reason="")),
            models.CheckConstraint(
                name="amendment_in_effect_has_time",
                condition=~Q(status="in_effect") | Q(took_effect_at__isnull=False),
            ),
            # One pending amendment per milestone: which new date would win is otherwise
            # whichever gets its last approval first.
            models.UniqueConstraint(
                fields=["milestone"],
                condition=Q(status="pending"),
                name="one_pending_amendment_per_milestone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.milestone}: → {self.new_due_date}"

    @property
    def party_id(self) -> int:
        """The port whose milestone it moves (for the policy)."""
        return self.milestone.party_id


MILESTONE_AMENDMENT_WORKFLOW = workflow(
    DueDateAmendment,
    states=AmendmentStatus,
    action="due_date_amendment",
    moves=decided_once(
        AmendmentStatus.PENDING, AmendmentStatus.IN_EFFECT, AmendmentStatus.ABANDONED
    ),
    audited_fields=("took_effect_at",),
)


class AmendmentApproval(models.Model):
    """One party's approval of an amendment, with the date its governing body approved."""

    amendment = models.ForeignKey(
        DueDateAmendment, on_delete=models.PROTECT, related_name="approvals"
    )
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+")
    approved_on = models.DateField(_("approved on"))
    recorded_by = user_fk()
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("amendment approval")
        verbose_name_plural = _("amendment approvals")
        ordering = ["approved_on", "party__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["amendment", "party"], name="one_approval_per_party_per_amendment"
            )
        ]

    def __str__(self) -> str:
        return f"{self.party}: {self.approved_on}"
