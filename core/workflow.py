"""One way to change state: a transition table per stateful model, and one ``transition``.

Each stateful model declares its table once, next to the model::

    PENALTY_WORKFLOW = workflow(Penalty, states=PenaltyStatus, action="penalty", moves={
        PenaltyStatus.ASSESSED: {PenaltyStatus.NOTICE_SENT, PenaltyStatus.WAIVED, ...},
        ...
    })

A record decided once (one start state, each outcome final) declares its moves as
``moves=decided_once(InvoiceStatus.ISSUED, InvoiceStatus.PAID, InvoiceStatus.VOID)``.

Every service that changes that state calls :func:`transition`, which

1. locks the row (``select_for_update``) and re-reads it,
2. is a no-op when the row is already in the target state (returns ``changed=False``),
3. checks the table: an illegal move raises :class:`core.errors.Conflict` (409 in the API, a
   message on the page) that names the current state and what the user can do instead,
4. writes the state and the other ``changes`` with ``save(update_fields=...)``,
5. appends the audit event (who, what, when, before and after), and
6. puts the notifications in the outbox, delivered after commit (:mod:`core.outbox`).

Services keep their own checks (permission, required reasons, business rules) before the
call; the table and the mechanics live here only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from functools import partial
from typing import Any, NamedTuple, TypeVar

from django.db import models, transaction
from django.utils.translation import gettext as _

from audit.services import audit_record, snapshot

from .errors import Conflict, ServiceError

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class Workflow:
    """The states of one model's ``field`` and the moves allowed between them."""

    model: type[models.Model]
    states: type[models.TextChoices]
    moves: Mapping[str, frozenset[str]]
    action: str  # audit action prefix, e.g. "penalty" → "penalty.paid"
    field: str = "status"
    # What the user can do instead of an illegal move: hint(current, target) -> text or "".
    hint: Callable[[str, str], Any] | None = None
    # How the object is named in messages; default: its verbose name, capitalised.
    label: Callable[[Any], Any] | None = None
    audited_fields: tuple[str, ...] = dataclass_field(default_factory=tuple)

    def allows(self, current: str, target: str) -> bool:
        return target in self.moves.get(current, frozenset())

    def targets(self, current: str) -> frozenset[str]:
        return self.moves.get(current, frozenset())

    def is_final(self, state: str) -> bool:
        return not self.moves.get(state)

    def state_label(self, state: str) -> str:
        try:
            return str(self.states(state).label)
        except ValueError:
            return state

    def name(self, obj: Any) -> str:
        if self.label is not None:
            return str(self.label(obj))
        return str(self.model._meta.verbose_name).capitalize()

    def conflict(self, obj: Any, target: str) -> Conflict:
        """The error for an illegal move of ``obj`` (in its current state) to ``target``."""
        current = getattr(obj, self.field)
        hint = str(self.hint(current, target)) if self.hint else ""
        if not hint:
            hint = (
                _("It cannot change any more.")
                if self.is_final(current)
                else _("Reload the page to see where it stands now.")
            )
        return Conflict(
            _("%(what)s is %(current)s and cannot become %(target)s. %(hint)s")
            % {
                "what": self.name(obj),
                "current": _in_sentence(self.state_label(current)),
                "target": _in_sentence(self.state_label(target)),
                "hint": hint,
            }
        )

    def check(self, obj: Any, target: str) -> None:
        """Raise :class:`Conflict` unless ``obj`` may move to ``target`` (or is there)."""
        current = getattr(obj, self.field)
        if current != target and not self.allows(current, target):
            raise self.conflict(obj, target)


def _in_sentence(label: str) -> str:
    """A state's label inside a sentence: its first letter lower-cased ("Confirmed by AQMD"
    reads "confirmed by AQMD", not "confirmed by aqmd")."""
    return label[:1].lower() + label[1:]


_WORKFLOWS: dict[type[models.Model], Workflow] = {}


def workflow(
    model: type[models.Model],
    *,
    states: type[models.TextChoices],
    moves: Mapping[str, Iterable[str]],
    action: str,
    field: str = "status",
    hint: Callable[[str, str], Any] | None = None,
    label: Callable[[Any], Any] | None = None,
    audited_fields: Iterable[str] = (),
) -> Workflow:
    """Declare (once) the transition table of ``model``'s ``field``; every state must be named."""
    table = {str(state): frozenset(str(t) for t in targets) for state, targets in moves.items()}
    missing = set(states.values) - set(table)
    unknown = {t for targets in table.values() for t in targets} - set(states.values)
    if missing or unknown:
        raise ValueError(f"{model.__name__}: states missing {missing}, unknown {unknown}")
    declared = Workflow(
        model=model,
        states=states,
        moves=table,
        action=action,
        field=field,
        hint=hint,
        label=label,
        audited_fields=tuple(audited_fields),
    )
    _WORKFLOWS[model] = declared
    return declared


