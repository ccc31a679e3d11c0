"""The audit trail in the API (read only).

AQMD reviewers, administrators and board members see every event; port staff see the events
of their own port only (``AuditEvent.party``), as the policy's ``AUDIT_VIEW`` rule says.
Events that belong to no port (changes to the agreement's terms, users, tokens) are not
shown to port staff: they can carry other people's details.  The public sees none.
"""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts import policy
from core.filters import StableOrderingFilter, UtcDateTimeRangeFilter, port_filter
from core.pagination import KeysetPagination
from core.resources import Resource
from core.serializers import port_code

from .models import AuditEvent
from .selectors import audit_events_visible_to

TAGS = ["audit"]


class AuditEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_label", read_only=True)
    port = port_code(allow_null=True)
    before = serializers.JSONField(read_only=True, allow_null=True)
    after = serializers.JSONField(read_only=True, allow_null=True)

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "at",
            "actor",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "port",
            "before",
            "after",
            "note",
        ]


class AuditEventFilter(django_filters.FilterSet):
    action = django_filters.CharFilter(
        label=_("Action (prefix, e.g. milestone.)"), lookup_expr="startswith"
    )
    object_type = django_filters.CharFilter(label=_("Object type (e.g. agreement.milestone)"))
    object_id = django_filters.CharFilter(label=_("Object id"))
    port = port_filter(label=_("Port (code)"))
    actor = django_filters.CharFilter(field_name="actor_label", label=_("Who (user name)"))
    at = UtcDateTimeRangeFilter(label=_("When (ISO 8601, inclusive)"))
    ordering = StableOrderingFilter(fields=["at", "id"])


AUDIT_EVENTS = Resource(
    name="audit-event",
    path="audit-events",
    tags=TAGS,
    action=policy.Action.AUDIT_VIEW,
    serializer=AuditEventSerializer,
    rows=audit_events_visible_to,
    filterset=AuditEventFilter,
    about="Who changed what, when, with the values before and after; newest first.\n\n"
    "Keyset pages (the trail only grows): follow ``next`` (``?cursor=``); no total count.",
    extra={"pagination_class": KeysetPagination},
)

urlpatterns = AUDIT_EVENTS.urls()
