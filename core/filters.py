"""Ordering for lists, shared by pages and the API (``?ordering=-due_date,port``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _


class StableOrderingFilter(django_filters.OrderingFilter):
    """django-filter's ordering with the primary key appended, so that pages of a list
    never skip or repeat a row when the chosen columns tie."""

    def filter(self, qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
        # Empty entries ("?ordering=port,,") mean nothing: they are not fields.
        ordering = [self.get_ordering_value(param) for param in value or [] if param]
        if not ordering:
            return qs
        return qs.order_by(*ordering, "pk")


class UtcDateTimeRangeFilter(django_filters.IsoDateTimeFromToRangeFilter):
    """``<name>_after`` / ``<name>_before`` as ISO 8601 moments, compared in UTC.

    PostgreSQL refuses offsets beyond ±15:59 that ISO 8601 allows, so moments are converted
    to UTC first; one that cannot be (beyond year 1..9999 in UTC) is a 400.
    """

    def filter(self, qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
        if not value:
            return qs
        try:
            start, stop = (
                moment.astimezone(dt.UTC) if moment is not None else None
                for moment in (value.start, value.stop)
            )
        except OverflowError as err:
            raise ValidationError(
                {self.field_name: _("That moment is out of range.")}, code="invalid"
            ) from err
        return super().filter(qs, slice(start, stop))
