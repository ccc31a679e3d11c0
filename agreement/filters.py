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
    DueDateAmendment,
    EmissionCategory,
    Milestone,
    MilestoneKind,
    MilestoneStatus,
    Party,
    PartyKind,
    Phase,
    WithdrawalNotice,
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
        fields={
            "due_date": "due_date",
            "party__code": "port",
            "kind": "kind",
            "phase__number": "phase",
            "status": "status",
            "id": "id",
        },
        field_labels={
            "due_date": _("Due date"),
            "party__code": _("Port"),
            "kind": _("Kind"),
            "phase__number": _("Phase"),
            "status": _("Status"),
            "id": _("Id"),
        },
    )

    class Meta:
        model = Milestone
        fields = ["port", "kind", "phase", "status", "due_date"]


class PartyFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=PartyKind.choices, label=_("Kind"))
    ordering = StableOrderingFilter(fields={"code": "code", "kind": "kind", "name": "name"})

    class Meta:
        model = Party
        fields = ["kind"]


class EmissionCategoryFilter(django_filters.FilterSet):
    phase = phase_filter()
    ordering = StableOrderingFilter(
        fields={"code": "code", "phase__number": "phase", "order": "order"}
    )

    class Meta:
        model = EmissionCategory
        fields = ["phase"]


class PhaseFilter(django_filters.FilterSet):
    number = django_filters.NumberFilter(label=_("Number"))
    ordering = StableOrderingFilter(fields={"number": "number"})

    class Meta:
        model = Phase
        fields = ["number"]


class WithdrawalNoticeFilter(django_filters.FilterSet):
    party = django_filters.CharFilter(
        field_name="party__code", lookup_expr="iexact", label=_("Party (code, e.g. POLA)")
    )
    status = status_filter(WithdrawalStatus.choices)
    ordering = StableOrderingFilter(
        fields={"effective_on": "effective_on", "received_on": "received_on", "id": "id"},
    )

    class Meta:
        model = WithdrawalNotice
        fields = ["party", "status"]


class AmendmentFilter(django_filters.FilterSet):
    port = port_filter("milestone__", label=_("Port (code)"))
    status = status_filter(AmendmentStatus.choices)
    milestone = django_filters.NumberFilter(field_name="milestone_id", label=_("Milestone"))
    ordering = StableOrderingFilter(
        fields={"proposed_at": "proposed_at", "new_due_date": "new_due_date", "id": "id"},
    )

    class Meta:
        model = DueDateAmendment
        fields = ["port", "status", "milestone"]
