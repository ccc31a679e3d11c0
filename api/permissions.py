"""The API asks the one policy (``accounts/policy.py``), nothing else.

Every view names the action its operation performs (``policy_action``); a view without one
is refused (fail closed).  Lists and lookups are scoped with :func:`policy.visible`, so a
row the user may not see is a 404; a visible row the user may not act on is a 403.
Anonymous callers of an operation the public may not perform get 401.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rest_framework.permissions import BasePermission

from accounts import policy

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView


def _action_of(view: APIView) -> policy.Action | None:
    action = getattr(view, "policy_action", None)
    return action if isinstance(action, policy.Action) else None


class PolicyPermission(BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        action = _action_of(view)
        # DRF turns False for an unauthenticated caller into 401 (NotAuthenticated).
        return action is not None and policy.can(request.user, action)

    def has_object_permission(self, request: Request, view: APIView, obj: Any) -> bool:
        action = _action_of(view)
        return action is not None and policy.can(request.user, action, obj)
