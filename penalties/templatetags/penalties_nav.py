"""The penalties app's navigation entries, asked of the policy (nothing else)."""

from __future__ import annotations

from typing import Any

from django import template

from accounts import policy
from accounts.policy import Action

register = template.Library()


@register.inclusion_tag("penalties/_nav_items.html", takes_context=True)
def penalties_nav(context: dict[str, Any]) -> dict[str, Any]:
    user = context.get("user")
    signed_in = bool(user is not None and user.is_authenticated)
    return {
        "show_defaults": policy.can(user, Action.DEFAULT_VIEW),
        "show_fund": policy.can(user, Action.FUND_VIEW),
        # Port staff's own deadlines with the extension and flexibility actions; everyone else
        # uses the general milestones list (agreement) and the requests page.
        "show_milestones": signed_in and policy.port_scope(user) is not None,
        "show_requests": signed_in and policy.can(user, Action.EXTENSION_VIEW),
    }
