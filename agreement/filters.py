"""The milestone filters, shared by the milestones page, its downloads and the API."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from core.filters import PageFilterSet, StableOrderingFilter

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
    port = django_filters.CharFilter(
        field_name="party__code", lookup_expr="iexact", label=_("Port (code, e.g. POLA)")
    )
    kind = django_filters.ChoiceFilter(choices=MilestoneKind.choices, label=_("Kind"))
    phase = django_filters.NumberFilter(field_name="phase__number", label=_("Phase"))
    status = django_filters.ChoiceFilter(choices=MilestoneStatus.choices, label=_("Status"))
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
        label=_("Order by"),
    )

    class Meta:
        model = Milestone
        fields = ["port", "kind", "phase", "status", "due_date"]


class PartyFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=PartyKind.choices, label=_("Kind"))
    ordering = StableOrderingFilter(
        fields={"code": "code", "kind": "kind", "name": "name"}, label=_("Order by")
    )

    class Meta:
        model = Party
        fields = ["kind"]


class EmissionCategoryFilter(django_filters.FilterSet):
    phase = django_filters.NumberFilter(field_name="phase__number", label=_("Phase"))
    ordering = StableOrderingFilter(
        fields={"code": "code", "phase__number": "phase", "order": "order"}, label=_("Order by")
    )

    class Meta:
        model = EmissionCategory
        fields = ["phase"]


class PhaseFilter(django_filters.FilterSet):
    number = django_filters.NumberFilter(label=_("Number"))
    ordering = StableOrderingFilter(fields={"number": "number"}, label=_("Order by"))

    class Meta:
        model = Phase
        fields = ["number"]


class WithdrawalNoticeFilter(django_filters.FilterSet):
    party = django_filters.CharFilter(
        field_name="party__code", lookup_expr="iexact", label=_("Party (code, e.g. POLA)")
    )
    status = django_filters.ChoiceFilter(choices=WithdrawalStatus.choices, label=_("Status"))
    ordering = StableOrderingFilter(
        fields={"effective_on": "effective_on", "received_on": "received_on", "id": "id"},
        label=_("Order by"),
    )

    class Meta:
        model = WithdrawalNotice
        fields = ["party", "status"]


class AmendmentFilter(django_filters.FilterSet):
    port = django_filters.CharFilter(
        field_name="milestone__party__code", lookup_expr="iexact", label=_("Port (code)")
    )
    status = django_filters.ChoiceFilter(choices=AmendmentStatus.choices, label=_("Status"))
    milestone = django_filters.NumberFilter(field_name="milestone_id", label=_("Milestone"))
    ordering = StableOrderingFilter(
        fields={"proposed_at": "proposed_at", "new_due_date": "new_due_date", "id": "id"},
        label=_("Order by"),
    )

    class Meta:
        model = DueDateAmendment
        fields = ["port", "status", "milestone"]
