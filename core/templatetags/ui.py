"""The markup every page shares: data tables and their headers, sections named by their
heading, calendar dates, amounts of money, the filter block of list pages, and the page title
that templates/page.html takes from its heading.

``{% load ui %}``, then::

    {% table_head _("Port") _("Amount") numeric _("Change") if editing %}
    {% table _("Penalties") _("Port") _("Amount") numeric rows=penalties %}…{% endtable %}
    {% section "fund-heading" _("Clean Air Mitigation Fund") %}…{% endsection %}
    {% day milestone.due_date provisional=milestone.is_provisional %}
    {{ penalty.amount|dollars }}
    {% filters filter.form _("Filter") clear="milestone-list" export="milestone-export" %}
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.template.base import FilterExpression, Parser, Token, render_value_in_context
from django.template.context import Context
from django.template.defaultfilters import floatformat
from django.template.loader_tags import BLOCK_CONTEXT_KEY
from django.urls import reverse
from django.utils import formats
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

register = template.Library()


@dataclass
class Column:
    """A column header: its label, whether it holds figures, and when it is shown."""

    label: FilterExpression
    numeric: bool = False
    shown: FilterExpression | None = None


class TableHeadNode(template.Node):
    def __init__(self, columns: list[Column]) -> None:
        self.columns = columns

    def render(self, context: Context) -> str:
        cells = (
            format_html(
                '<th scope="col" class="num">{}</th>'
                if column.numeric
                else '<th scope="col">{}</th>',
                render_value_in_context(column.label.resolve(context), context),
            )
            for column in self.columns
            if column.shown is None or column.shown.resolve(context)
        )
        return format_html(
            "<thead><tr>{}</tr></thead>", format_html_join("", "{}", ((cell,) for cell in cells))
        )


@register.tag
def table_head(parser: Parser, token: Token) -> TableHeadNode:
    """``<thead>`` with a ``<th scope="col">`` per label, in order::

        {% table_head _("Port") _("Amount") numeric _("Change") if editing %}

    ``numeric`` after a label gives its header ``class="num"`` (a column of figures);
    ``if <variable>`` shows the column only when the variable is true. Labels are written as
    ``{{ }}`` writes them: a ``_("…")`` label is translated, as ``{% translate %}`` would.
    """
    return TableHeadNode(_columns(parser, token.split_contents()[1:], "table_head"))


def _columns(parser: Parser, bits: list[str], tag: str) -> list[Column]:
    """The columns of ``table_head`` (and ``table``): labels, each followed by ``numeric``
    or ``if <variable>`` when it has them."""
    columns: list[Column] = []
    while bits:
        bit = bits.pop(0)
        if bit == "numeric" and columns:
            columns[-1].numeric = True
        elif bit == "if" and columns and bits:
            columns[-1].shown = parser.compile_filter(bits.pop(0))
        else:
            columns.append(Column(parser.compile_filter(bit)))
    if not columns:
        raise template.TemplateSyntaxError(f"{tag} needs at least one column label")
    return columns


TABLE_OPTIONS = ("class", "caption_class", "count", "rows", "empty")


class TableNode(template.Node):
    def __init__(
        self,
        caption: FilterExpression,
        head: TableHeadNode,
        options: dict[str, FilterExpression],
        body: template.NodeList,
    ) -> None:
        self.caption = caption
        self.head = head
        self.options = options
        self.body = body

    def _option(self, name: str, context: Context) -> Any:
        option = self.options.get(name)
        return option.resolve(context) if option is not None else None

    def render(self, context: Context) -> str:
        if "rows" in self.options and not self._option("rows", context):
            empty = self._option("empty", context)
            if empty is None:
                return ""
            return format_html("<p>{}</p>", render_value_in_context(empty, context))
        table_class = self._option("class", context)
        caption_class = self._option("caption_class", context)
        count = self._option("count", context)
        return format_html(
            "<table{}>\n<caption{}>{}{}</caption>{}<tbody>{}</tbody></table>",
            format_html(' class="{}"', table_class) if table_class else "",
            format_html(' class="{}"', caption_class) if caption_class else "",
            render_value_in_context(self.caption.resolve(context), context),
            format_html(" ({})", render_value_in_context(count, context))
            if count is not None
            else "",
            self.head.render(context),
            self.body.render(context),
        )


@register.tag
def table(parser: Parser, token: Token) -> TableNode:
    """A data table: ``<table>``, its ``<caption>``, the ``<thead>`` of ``table_head`` and,
    in ``<tbody>``, the rows written between the tags::

        {% table _("Invoices") _("Invoice") _("Amount") numeric rows=invoices empty=_("None.") %}
          {% for invoice in invoices %}<tr>…</tr>{% endfor %}
        {% endtable %}

    The first argument is the caption, the others the columns, as ``table_head`` takes them.
    Options: ``class`` (of the table), ``caption_class``, ``count`` (a number the caption
    ends with, in brackets), and ``rows``: when ``rows`` is empty
    the table is left out and the sentence ``empty``, when given, stands in its place.
    """
    bits = token.split_contents()[1:]
    options = {}
    for bit in list(bits):
        name, equals, value = bit.partition("=")
        if equals and name in TABLE_OPTIONS:
            options[name] = parser.compile_filter(value)
            bits.remove(bit)
    if not bits:
        raise template.TemplateSyntaxError("table needs a caption and column labels")
    caption = parser.compile_filter(bits.pop(0))
    head = TableHeadNode(_columns(parser, bits, "table"))
    body = parser.parse(("endtable",))
    parser.delete_first_token()
    return TableNode(caption, head, options, body)


class SectionNode(template.Node):
    def __init__(
        self, heading_id: FilterExpression, heading: FilterExpression, body: template.NodeList
    ) -> None:
        self.heading_id = heading_id
        self.heading = heading
        self.body = body

    def render(self, context: Context) -> str:
        heading_id = self.heading_id.resolve(context)
        return format_html(
            '<section aria-labelledby="{}">\n<h2 id="{}">{}</h2>{}</section>',
            heading_id,
            heading_id,
            render_value_in_context(self.heading.resolve(context), context),
            self.body.render(context),
        )


@register.tag
def section(parser: Parser, token: Token) -> SectionNode:
    """A section of a page named by its ``<h2>`` (``aria-labelledby`` the heading's id)::

    {% section "documents-heading" _("Documents") %}<ul>…</ul>{% endsection %}
    """
    bits = token.split_contents()[1:]
    if len(bits) != 2:
        raise template.TemplateSyntaxError("section takes the heading's id and the heading")
    body = parser.parse(("endsection",))
    parser.delete_first_token()
    return SectionNode(parser.compile_filter(bits[0]), parser.compile_filter(bits[1]), body)


@register.simple_tag
def day(value: dt.date | None, provisional: bool = False) -> str:
    """A calendar date as ``<time>`` (``DATE_FORMAT`` of the language), with the "provisional"
    badge when the public record does not fix it; nothing when there is no date."""
    if value is None:
        return ""
    badge = format_html(' <span class="badge provisional">{}</span>', _("provisional"))
    return format_html(
        '<time datetime="{}">{}</time>{}',
        formats.date_format(value, "Y-m-d"),
        formats.date_format(value, "DATE_FORMAT"),
        badge if provisional else "",
    )


@register.filter
def dollars(value: Decimal | None) -> str:
    """US dollars with cents, grouped the same way in every language: ``$50,000.00``; a
    negative amount (a refund, a correction) as ``-$5.00``, as the PDFs write it."""
    try:
        amount = Decimal(value if value is not None else "")
    except (InvalidOperation, TypeError, ValueError):
        return ""  # no amount (None, or a variable that did not resolve)
    return f"{'-' if amount < 0 else ''}${floatformat(abs(amount), '2g')}"


@register.inclusion_tag("_filters.html", takes_context=True)
def filters(
    context: Context,
    form: Any,
    heading: str,
    *,
    clear: str,
    export: str | None = None,
    downloads: str | None = None,
) -> dict[str, Any]:
    """The filter form of a list page, and its CSV and Excel downloads when it has an export.

    ``clear`` names the list's URL (the list without filters), ``export`` the URL of its
    download (taking the format); the downloads keep the page's filters (``query``).
    """
    return {
        "form": form,
        "heading": heading,
        "clear_url": reverse(clear),
        "downloads": downloads,
        "csv_url": reverse(export, args=["csv"]) if export else None,
        "xlsx_url": reverse(export, args=["xlsx"]) if export else None,
        "query": context.get("query"),
    }


@register.simple_tag(takes_context=True)
def block_text(context: Context, name: str) -> str:
    """What the page's ``{% block name %}`` renders, written again elsewhere in a layout:
    ``page.html`` makes a page's heading its ``<title>`` too, so the page says it once."""
    blocks = context.render_context.get(BLOCK_CONTEXT_KEY)
    block = blocks.get_block(name) if blocks is not None else None
    return block.nodelist.render(context) if block is not None else ""
