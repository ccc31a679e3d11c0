"""Money, numbers, dates and times are written one way on every page, in both languages.

Issue #11, defect 6: Spanish pages showed "$130 000,00" beside figures written "16,331", a
fund ordering option stayed English ("Occurred on"), and dates appeared as "2027-01-21",
"2026-11-27 22:04 PST" and "Nov. 27, 2026".
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from agreement.filters import MilestoneFilter
from agreement.models import Milestone
from penalties.demo import seed_penalties_demo
from penalties.filters import DefaultFilter, FundEntryFilter, PenaltyFilter
from penalties.models import Default, FundEntry, Penalty

MONEY = re.compile(r"\$\d{1,3}(?:,\d{3})*\.\d{2}")
SPANISH_MONEY = re.compile(r"\$\d{1,3}(?:[\s\u00a0.]\d{3})+,\d{2}")
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def _visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def _spanish(client):
    client.cookies["django_language"] = "es"
    return client


@pytest.mark.parametrize("language", ["en", "es"])
def test_money_and_figures_are_grouped_the_same_way_in_both_languages(language):
    template = Template('${{ amount|floatformat:"2g" }} {{ figure|floatformat:"-2g" }}')
    with translation.override(language):
        text = template.render(Context({"amount": 130000, "figure": 16331}))
    assert text == "$130,000.00 16,331"


def test_spanish_pages_write_money_as_english_ones_do(client, administrator):
    seed_penalties_demo()
    client.force_login(administrator)
    english = _visible_text(client.get(reverse("penalties:fund")).text)
    spanish = _visible_text(_spanish(client).get(reverse("penalties:fund")).text)
    assert MONEY.findall(english)
    assert MONEY.findall(spanish) == MONEY.findall(english)
    assert not SPANISH_MONEY.findall(spanish)


@pytest.mark.parametrize(
    ("filterset", "model"),
    [
        (MilestoneFilter, Milestone),
        (DefaultFilter, Default),
        (PenaltyFilter, Penalty),
        (FundEntryFilter, FundEntry),
    ],
)
def test_every_ordering_option_is_translated_when_shown(filterset, model, agreement):
    # A list's FilterSet filters the rows its caller gives it (core/filters.py).
    rows = model.objects.none()
    with translation.override("es"):
        form = filterset(queryset=rows).form
        labels = [str(label) for value, label in form.fields["ordering"].choices]
    assert "Occurred on" not in labels
    assert not [label for label in labels if "descending" in label], labels


def test_the_fund_ordering_offers_the_date_in_spanish(agreement):
    with translation.override("es"):
        field: Any = FundEntryFilter(queryset=FundEntry.objects.none()).form.fields["ordering"]
        choices = dict(field.choices)
    assert str(choices["occurred_on"]) == "Fecha"


@pytest.mark.parametrize("language", ["en", "es"])
def test_times_are_written_in_pacific_time_with_the_zone(language):
    moment = dt.datetime(2026, 11, 28, 6, 4, tzinfo=dt.UTC)  # 10:04 p.m. on Nov. 27 in LA
    with translation.override(language):
        text = Template('{{ t|date:"DATETIME_FORMAT" }}').render(Context({"t": moment}))
    expected = {
        "en": "Nov. 27, 2026, 10:04 p.m. PST",
        "es": "27 de noviembre de 2026 a las 22:04 PST",
    }
    assert text == expected[language]


def test_pages_write_no_iso_dates(client, administrator):
    seed_penalties_demo()
    client.force_login(administrator)
    for name in ["penalties:defaults", "penalties:penalties", "penalties:fund", "milestone-list"]:
        text = _visible_text(client.get(reverse(name)).text)
        assert not ISO_DATE.findall(text), name


def test_a_service_message_writes_its_dates_as_the_pages_do(pola_staff):
    from core.errors import ServiceError
    from plans.services import _refuse_past_due_date

    with translation.override("en"), pytest.raises(ServiceError) as error:
        _refuse_past_due_date(dt.date(2001, 5, 5))
    assert "The due date May 5, 2001 is before today" in str(error.value)
    assert not ISO_DATE.findall(str(error.value))
