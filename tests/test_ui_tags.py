"""The shared page markup of core/templatetags/ui.py: table headers, dates, money, page titles."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.template import Context, Template
from django.urls import reverse
from django.utils import translation


def _render(source: str, **context) -> str:
    return Template("{% load ui %}" + source).render(Context(context))


def test_table_head_writes_a_column_header_per_label_numeric_ones_right_aligned():
    html = _render('{% table_head _("Port") _("Amount") numeric %}')
    assert html == (
        '<thead><tr><th scope="col">Port</th><th scope="col" class="num">Amount</th></tr></thead>'
    )


def test_table_head_leaves_out_a_column_whose_condition_is_false():
    source = '{% table_head _("Port") _("Change") if editing %}'
    assert "Change" in _render(source, editing=True)
    assert "Change" not in _render(source, editing=False)


def test_table_head_translates_literal_labels_and_escapes_variable_ones():
    with translation.override("es"):
        assert ">Puerto<" in _render('{% table_head _("Port") %}')
    assert "&lt;b&gt;" in _render("{% table_head label %}", label="<b>")


def test_a_day_is_a_time_element_with_the_provisional_badge_when_asked():
    html = _render("{% day d provisional=True %}", d=dt.date(2027, 1, 21))
    assert html.startswith('<time datetime="2027-01-21">')
    assert html.endswith('</time> <span class="badge provisional">provisional</span>')
    assert _render("{% day d %}", d=None) == ""


def test_dollars_are_grouped_with_cents_in_both_languages():
    for language in ["en", "es"]:
        with translation.override(language):
            assert _render("{{ a|dollars }}", a=Decimal("130000")) == "$130,000.00"
            assert _render("{{ a|dollars }}", a=Decimal("-5")) == "-$5.00"
    assert _render("{{ a|dollars }}", a=None) == ""
    assert _render("{{ missing|dollars }}") == ""


def test_a_page_says_its_heading_once_and_gets_it_as_its_title_too(client, agreement):
    html = client.get(reverse("login")).text
    assert "<h1>Sign in</h1>" in html
    assert "<title>Sign in · Cooperative Agreement compliance tracker</title>" in html


def test_table_writes_caption_head_and_the_rows_it_wraps():
    source = (
        '{% table _("Invoices") _("Invoice") _("Amount") numeric class="responsive" %}'
        "<tr><td>1</td><td>2</td></tr>{% endtable %}"
    )
    assert _render(source) == (
        '<table class="responsive">\n<caption>Invoices</caption>'
        '<thead><tr><th scope="col">Invoice</th>'
        '<th scope="col" class="num">Amount</th></tr></thead>'
        "<tbody><tr><td>1</td><td>2</td></tr></tbody></table>"
    )


def test_table_caption_escapes_a_variable_and_takes_its_class_and_count():
    source = '{% table label _("Port") caption_class="visually-hidden" count=n %}{% endtable %}'
    html = _render(source, label="<b>", n=3)
    assert '<caption class="visually-hidden">&lt;b&gt; (3)</caption>' in html


def test_table_without_rows_is_left_out_or_gives_way_to_its_empty_sentence():
    source = (
        '{% table _("Invoices") _("Invoice") rows=items empty=_("No invoice.") %}x{% endtable %}'
    )
    assert _render(source, items=[]) == "<p>No invoice.</p>"
    assert (
        _render('{% table _("Invoices") _("Invoice") rows=items %}x{% endtable %}', items=[]) == ""
    )
    assert "<tbody>x</tbody>" in _render(source, items=[1])


def test_a_section_is_labelled_by_its_heading():
    html = _render('{% section "fund-heading" _("Fund") %}<p>x</p>{% endsection %}')
    assert html == (
        '<section aria-labelledby="fund-heading">\n'
        '<h2 id="fund-heading">Fund</h2><p>x</p></section>'
    )
