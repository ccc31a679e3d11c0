"""Penalty schedule (editable data).  Defaults and penalties build on it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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
        if ordinal < 1:
            raise ValueError("Default ordinals start at 1.")
        applicable = [t for t in self.tiers.all() if t.default_ordinal <= ordinal]
        if not applicable:
            raise ValueError(f"Schedule {self.pk} has no tier for default #{ordinal}.")
        return max(applicable, key=lambda t: t.default_ordinal).amount


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
