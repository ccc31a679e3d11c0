"""The filter-and-download block of the list pages: one template, and a form people can use.

Ports and phases are selects, dates are date pickers, "Any" says no choice, and every field
has a label tied to it (issue #11: axe-core found `<label for="">` on the date ranges).
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

FILTER_PAGES = [
    ("milestone-list", None),
    ("penalties:defaults", None),
    ("penalties:penalties", None),
    ("penalties:fund", None),
    ("plans:review-queue", "reviewer"),
]


class FilterForm(HTMLParser):
    """The controls and labels of ``<form class="filters">``."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0  # > 0 inside the filter form
        self.labels: list[str] = []  # each label's ``for``
        self.controls: dict[str, dict[str, str]] = {}  # by id
        self.select: str | None = None
        self.options: dict[str, list[str]] = {}
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k: v or "" for k, v in attrs}
        if tag == "form" and "filters" in attr.get("class", "").split():
            self.depth = 1
            return
        if not self.depth:
            return
        if tag == "label":
            self.labels.append(attr.get("for", ""))
        elif tag in ("input", "select", "textarea") and attr.get("type") not in ("hidden",):
            self.controls[attr.get("id", "")] = {"tag": tag, **attr}
            if tag == "select":
                self.select = attr.get("id", "")
                self.options[self.select] = []
        elif tag == "option" and self.select:
            self.options[self.select].append("")

    def handle_endtag(self, tag: str) -> None:
        if self.depth and tag == "form":
            self.depth = 0
        elif tag == "select":
            self.select = None

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.text.append(data)
            if self.select and self.options[self.select]:
                self.options[self.select][-1] += data.strip()


def _filter_form(client, name: str, user) -> FilterForm:
    if user is not None:
        client.force_login(user)
    response = client.get(reverse(name))
    assert response.status_code == 200
    parsed = FilterForm()
    parsed.feed(response.text)
    assert parsed.controls, f"{name} has no filter form"
    return parsed


@pytest.mark.parametrize(("name", "who"), FILTER_PAGES)
def test_every_filter_field_has_its_own_label_tied_to_it(client, agreement, request, name, who):
    form = _filter_form(client, name, request.getfixturevalue(who) if who else None)
    assert "" not in form.labels, f"{name}: a <label for=''> points at nothing"
    assert sorted(form.labels) == sorted(form.controls), name
    assert "" not in form.controls


@pytest.mark.parametrize(("name", "who"), FILTER_PAGES)
def test_filters_say_any_rather_than_dashes_or_unknown(client, agreement, request, name, who):
    form = _filter_form(client, name, request.getfixturevalue(who) if who else None)
    text = " ".join(form.text) + " ".join(o for opts in form.options.values() for o in opts)
    assert "---------" not in text
    assert "Unknown" not in text


@pytest.mark.parametrize(("name", "who"), FILTER_PAGES)
def test_the_port_is_a_select_of_all_ports_by_name(client, agreement, request, name, who):
    form = _filter_form(client, name, request.getfixturevalue(who) if who else None)
    port = form.controls.get("id_port")
    assert port is not None and port["tag"] == "select", name
    assert form.options["id_port"] == ["All ports", "Port of Los Angeles", "Port of Long Beach"]


def test_the_milestones_phase_is_a_select_and_its_dates_are_date_pickers(client, agreement):
    form = _filter_form(client, "milestone-list", None)
    assert form.controls["id_phase"]["tag"] == "select"
    assert form.options["id_phase"][0] == "All phases"
    assert form.controls["id_due_date_0"]["type"] == "date"
    assert form.controls["id_due_date_1"]["type"] == "date"


def test_the_fund_filters_by_dates_with_date_pickers(client, agreement):
    form = _filter_form(client, "penalties:fund", None)
    dates = [c for c in form.controls.values() if c.get("type") == "date"]
    assert [c["name"] for c in dates] == ["occurred_on_after", "occurred_on_before"]


def test_a_date_range_still_filters_the_list_and_shows_the_chosen_dates(client, agreement):
    url = reverse("milestone-list")
    response = client.get(url, {"due_date_after": "2030-01-01", "due_date_before": "2030-12-31"})
    assert response.status_code == 200
    assert 'value="2030-01-01"' in response.text
    assert 'value="2030-12-31"' in response.text
    assert all(m.due_date.year == 2030 for m in response.context["page"])


def test_the_port_select_filters_the_list(client, agreement):
    response = client.get(reverse("milestone-list"), {"port": "POLB"})
    assert response.status_code == 200
    assert {m.party.code for m in response.context["page"]} == {"POLB"}
    assert '<option value="POLB" selected>' in response.text


def test_one_template_holds_the_filter_and_download_block():
    templates = Path(settings.BASE_DIR) / "templates"
    copies = [
        str(path.relative_to(templates))
        for path in templates.rglob("*.html")
        if 'class="filters"' in path.read_text() or 'id="download-csv"' in path.read_text()
    ]
    assert copies == ["_filters.html"]
