"""Small helpers for the report pages (they ask the policy and selectors, nothing else)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from accounts import policy
from accounts.policy import Action

from .. import selectors
from ..models import EmissionsInventory, ReportRun
from .reports_pdf import num, pct

register = template.Library()


@register.simple_tag(takes_context=True)
def run_row_perms(context: dict[str, Any], run: ReportRun) -> dict[str, bool]:
    user = context["request"].user
    return {
        "download": selectors.report_run_downloadable(user, run),
        "publish": policy.can(user, Action.REPORT_PUBLISH, run),
        "retry": policy.can(user, Action.REPORT_GENERATE, run),
    }


@register.simple_tag(takes_context=True)
def policy_can(context: dict[str, Any], action: str, obj: Any = None) -> bool:
    """``{% policy_can "emissions.edit" inventory as allowed %}``: asks the one policy."""
    return policy.can(context["request"].user, Action(action), obj)


@register.simple_tag
def figure_cell(inventory: EmissionsInventory, metric: str) -> SafeString:
    """A figure with its basis: the value, or the published % change, or a dash."""
    figure = next((f for f in inventory.figures.all() if f.metric == metric), None)
    if figure is None:
        return format_html("{}", "—")
    if figure.value is None:
        return format_html(
            "{} <span class='hint'>({})</span>", pct(figure.change_vs_2005_pct), _("vs 2005")
        )
    if figure.basis == "illustrative":
        return format_html(
            "{} <span class='badge provisional'>{}</span>", num(figure.value), _("illustrative")
        )
    return format_html("{}", num(figure.value))
