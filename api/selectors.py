"""Reads of a user's credentials for the tokens page and the calendar feed."""

from __future__ import annotations

from typing import Any

from .models import ApiToken, ApiTokenQuerySet, CalendarFeed


def api_tokens_of(*, user: Any) -> ApiTokenQuerySet:
    """A user's tokens, newest first, revoked ones included (they stay as a record)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def calendar_feed_of(*, user: Any) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user).first()


def calendar_feed_by_secret(*, secret: str) -> CalendarFeed | None:
    """The feed at this private address, if its owner may still sign in."""
    return (
        CalendarFeed.objects.select_related("user")
        .filter(secret=secret, user__is_active=True)
        .first()
    )
