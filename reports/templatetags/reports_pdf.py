"""Formatting for the report templates: numbers, percentages, Pacific times, CSS strings."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django import template

from agreement.deadlines import PACIFIC
from core.templatetags.ui import dollars

register = template.Library()


@register.filter
def num(value: Decimal | None) -> str:
    """Thousands separators; decimals only where the figure has them; a dash if missing."""
    if value is None:
        return "—"
    value = Decimal(value)
    if value == value.to_integral_value():
        return f"{value:,.0f}"
    return f"{value.normalize():,f}"


@register.filter
def money(value: Decimal | None) -> str:
    """US dollars as on the pages (:func:`core.templatetags.ui.dollars`: ``$50,000.00``,
    ``-$5.00``), or a dash in a table cell with no amount."""
    return dollars(value) or "—"


@register.filter
def pct(value: Decimal | None) -> str:
    """A signed whole percentage (the sources' precision), or a dash if missing."""
    if value is None:
        return "—"
    return f"{Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP):+.0f}%"


@register.filter
def pacific(value: dt.datetime | None) -> str:
    if value is None:
        return "—"
    return value.astimezone(PACIFIC).strftime("%Y-%m-%d %H:%M %Z")


@register.filter
def pacific_date(value: dt.datetime | None) -> str:
    """The Pacific calendar date of a moment (YYYY-MM-DD), or a dash."""
    if value is None:
        return "—"
    return value.astimezone(PACIFIC).strftime("%Y-%m-%d")


@register.filter
def css_string(value: str) -> str:
    """Text safe inside a CSS double-quoted string."""
    return str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
