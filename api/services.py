"""Writes to API tokens and calendar feeds.  Each is atomic, policy-checked and audited."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policy
from audit.services import audit_record
from core.errors import ServiceError
from core.workflow import save_audited

from .models import TOKEN_NAME_MAX_LENGTH, ApiToken, CalendarFeed, token_hash

TOKEN_PREFIX_LENGTH = 8
MAX_ACTIVE_TOKENS = 20


def _token_record(token: ApiToken) -> dict[str, Any]:
    """What the audit trail keeps of a token: never the secret or its hash."""
    return {
        "user": token.user_id,
        "name": token.name,
        "prefix": token.prefix,
        "revoked_at": token.revoked_at,
    }


@transaction.atomic
def api_token_create(*, user: Any, name: str, actor: Any) -> tuple[ApiToken, str]:
    """Issue a token for ``user``; returns it with the secret, which is never shown again."""
    policy.require(actor, policy.Action.CREDENTIALS_MANAGE, ApiToken(user=user))
    name = (name or "").strip()
    if not name:
        raise ServiceError(
            _("Name the token after the program that uses it."),
            fields={"name": _("A name is required.")},
        )
    if len(name) > TOKEN_NAME_MAX_LENGTH:
        raise ServiceError(_("That name is too long."), fields={"name": _("Too long.")})
    if ApiToken.objects.active().filter(user=user).count() >= MAX_ACTIVE_TOKENS:
        raise ServiceError(
            _("You have %(count)d active tokens: revoke one you no longer use first.")
            % {"count": MAX_ACTIVE_TOKENS}
        )
    secret = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=secret[:TOKEN_PREFIX_LENGTH],
        key_hash=token_hash(secret),
        created_at=timezone.now(),
    )
    audit_record(actor=actor, action="api_token.created", obj=token, after=_token_record(token))
    return token, secret


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: Any) -> ApiToken:
    """Revoke a token at once; revoking a revoked token changes nothing."""
    policy.require(actor, policy.Action.CREDENTIALS_MANAGE, token)
    locked = ApiToken.objects.select_for_update().get(pk=token.pk)
    if locked.revoked_at is not None:
        return locked
    save_audited(
        locked,
        {"revoked_at": timezone.now()},
        actor=actor,
        action="api_token.revoked",
        record=_token_record,
    )
    token.revoked_at = locked.revoked_at
    return locked


def api_token_authenticate(*, secret: str) -> ApiToken | None:
    """The active token with this secret, with its user, or None.

    Notes the time of use at most once a minute (a bookkeeping column, not audited: it
    changes no record of the agreement).
    """
    token = (
        ApiToken.objects.active()
        .select_related("user", "user__party")
        .filter(key_hash=token_hash(secret))
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() >= 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


@transaction.atomic
def calendar_feed_regenerate(*, user: Any, actor: Any) -> CalendarFeed:
    """Give ``user`` a new private calendar address; the previous one stops working."""
    feed = CalendarFeed.objects.select_for_update().filter(user=user).first()
    policy.require(actor, policy.Action.CREDENTIALS_MANAGE, feed or CalendarFeed(user=user))
    new_secret = secrets.token_urlsafe(32)
    if feed is None:
        feed = CalendarFeed.objects.create(user=user, secret=new_secret)
        action = "calendar_feed.created"
    else:
        feed.secret, feed.created_at = new_secret, timezone.now()
        feed.save(update_fields=["secret", "created_at"])
        action = "calendar_feed.regenerated"
    audit_record(actor=actor, action=action, obj=feed, after={"user": user.pk})
    return feed
