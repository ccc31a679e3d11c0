"""The milestone filters, shared by the milestones page, its downloads and the API."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from core.filters import (
    PageFilterSet,
    StableOrderingFilter,
    phase_filter,
    port_filter,
    status_filter,
)

from .models import (
    AmendmentStatus,
    MilestoneKind,
    MilestoneStatus,
    PartyKind,
    WithdrawalStatus,
)


class MilestoneFilter(PageFilterSet):
    port = port_filter()
    kind = django_filters.ChoiceFilter(choices=MilestoneKind.choices, label=_("Kind"))
    phase = phase_filter()
    status = status_filter(MilestoneStatus.choices)
    due_date = django_filters.DateFromToRangeFilter(
        label=_("Due between (Pacific dates, inclusive)")
    )
    ordering = StableOrderingFilter(
        fields=[
            "due_date",
            ("party__code", "port"),
            "kind",
            ("phase__number", "phase"),
            "status",
            "id",
        ],
    )


class PartyFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=PartyKind.choices, label=_("Kind"))
    ordering = StableOrderingFilter(fields=["code", "kind", "name"])


class EmissionCategoryFilter(django_filters.FilterSet):
    phase = phase_filter()
    ordering = StableOrderingFilter(fields=["code", ("phase__number", "phase"), "order"])


class PhaseFilter(django_filters.FilterSet):
    number = django_filters.NumberFilter(label=_("Number"))
    ordering = StableOrderingFilter(fields=["number"])


class WithdrawalNoticeFilter(django_filters.FilterSet):
    party = django_filters.CharFilter(
        field_name="party__code", lookup_expr="iexact", label=_("Party (code, e.g. POLA)")
    )
    status = status_filter(WithdrawalStatus.choices)
    ordering = StableOrderingFilter(
        fields=["effective_on", "received_on", "id"],
    )


class AmendmentFilter(django_filters.FilterSet):
    port = port_filter("milestone__", label=_("Port (code)"))
    status = status_filter(AmendmentStatus.choices)
    milestone = django_filters.NumberFilter(field_name="milestone_id", label=_("Milestone"))
    ordering = StableOrderingFilter(
        fields=["proposed_at", "new_due_date", "id"],
    )
