"""Writing the audit trail.  Call from services, inside the transaction of the change."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable, Sequence
from typing import Any

from django.db import models
from django.forms.models import model_to_dict
from django.utils import timezone

from . import chain
from .models import AuditEvent


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if hasattr(value, "name") and hasattr(value, "url"):  # stored files
        return value.name or None
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The concrete field values of ``obj`` as JSON-ready data (for ``before``/``after``)."""
    data = model_to_dict(obj, fields=fields)
    data.pop("password", None)
    return _jsonable(data)


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
    actor_label: str = "system",
) -> AuditEvent:
    """Append one audit event.  ``actor`` None (or anonymous) records ``actor_label``.

    That is "system" unless told otherwise (e.g. "public" for a visitor's comment).  The
    event is linked into the hash chain (``audit/chain.py``) in the caller's transaction.
    """
    return chain.append(
        AuditEvent(
            **_who_on_what(actor, actor_label, obj),
            action=action,
            before=_jsonable(before),
            after=_jsonable(after),
            note=note,
        )
    )


def audit_record_many(
    records: Sequence[tuple[str, models.Model, dict[str, Any] | None]],
    *,
    actor: Any = None,
    actor_label: str = "system",
) -> int:
    """:func:`audit_record` for many ``(action, obj, after)`` at once (a batch job): the
    same events, linked into the chain in order under one lock of its head."""
    if not records:
        return 0
    return chain.append_many(
        AuditEvent(**_who_on_what(actor, actor_label, obj), action=action, after=_jsonable(after))
        for action, obj, after in records
    )


# (action, object_type, object_id, object_repr, party_id, after): see audit_record_values.
AuditValues = tuple[str, str, Any, str, int | None, dict[str, Any] | None]


def audit_record_values(
    records: Sequence[AuditValues],
    *,
    at: Callable[[], dt.datetime] = timezone.now,
) -> int:
    """:func:`audit_record_many` by the system for objects given as plain values, without
    model instances (the deadline sweep): ``(action, object_type, object_id, object_repr,
    party_id, after)`` each, ``object_type`` the model's ``label_lower``, ``object_repr``
    its ``str()`` and ``after`` JSON-ready already (as :func:`snapshot` gives it).  The same
    events as :func:`audit_record_many` would record for the objects, linked into the chain
    in order under one lock of its head."""
    return chain.append_rows(
        [
            {
                "at": at(),
                "actor_id": None,
                "actor_label": "system",
                "action": action,
                "object_type": object_type,
                "object_id": str(object_id),
                "object_repr": object_repr[:300],
                "party_id": party_id,
                "before": None,
                "after": after,
                "note": "",
            }
            for action, object_type, object_id, object_repr, party_id, after in records
        ]
    )


def _who_on_what(actor: Any, actor_label: str, obj: models.Model) -> dict[str, Any]:
    """An event's fields that say who acted (a signed-in user, else ``actor_label``) and on
    which object (and so which port's record it is)."""
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    party_id = getattr(obj, "party_id", None)
    if obj._meta.label_lower == "agreement.party":
        party_id = obj.pk
    return {
        "actor": actor if is_user else None,
        "actor_label": actor.get_username() if is_user else actor_label,
        "object_type": obj._meta.label_lower,
        "object_id": str(obj.pk),
        "object_repr": str(obj)[:300],
        "party_id": party_id,
    }
