"""Serializers shared by several apps' APIs."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class ReasonSerializer(serializers.Serializer):
    """The reason of a closing operation: a rescinded withdrawal notice, an abandoned
    amendment, a voided invoice."""

    reason = serializers.CharField(max_length=2000, help_text=_("Why it is closed."))
