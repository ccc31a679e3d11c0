"""Who may do what: the one policy, asked by pages, the API, admin and services alike.

``can(user, action, obj)`` answers; ``require(...)`` raises :class:`core.errors.Forbidden`.
Objects tied to one port expose ``party_id`` (the port); port staff may act only on objects
of their own port.  Anonymous visitors are the public.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from core.errors import Forbidden

from .models import Role

_Q = TypeVar("_Q", bound=QuerySet[Any])


class Action(StrEnum):
    ADMINISTER = "administer"  # Django admin: users, the agreement's terms, schedules
    VIEW_DASHBOARD = "dashboard.view"
    MILESTONE_VIEW = "milestone.view"
    MILESTONE_CHANGE_DUE_DATE = "milestone.change_due_date"  # amendment of the agreement
    AGREEMENT_EDIT_TERMS = "agreement.edit_terms"
    PLAN_VIEW = "plan.view"
    PLAN_EDIT = "plan.edit"
    PLAN_SUBMIT = "plan.submit"
    PLAN_WITHDRAW = "plan.withdraw"
    PLAN_COMMENT = "plan.comment"
    PLAN_REVIEW = "plan.review"  # work the queue, approve or reject
    # Public input: the public copy of draft and approved plans, comments on drafts.
    PLAN_VIEW_PUBLIC = "plan.view_public"
    PUBLIC_COMMENT_SUBMIT = "public_comment.submit"
    PUBLIC_COMMENT_VIEW_ALL = "public_comment.view_all"  # pending and rejected too
    PUBLIC_COMMENT_MODERATE = "public_comment.moderate"
    EXTENSION_VIEW = "extension.view"  # read extension requests (own port; AQMD, the board)
    EXTENSION_REQUEST = "extension.request"
    EXTENSION_DECIDE = "extension.decide"
    FLEXIBILITY_VIEW = "flexibility.view"
    FLEXIBILITY_REQUEST = "flexibility.request"
    FLEXIBILITY_DECIDE = "flexibility.decide"
    COMPLETION_VIEW = "completion.view"  # read completion reports (own port; AQMD, the board)
    COMPLETION_REPORT = "completion.report"
    COMPLETION_DECIDE = "completion.decide"
    # The actuals ports report against their approved plans' targets, verified by AQMD.
    TARGET_ACTUAL_VIEW = "target_actual.view"  # the reports themselves (own port; AQMD, board)
    TARGET_ACTUAL_REPORT = "target_actual.report"
    TARGET_ACTUAL_DECIDE = "target_actual.decide"
    # Target vs verified actual (approved targets and accepted actuals only).
    TARGET_PROGRESS_VIEW = "target_progress.view"
    DEFAULT_VIEW = "default.view"  # defaults AQMD confirmed: public
    # Flagged and dismissed defaults: AQMD and the port concerned, never the public.
    DEFAULT_VIEW_UNDETERMINED = "default.view_undetermined"
    DEFAULT_DETERMINE = "default.determine"  # confirm or dismiss a flagged default
    PENALTY_RECORD_PAYMENT = "penalty.record_payment"
    PENALTY_WAIVE = "penalty.waive"
    FUND_VIEW = "fund.view"
    FUND_DISBURSE = "fund.disburse"
    EMISSIONS_VIEW = "emissions.view"
    EMISSIONS_EDIT = "emissions.edit"
    EMISSIONS_REVIEW = "emissions.review"
    REPORT_VIEW = "report.view"
    REPORT_VIEW_PUBLISHED = "report.view_published"  # the public copy of a published report
    REPORT_GENERATE = "report.generate"
    REPORT_PUBLISH = "report.publish"
    AUDIT_VIEW = "audit.view"
    # The agreement's terms as data: parties, phases, categories, the penalty schedule.
    AGREEMENT_VIEW = "agreement.view"
    # Withdrawal notices: AQMD and the board read them; AQMD administrators record them.
    WITHDRAWAL_VIEW = "withdrawal.view"
    WITHDRAWAL_RECORD = "withdrawal.record"
    # Cost recovery invoices: AQMD and the board all, port staff their own port's.
    COST_RECOVERY_VIEW = "cost_recovery.view"
    COST_RECOVERY_MANAGE = "cost_recovery.manage"  # issue invoices, record payments
    # A signed-in user's own API tokens and calendar feed (changes no record of the agreement).
    CREDENTIALS_MANAGE = "credentials.manage"


REVIEWER = Role.AQMD_REVIEWER
ADMIN = Role.AQMD_ADMIN
BOARD = Role.BOARD_MEMBER
STAFF = Role.PORT_STAFF
AQMD = frozenset({REVIEWER, ADMIN})
READERS = frozenset({REVIEWER, ADMIN, BOARD})


@dataclass(frozen=True)
class Rule:
    """``roles`` may act on any object; ``own_port`` roles only on their own port's objects.

    ``public`` lets anonymous visitors act.  ``check`` adds a per-object condition on top
    (e.g. "only published reports"): it receives the user (or None) and the object.
    """

    roles: frozenset[str] = frozenset()
    own_port: frozenset[str] = frozenset()
    public: bool = False
    check: Callable[[Any, Any], bool] | None = field(default=None)


def _own_credentials(user: Any, obj: Any) -> bool:
    """Tokens and feeds belong to one user (``user_id``); only that user manages them."""
    return user is not None and getattr(obj, "user_id", None) == user.pk


def _beyond_port_only_when_submitted(user: Any, obj: Any) -> bool:
    """Port staff (already limited to their port) see drafts; others only what was submitted.

    Plans and plan versions say so with ``visible_beyond_port``.
    """
    if role_of(user) == STAFF:
        return True
    return bool(getattr(obj, "visible_beyond_port", True))


def _determined_or_own(user: Any, obj: Any) -> bool:
    """A default AQMD has not confirmed (flagged, dismissed, withdrawn before a
    determination) is seen by AQMD and the port concerned only, never the public.

    Defaults say so with ``was_confirmed``; penalties exist for confirmed defaults only.
    """
    if bool(getattr(obj, "was_confirmed", True)):
        return True
    return can(user, Action.DEFAULT_VIEW_UNDETERMINED, obj)


def _public_plan_version(user: Any, obj: Any) -> bool:
    """Everyone sees a submitted draft-kind version and an approved one, nothing else.

    Plan versions say so with ``visible_to_public``.
    """
    return bool(getattr(obj, "visible_to_public", False))


# The requests a port files on its milestones and targets: AQMD and the board read every
# port's, port staff read and file their own port's, AQMD decides.
_REQUEST_READ = Rule(roles=READERS, own_port=frozenset({STAFF}))
_REQUEST_FILE = Rule(own_port=frozenset({STAFF}))
_REQUEST_DECIDE = Rule(roles=AQMD)

RULES: dict[Action, Rule] = {
    Action.ADMINISTER: Rule(roles=frozenset({ADMIN})),
    Action.VIEW_DASHBOARD: Rule(roles=READERS, own_port=frozenset({STAFF})),
    Action.MILESTONE_VIEW: Rule(roles=READERS, own_port=frozenset({STAFF}), public=True),
    Action.MILESTONE_CHANGE_DUE_DATE: Rule(roles=frozenset({ADMIN})),
    Action.AGREEMENT_EDIT_TERMS: Rule(roles=frozenset({ADMIN})),
    # AQMD and the board see submitted plan versions only, never an unsubmitted draft.
    Action.PLAN_VIEW: Rule(
        roles=READERS, own_port=frozenset({STAFF}), check=_beyond_port_only_when_submitted
    ),
    Action.PLAN_EDIT: Rule(own_port=frozenset({STAFF})),
    Action.PLAN_SUBMIT: Rule(own_port=frozenset({STAFF})),
    Action.PLAN_WITHDRAW: Rule(own_port=frozenset({STAFF})),
    Action.PLAN_COMMENT: Rule(
        roles=AQMD, own_port=frozenset({STAFF}), check=_beyond_port_only_when_submitted
    ),
    Action.PLAN_REVIEW: Rule(roles=AQMD, check=_beyond_port_only_when_submitted),
    Action.PLAN_VIEW_PUBLIC: Rule(public=True, check=_public_plan_version),
    Action.PUBLIC_COMMENT_SUBMIT: Rule(public=True, check=_public_plan_version),
    # The board reads published comments on the public pages like everyone else.
    Action.PUBLIC_COMMENT_VIEW_ALL: Rule(roles=AQMD, own_port=frozenset({STAFF})),
    Action.PUBLIC_COMMENT_MODERATE: Rule(roles=AQMD),
    # The requests a port files on its milestones and targets (penalties/milestone_requests.py),
    # each kind read, filed and decided by the same rules.
    Action.EXTENSION_VIEW: _REQUEST_READ,
    Action.EXTENSION_REQUEST: _REQUEST_FILE,
    Action.EXTENSION_DECIDE: _REQUEST_DECIDE,
    Action.FLEXIBILITY_VIEW: _REQUEST_READ,
    Action.FLEXIBILITY_REQUEST: _REQUEST_FILE,
    Action.FLEXIBILITY_DECIDE: _REQUEST_DECIDE,
    Action.COMPLETION_VIEW: _REQUEST_READ,
    Action.COMPLETION_REPORT: _REQUEST_FILE,
    Action.COMPLETION_DECIDE: _REQUEST_DECIDE,
    Action.TARGET_ACTUAL_VIEW: _REQUEST_READ,
    Action.TARGET_ACTUAL_REPORT: _REQUEST_FILE,
    Action.TARGET_ACTUAL_DECIDE: _REQUEST_DECIDE,
    # Progress is read where plans are read: AQMD and the board every port, port staff
    # their own (the public reads the approved plans and the published annual report).
    Action.TARGET_PROGRESS_VIEW: Rule(roles=READERS, own_port=frozenset({STAFF})),
    Action.DEFAULT_VIEW: Rule(
        roles=READERS, own_port=frozenset({STAFF}), public=True, check=_determined_or_own
    ),
    Action.DEFAULT_VIEW_UNDETERMINED: Rule(roles=AQMD, own_port=frozenset({STAFF})),
    Action.DEFAULT_DETERMINE: Rule(roles=AQMD),
    Action.PENALTY_RECORD_PAYMENT: Rule(roles=frozenset({ADMIN})),
    Action.PENALTY_WAIVE: Rule(roles=frozenset({ADMIN})),
    Action.FUND_VIEW: Rule(roles=READERS | {STAFF}, public=True),
    Action.FUND_DISBURSE: Rule(roles=frozenset({ADMIN})),
    Action.EMISSIONS_VIEW: Rule(roles=READERS | {STAFF}, public=True),
    Action.EMISSIONS_EDIT: Rule(roles=frozenset({ADMIN}), own_port=frozenset({STAFF})),
    Action.EMISSIONS_REVIEW: Rule(roles=AQMD),
    Action.REPORT_VIEW: Rule(roles=READERS, own_port=frozenset({STAFF})),
    Action.REPORT_VIEW_PUBLISHED: Rule(
        roles=READERS | {STAFF},
        public=True,
        check=lambda user, obj: bool(getattr(obj, "is_published", False)),
    ),
    Action.REPORT_GENERATE: Rule(roles=AQMD),
    Action.REPORT_PUBLISH: Rule(roles=frozenset({ADMIN})),
    Action.AUDIT_VIEW: Rule(roles=READERS, own_port=frozenset({STAFF})),
    Action.AGREEMENT_VIEW: Rule(roles=READERS | {STAFF}, public=True),
    Action.WITHDRAWAL_VIEW: Rule(roles=READERS),
    Action.WITHDRAWAL_RECORD: Rule(roles=frozenset({ADMIN})),
    Action.COST_RECOVERY_VIEW: Rule(roles=READERS, own_port=frozenset({STAFF})),
    Action.COST_RECOVERY_MANAGE: Rule(roles=frozenset({ADMIN})),
    Action.CREDENTIALS_MANAGE: Rule(roles=READERS | {STAFF}, check=_own_credentials),
}


def role_of(user: Any) -> str | None:
    """The effective role of an active, signed-in user; None for the public."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return str(user.effective_role)


