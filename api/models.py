"""Credentials for programs (API tokens) and for calendar apps (a private feed address)."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import user_fk


def token_hash(secret: str) -> str:
    """SHA-256 of a token as presented: the only form of the secret the database keeps."""
    return hashlib.sha256(secret.encode()).hexdigest()


TOKEN_NAME_MAX_LENGTH = 100


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A user's token for programs calling the API as that user.

    The secret is shown once, at creation; only its SHA-256 is stored, with a short prefix
    that lets the owner tell tokens apart.  Revoked tokens stay as a record and fail with 401.
    """

    user = user_fk(_("user"), related_name="api_tokens")
    name = models.CharField(_("name"), max_length=TOKEN_NAME_MAX_LENGTH)
    prefix = models.CharField(_("prefix"), max_length=12)
    key_hash = models.CharField(_("SHA-256 of the token"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(name="api_token_has_name", condition=~Q(name="")),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class CalendarFeed(models.Model):
    """The private address of a user's deadline calendar (``/calendar/<secret>.ics``).

    Calendar apps cannot send a header, so the secret sits in the address.  It is random
    (256 bits) and kept in the clear so the owner's page can always show the address; the
    feed reveals only deadlines the owner may see.  Regenerating it retires the old address.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="calendar_feed",
    )
    secret = models.CharField(_("secret"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(_("Calendar feed of %(user)s") % {"user": self.user_id})
