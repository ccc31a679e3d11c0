"""Models every app shares: stored documents (PDF uploads) and the outbox of e-mail; and the
field declarations every app's models repeat (who did it, which port, which state)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, Self, TypeVar, overload

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from accounts.models import User
    from agreement.models import Party

_M = TypeVar("_M", bound=models.Model)


@overload
def user_fk(
    verbose_name: StrOrPromise | None = None,
    *,
    optional: Literal[False] = False,
    related_name: str = "+",
    **options: Any,
) -> models.ForeignKey[User, User]: ...
@overload
def user_fk(
    verbose_name: StrOrPromise | None = None,
    *,
    optional: Literal[True],
    related_name: str = "+",
    **options: Any,
) -> models.ForeignKey[User | None, User | None]: ...
def user_fk(
    verbose_name: StrOrPromise | None = None,
    *,
    optional: bool = False,
    related_name: str = "+",
    **options: Any,
) -> models.ForeignKey[Any, Any]:
    """A user who did something to the record (filed, decided, recorded it).

    Users are never deleted (``PROTECT``); ``optional`` for an act not done yet, or done by
    the system.  No reverse accessor unless ``related_name`` names one.
    """
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        on_delete=models.PROTECT,
        null=optional,
        blank=optional,
        related_name=related_name,
        **options,
    )


@overload
def port_fk(
    related_name: str = "+", *, optional: Literal[False] = False, **options: Any
) -> models.ForeignKey[Party, Party]: ...
@overload
def port_fk(
    related_name: str = "+", *, optional: Literal[True], **options: Any
) -> models.ForeignKey[Party | None, Party | None]: ...
def port_fk(
    related_name: str = "+", *, optional: bool = False, **options: Any
) -> models.ForeignKey[Any, Any]:
    """The port (a party of the agreement) a record belongs to; parties are never deleted."""
    return models.ForeignKey(
        "agreement.Party",
        verbose_name=_("port"),
        on_delete=models.PROTECT,
        null=optional,
        blank=optional,
        related_name=related_name,
        **options,
    )


def status_field(
    states: type[models.TextChoices],
    *,
    default: str,
    verbose_name: StrOrPromise | None = None,
    max_length: int = 20,
) -> models.CharField[str, str]:
    """The state of a record with a workflow (``core.workflow``): one of ``states``."""
    return models.CharField(
        _("status") if verbose_name is None else verbose_name,
        max_length=max_length,
        choices=states.choices,
        default=default,
    )


def status_known(name: str, states: type[models.TextChoices]) -> models.CheckConstraint:
    """The database's check that a ``status_field`` holds one of ``states``."""
    return models.CheckConstraint(name=name, condition=Q(status__in=states.values))


class PortQuerySet(models.QuerySet[_M]):
    """Rows that belong to a port (``port_fk``)."""

    def for_port(self, party_id: int | None) -> Self:
        """The rows of one port; ``None`` means every port."""
        return self if party_id is None else self.filter(party_id=party_id)


class Document(models.Model):
    """A PDF as uploaded: kept under a generated name with its SHA-256; never replaced.

    Who may download it is decided by the object that holds it (a plan version, a request).
    """

    original_name = models.CharField(_("file name"), max_length=255)
    file = models.FileField(_("file"), upload_to="documents/%Y/%m/", max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size_bytes = models.PositiveBigIntegerField(_("size (bytes)"))
    content_type = models.CharField(_("content type"), max_length=100, default="application/pdf")
    party = port_fk(optional=True)
    uploaded_by = user_fk()
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(
                name="document_sha256_is_hex64", condition=Q(sha256__regex=r"^[0-9a-f]{64}$")
            )
        ]

    def __str__(self) -> str:
        return self.original_name


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Given up after repeated failures")


class OutboxMessage(models.Model):
    """One e-mail for one event and recipient: the one outbox of the application.

    Written in the transaction of the event (so a rolled-back event mails nobody), delivered
    after commit by the Celery task ``core.outbox_deliver`` and, when that delivery failed or
    was never enqueued (the broker was down), by the beat job ``core.outbox_redeliver`` with
    backoff.  The unique (event, recipient) pair means no event mails anyone twice, whoever
    runs the delivery and however often.  ``hook`` names a function called once when the
    message is sent (e.g. the legal notice it carries records when it went out).
    """

    event_key = models.CharField(_("event"), max_length=150)
    recipient = user_fk(_("recipient"))
    to_email = models.EmailField(_("address"))
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"))
    status = status_field(OutboxStatus, default=OutboxStatus.PENDING, max_length=10)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    attempts = models.PositiveSmallIntegerField(_("delivery attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    hook = models.CharField(_("delivery hook"), max_length=80, blank=True)
    hook_arg = models.BigIntegerField(_("delivery hook argument"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mail")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event_key", "recipient"], name="one_message_per_event_recipient"
            ),
            models.CheckConstraint(
                name="sent_message_has_time",
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
            ),
            status_known("outbox_status_known", OutboxStatus),
        ]
        indexes = [
            # The redelivery job scans pending messages whose next attempt is due.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="outbox_pending_due_idx",
            ),
            models.Index(fields=["event_key"], name="outbox_event_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_key} → {self.to_email}"
