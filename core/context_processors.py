from typing import Any

from django.http import HttpRequest

from accounts import policy

from .navigation import navigation_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The navigation sections the current user may use (asks the policy, nothing else)."""
    user = request.user
    match = getattr(request, "resolver_match", None)
    sections = navigation_for(user, match.view_name if match else None)
    return {
        "nav_sections": sections,
        "nav_current": next((s for s in sections if s.current), None),
        "nav_can_see_public_comments": policy.can(user, policy.Action.PUBLIC_COMMENT_VIEW_ALL),
    }