def party_id_of(obj: Any) -> int | None:
    """The port an object belongs to, or None for objects of the whole agreement."""
    if obj is None:
        return None
    value = getattr(obj, "party_id", None)
    return int(value) if value is not None else None


def can(user: Any, action: Action, obj: Any = None) -> bool:
    """May ``user`` (None or anonymous: the public) do ``action`` to ``obj``?

    With ``obj`` None the question is "may this user do this to some object at all", which
    pages use to decide whether to show a link.
    """
    rule = RULES[action]
    role = role_of(user)
    if role is None:
        allowed = rule.public
    elif role in rule.roles:
        allowed = True
    elif role in rule.own_port:
        port = party_id_of(obj)
        allowed = obj is None or (port is not None and port == user.party_id)
    else:
        allowed = rule.public
    if allowed and rule.check is not None and obj is not None:
        allowed = rule.check(user if role else None, obj)
    return allowed


def require(user: Any, action: Action, obj: Any = None) -> None:
    """Raise :class:`Forbidden` unless :func:`can` allows it."""
    if not can(user, action, obj):
        raise Forbidden(_("You are not allowed to do this."))


def port_scope(user: Any) -> int | None:
    """For list pages: the one port whose rows port staff may see; None means "every port"."""
    if role_of(user) == STAFF:
        return int(user.party_id)
    return None


def visible(user: Any, action: Action, queryset: _Q, *, port_field: str = "party") -> _Q:
    """The rows of ``queryset`` that ``user`` may ``action``, as SQL (for lists and lookups).

    The same answer as :func:`can` row by row: ``roles`` see every row, ``own_port`` roles
    the rows whose ``port_field`` is their port, the public what a public rule allows.
    A rule's per-object ``check`` cannot be said in SQL: selectors of such resources narrow
    further themselves.
    """
    rule = RULES[action]
    role = role_of(user)
    if role is not None and role in rule.roles:
        return queryset
    if role is not None and role in rule.own_port:
        return queryset.filter(**{f"{port_field}_id": user.party_id})
    return queryset.all() if rule.public else queryset.none()
