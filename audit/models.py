from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import port_fk, user_fk


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def for_object(self, obj: models.Model) -> AuditEventQuerySet:
        return self.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))


class AuditEvent(models.Model):
    """One state change: who did what to which object, when, with the values before and after.

    Append-only: rows are written by services inside the transaction of the change, and the
    database refuses UPDATE and DELETE on this table (see migration 0002).

    Tamper-evident: ``hash`` is the SHA-256 of the event's content and ``prev_hash``, the
    hash of the event written before it (``audit/chain.py``), so whoever disables the
    trigger and edits, deletes or inserts a row breaks the chain that
    ``python manage.py verify_audit_log`` checks.
    """

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = user_fk(_("who"), optional=True, help_text=_("Empty for the system (scheduled jobs)."))
    actor_label = models.CharField(_("who (as recorded)"), max_length=150)
    action = models.CharField(_("what"), max_length=80, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=300)
    party = port_fk(optional=True, help_text=_("The port the object belongs to, if any."))
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    prev_hash = models.CharField(
        _("previous event's hash"), max_length=64, blank=True, editable=False
    )
    hash = models.CharField(_("hash"), max_length=64, unique=True, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "at"]),
            # The audit API's keyset pages: newest first, ties by id.
            models.Index(fields=["at", "id"], name="audit_event_at_id_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                name="audit_event_hash_is_sha256", condition=models.Q(hash__regex=r"^[0-9a-f]{64}$")
            )
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise RuntimeError("Audit events are append-only.")
        if not self.hash:
            raise RuntimeError("Append audit events through audit.chain.append (the hash chain).")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("Audit events are append-only.")

    @property
    def actor_display(self) -> str:
        """Who acted, as pages show a person (full name), else as recorded (the public, the
        system). Load ``actor`` with the event to avoid a query per row."""
        if self.actor is not None:
            return str(self.actor.display_name)
        return self.actor_label


class AuditChainHead(models.Model):
    """The last event of the hash chain: one row, locked by every writer of an event.

    Appending reads the head under ``SELECT ... FOR UPDATE``, links the new event to it and
    moves it, in the transaction of the change: concurrent writers queue on this row and
    chain in commit order.  It also makes deleting the last events detectable.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    last_event_id = models.BigIntegerField(_("last event"), null=True, blank=True)
    last_hash = models.CharField(_("last hash"), max_length=64, blank=True)
    length = models.BigIntegerField(_("events in the chain"), default=0)

    class Meta:
        verbose_name = _("audit chain head")
        constraints = [
            models.CheckConstraint(name="audit_chain_head_single_row", condition=models.Q(id=1))
        ]

    def __str__(self) -> str:
        return f"audit chain: {self.length} events, last #{self.last_event_id}"