def decided_once(start: str, *outcomes: str) -> dict[str, set[str]]:
    """The moves of a record decided once: from ``start`` to any one of ``outcomes``, and
    from an outcome nowhere (the first decision stands)."""
    return {start: set(outcomes), **{outcome: set() for outcome in outcomes}}


def workflow_of(obj_or_model: Any) -> Workflow:
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    for klass in model.__mro__:
        if klass in _WORKFLOWS:
            return _WORKFLOWS[klass]
    raise LookupError(f"No workflow is declared for {model.__name__}.")


def registered_workflows() -> dict[type[models.Model], Workflow]:
    """Every declared table (for documentation and tests)."""
    return dict(_WORKFLOWS)


def can_move(obj: Any, target: str) -> bool:
    """Whether ``obj`` may move to ``target`` now (for pages deciding which forms to show)."""
    flow = workflow_of(obj)
    return flow.allows(getattr(obj, flow.field), target)


class Moved(NamedTuple):
    """What :func:`transition` returns: the locked, saved row and whether it changed."""

    obj: Any
    changed: bool


def lock(obj: M, *related: str) -> M:
    """``obj``'s row, re-read and locked until the end of the transaction."""
    query = type(obj)._default_manager.select_for_update(of=("self",))
    if related:
        query = query.select_related(*related)
    return query.get(pk=obj.pk)


def save_audited(
    row: M,
    changes: Mapping[str, Any],
    *,
    actor: Any,
    action: str,
    record: Callable[[M], dict[str, Any]] | None = None,
    note: str = "",
    audit_on: models.Model | None = None,
    audit_extra: Mapping[str, Any] | None = None,
) -> None:
    """Write ``changes`` to ``row`` (locked by the caller) with ``save(update_fields=...)``
    and append the audit event ``action`` with the values before and after.

    ``record(row)`` is what the audit trail keeps of the row (default: the changed fields);
    ``audit_on`` records the event on another object, with ``audit_extra`` added to both.
    """
    record = record or partial(snapshot, fields=list(changes))
    before = record(row)
    for name, value in changes.items():
        setattr(row, name, value)
    row.save(update_fields=list(changes))
    after = record(row)
    if audit_extra:
        before = {**audit_extra, **before}
        after = {**audit_extra, **after}
    audit_record(
        actor=actor,
        action=action,
        obj=audit_on if audit_on is not None else row,
        before=before,
        after=after,
        note=note,
    )


def required_reason(
    text: str | None,
    *,
    missing: Any,
    field: str = "reason",
    required: bool = True,
) -> str:
    """``text`` stripped of surrounding blanks.  When it is empty and ``required``, the
    :class:`ServiceError` says ``missing`` (what the user should write) and marks ``field``."""
    text = (text or "").strip()
    if required and not text:
        raise ServiceError(missing, fields={field: _("A reason is required.")})
    return text


@transaction.atomic
def transition(
    obj: M,
    to: str,
    *,
    actor: Any,
    changes: Mapping[str, Any] | None = None,
    note: str = "",
    action: str | None = None,
    audit_on: models.Model | None = None,
    audit_extra: Mapping[str, Any] | None = None,
    notify: Callable[[M], Iterable[Any]] | None = None,
    locked: bool = False,
) -> Moved:
    """Move ``obj`` to state ``to``: lock, check the table, save, audit, notify after commit.

    ``changes`` are other fields written with the state (timestamps, who decided, notes).
    ``action`` names the audit event (default ``<workflow action>.<to>``); ``audit_on``
    records it on another object (a plan's timeline holds its versions' events) with
    ``audit_extra`` added to the values after.  ``notify(row)`` returns the messages
    (:class:`core.outbox.Mail`) to put in the outbox.  ``locked`` says the caller already
    holds the row lock on ``obj`` in this transaction.

    A no-op (``changed=False``, nothing written or sent) when the row is already in ``to``.
    """
    flow = workflow_of(obj)
    row = obj if locked else lock(obj)
    current = getattr(row, flow.field)
    if current == to:
        return Moved(row, False)
    if not flow.allows(current, to):
        raise flow.conflict(row, to)
    changes = dict(changes or {})
    fields = list(dict.fromkeys([flow.field, *changes, *flow.audited_fields]))
    save_audited(
        row,
        {flow.field: to, **changes},
        actor=actor,
        action=action or f"{flow.action}.{to}",
        record=partial(snapshot, fields=fields),
        note=note,
        audit_on=audit_on,
        audit_extra=audit_extra,
    )
    if notify is not None:
        from .outbox import mail_language, outbox_put_all  # the outbox imports core's models

        with mail_language():
            outbox_put_all(list(notify(row)))
    # The caller's object reflects the new state too.
    if row is not obj:
        setattr(obj, flow.field, to)
        for name, value in changes.items():
            setattr(obj, name, value)
    return Moved(row, True)
