"""Filters of defaults, penalties, requests and the fund ledger, shared by the pages, their
downloads and the API (the same query string means the same rows everywhere)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from agreement.models import MilestoneStatus
from core.filters import PageFilterSet, StableOrderingFilter, port_filter, status_filter

from .models import (
    ClaimStatus,
    CompletionReport,
    DefaultStatus,
    ExtensionRequest,
    FlexibilityClaim,
    FundEntryKind,
    MilestoneRequest,
    PenaltyStatus,
    RequestStatus,
    TargetActual,
)

# A year filter accepts the years a date column can hold (anything else is a 400, not a 500).
YEAR_BOUNDS = {"min_value": 1, "max_value": 9999, "decimal_places": 0}


class DefaultFilter(PageFilterSet):
    port = port_filter()
    status = status_filter(DefaultStatus.choices)
    due_date = django_filters.DateFromToRangeFilter(
        label=_("Missed due date between (Pacific dates, inclusive)")
    )
    cured = django_filters.BooleanFilter(
        method="filter_cured", label=_("Cured (the milestone was met late)")
    )
    ordering = StableOrderingFilter(
        fields=["due_date", "detected_at", ("party__code", "port"), "ordinal", "id"],
        field_labels={
            "detected_at": _("Flagged"),
            "ordinal": _("Default number"),
        },
    )

    def filter_cured(self, queryset: QuerySet[Any], name: str, value: bool | None) -> Any:
        """Cured is :attr:`Default.is_cured` as a query: the milestone is met."""
        if value is None:
            return queryset
        met = Q(milestone__status=MilestoneStatus.MET)
        return queryset.filter(met) if value else queryset.exclude(met)


class PenaltyFilter(PageFilterSet):
    port = port_filter()
    status = status_filter(PenaltyStatus.choices)
    year = django_filters.NumberFilter(
        field_name="assessed_at",
        lookup_expr="year",
        label=_("Year assessed (Pacific)"),
        **YEAR_BOUNDS,
    )
    ordering = StableOrderingFilter(
        fields=["assessed_at", "amount", ("party__code", "port"), "status", "id"],
        field_labels={
            "assessed_at": _("Assessed"),
        },
    )


SUBJECT_LABELS = {"milestone": _("Milestone id"), "target": _("Planning target id")}


def _request_filter(
    model: type[MilestoneRequest], statuses: type[Any], filed_param: str
) -> type[django_filters.FilterSet]:
    """The filters of one kind of request (``filed_param``: how the API names its filing
    time in ``?ordering=``, kept from before the kinds shared one table shape)."""
    subject = model.SUBJECT
    attrs = {
        "port": port_filter(),
        "status": status_filter(statuses.choices),
        subject: django_filters.NumberFilter(
            field_name=f"{subject}_id", label=SUBJECT_LABELS[subject]
        ),
        "ordering": StableOrderingFilter(
            fields=[("filed_at", filed_param), ("party__code", "port"), "id"],
        ),
    }
    return type(f"{model.__name__}Filter", (django_filters.FilterSet,), attrs)


REQUEST_FILTERS: dict[str, type[django_filters.FilterSet]] = {
    "extension": _request_filter(ExtensionRequest, RequestStatus, "requested_at"),
    "flexibility": _request_filter(FlexibilityClaim, ClaimStatus, "filed_at"),
    "completion": _request_filter(CompletionReport, ClaimStatus, "filed_at"),
    "target_actual": _request_filter(TargetActual, ClaimStatus, "filed_at"),
}


class FundEntryFilter(PageFilterSet):
    kind = django_filters.ChoiceFilter(choices=FundEntryKind.choices, label=_("Kind"))
    port = port_filter()
    year = django_filters.NumberFilter(
        field_name="occurred_on", lookup_expr="year", label=_("Year"), **YEAR_BOUNDS
    )
    occurred_on = django_filters.DateFromToRangeFilter(
        label=_("Between (Pacific dates, inclusive)")
    )
    ordering = StableOrderingFilter(
        fields=["occurred_on", "entered_at", "amount", "id"],
        field_labels={
            "occurred_on": _("Date"),
            "entered_at": _("Entered"),
        },
    )


class PenaltyScheduleFilter(django_filters.FilterSet):
    effective_from = django_filters.DateFromToRangeFilter(label=_("Effective between"))
    is_provisional = django_filters.BooleanFilter(label=_("Provisional"))
    ordering = StableOrderingFilter(fields=["effective_from", "id"])
