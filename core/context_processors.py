from typing import Any

from django.http import HttpRequest

from accounts import policy


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Which navigation entries the current user may see (asks the policy, nothing else)."""
    user = request.user
    return {
        "nav_can_administer": policy.can(user, policy.Action.ADMINISTER),
        "nav_can_view_plans": policy.can(user, policy.Action.PLAN_VIEW),
        "nav_can_review_plans": policy.can(user, policy.Action.PLAN_REVIEW),
        "nav_can_see_public_comments": policy.can(user, policy.Action.PUBLIC_COMMENT_VIEW_ALL),
        "nav_can_moderate_public_comments": policy.can(user, policy.Action.PUBLIC_COMMENT_MODERATE),
        "nav_can_view_cost_recovery": policy.can(user, policy.Action.COST_RECOVERY_VIEW),
    }
