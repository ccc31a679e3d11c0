"""The header's navigation: a few sections per role, built from the policy, the current one
marked, and every page with a title of its own."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse


class _NavParser(HTMLParser):
    """Collects the links of ``<nav class="sections">`` and ``<nav class="subsections">``."""

    def __init__(self) -> None:
        super().__init__()
        self.nav: str | None = None
        self.link: dict[str, str] | None = None
        self.links: dict[str, list[tuple[str, str, str]]] = {"sections": [], "subsections": []}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "nav" and values.get("class") in self.links:
            self.nav = values["class"]
        elif tag == "a" and self.nav:
            self.link = {"href": values.get("href", ""), "current": values.get("aria-current", "")}
            self.text = ""

    def handle_data(self, data: str) -> None:
        if self.link is not None:
            self.text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self.link is not None and self.nav:
            self.links[self.nav].append(
                (self.text.strip(), self.link["href"], self.link["current"])
            )
            self.link = None
        elif tag == "nav":
            self.nav = None


def _nav(html: str) -> dict[str, list[tuple[str, str, str]]]:
    parser = _NavParser()
    parser.feed(html)
    return parser.links


def _labels(links: list[tuple[str, str, str]]) -> list[str]:
    return [label for label, _href, _current in links]


def _current(links: list[tuple[str, str, str]]) -> list[tuple[str, str]]:
    return [(label, current) for label, _href, current in links if current]


SECTIONS_BY_ROLE = {
    None: ["Home", "Plans", "Deadlines & requests", "Penalties & fund", "Reports"],
    "pola_staff": [
        "Home",
        "Plans",
        "Deadlines & requests",
        "Penalties & fund",
        "Reports",
        "Account",
    ],
    "reviewer": ["Home", "Plans", "Deadlines & requests", "Penalties & fund", "Reports", "Account"],
    "board_member": [
        "Home",
        "Plans",
        "Deadlines & requests",
        "Penalties & fund",
        "Reports",
        "Account",
    ],
    "administrator": [
        "Home",
        "Plans",
        "Deadlines & requests",
        "Penalties & fund",
        "Reports",
        "Account",
        "Admin",
    ],
}


@pytest.mark.parametrize("role", list(SECTIONS_BY_ROLE))
def test_each_role_sees_a_few_sections_and_home_is_marked_current(client, request, role):
    if role is None:
        request.getfixturevalue("agreement")
    else:
        client.force_login(request.getfixturevalue(role))
    html = client.get(reverse("home")).text
    nav = _nav(html)
    assert _labels(nav["sections"]) == SECTIONS_BY_ROLE[role]
    assert _current(nav["sections"]) == [("Home", "page" if role else "true")]
    # No label appears twice, and no link names a page twice.
    assert len(set(_labels(nav["sections"] + nav["subsections"]))) == len(
        nav["sections"] + nav["subsections"]
    )


def test_the_reviewer_finds_the_review_queue_under_plans_marked_as_the_current_page(
    client, reviewer
):
    client.force_login(reviewer)
    nav = _nav(client.get(reverse("plans:review-queue")).text)
    assert _current(nav["sections"]) == [("Plans", "true")]
    assert _labels(nav["subsections"]) == [
        "Port plans",
        "Review queue",
        "Published plans and public comment",
        "Public comments to moderate",
    ]
    assert _current(nav["subsections"]) == [("Review queue", "page")]


def test_port_staff_find_their_deadlines_and_requests_in_one_section(client, pola_staff):
    client.force_login(pola_staff)
    nav = _nav(client.get(reverse("penalties:requests")).text)
    assert _current(nav["sections"]) == [("Deadlines & requests", "true")]
    assert _labels(nav["subsections"]) == ["Our deadlines", "All milestones", "Requests to AQMD"]
    assert _current(nav["subsections"]) == [("Requests to AQMD", "page")]


def test_the_public_sees_no_review_queue_and_the_plans_section_opens_the_public_list(
    client, agreement
):
    nav = _nav(client.get(reverse("public-plans:list")).text)
    plans = [link for link in nav["sections"] if link[0] == "Plans"]
    assert plans == [("Plans", reverse("public-plans:list"), "page")]
    assert "Review queue" not in _labels(nav["subsections"])
    assert "Account" not in _labels(nav["sections"])


def test_a_detail_page_marks_its_section(client, board_member):
    client.force_login(board_member)
    nav = _nav(client.get(reverse("penalties:fund")).text)
    assert _current(nav["sections"]) == [("Penalties & fund", "true")]
    assert _current(nav["subsections"]) == [("Mitigation fund", "page")]


def _title(html: str) -> str:
    match = re.search(r"<title>(.*?)</title>", html, re.S)
    assert match is not None
    return match.group(1).strip()


@pytest.mark.parametrize("role", ["pola_staff", "reviewer", "board_member", "administrator"])
def test_pages_reached_from_the_navigation_have_distinct_titles(client, request, role):
    client.force_login(request.getfixturevalue(role))
    titles: dict[str, str] = {}
    nav = _nav(client.get(reverse("home")).text)
    hrefs = {href for _label, href, _current in nav["sections"]}
    for href in sorted(hrefs):
        sub = _nav(client.get(href).text)["subsections"]
        hrefs |= {h for _label, h, _current in sub}
    for href in sorted(hrefs):
        response = client.get(href)
        assert response.status_code == 200, href
        titles[href] = _title(response.text)
    assert len(set(titles.values())) == len(titles), titles
