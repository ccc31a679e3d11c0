"""API operations on the penalty schedule (read only; administrators edit it in admin)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from accounts import policy
from core.filters import StableOrderingFilter

from .models import PenaltySchedule, PenaltyTier

TAGS = ["penalties"]


def schedules_visible_to(user: Any) -> QuerySet[PenaltySchedule]:
    return policy.visible(
        user, policy.Action.AGREEMENT_VIEW, PenaltySchedule.objects.prefetch_related("tiers")
    )


class PenaltyTierSerializer(serializers.ModelSerializer):
    class Meta:
        model = PenaltyTier
        fields = ["default_ordinal", "amount"]


class PenaltyScheduleSerializer(serializers.ModelSerializer):
    tiers = PenaltyTierSerializer(many=True, read_only=True)

    class Meta:
        model = PenaltySchedule
        fields = ["id", "name", "effective_from", "is_provisional", "tiers"]


class PenaltyScheduleFilter(django_filters.FilterSet):
    effective_from = django_filters.DateFromToRangeFilter(label=_("Effective between"))
    is_provisional = django_filters.BooleanFilter(label=_("Provisional"))
    ordering = StableOrderingFilter(
        fields={"effective_from": "effective_from", "id": "id"}, label=_("Order by")
    )

    class Meta:
        model = PenaltySchedule
        fields = ["effective_from", "is_provisional"]


@extend_schema(tags=TAGS)
class PenaltyScheduleList(generics.ListAPIView):
    """Penalty schedules: what a port's n-th default costs ($50,000..$200,000)."""

    policy_action = policy.Action.AGREEMENT_VIEW
    serializer_class = PenaltyScheduleSerializer
    filterset_class = PenaltyScheduleFilter

    def get_queryset(self) -> Any:
        return schedules_visible_to(self.request.user)


@extend_schema(tags=TAGS)
class PenaltyScheduleDetail(generics.RetrieveAPIView):
    policy_action = policy.Action.AGREEMENT_VIEW
    serializer_class = PenaltyScheduleSerializer

    def get_queryset(self) -> Any:
        return schedules_visible_to(self.request.user)


urlpatterns = [
    path("penalty-schedules/", PenaltyScheduleList.as_view(), name="penalty-schedule-list"),
    path(
        "penalty-schedules/<int:pk>/",
        PenaltyScheduleDetail.as_view(),
        name="penalty-schedule-detail",
    ),
]
