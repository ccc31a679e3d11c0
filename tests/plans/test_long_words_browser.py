"""A pasted URL or a long unbroken word wraps: the page never grows wider than the window.

Before (issue #11, defect 4) a long public comment made the moderation page 46,856 px wide
and a long summary the version page 94,869 px.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from plans import public_services, services
from plans.models import PUBLIC_COMMENT_MAX_LENGTH
from tests.browser import DESKTOP, browser, new_page, page_width, sign_in  # noqa: F401
from tests.factories import MilestoneFactory

pytestmark = pytest.mark.browser

LONG_WORD = "https://example.org/" + "a" * (PUBLIC_COMMENT_MAX_LENGTH - 20)
MARGIN = 2  # px
PHONE_WIDTH = 390


def test_a_long_word_in_a_comment_or_a_summary_never_widens_the_page(
    browser,  # noqa: F811
    live_server,
    draft,
    pola_staff,
    reviewer,
):
    assert len(LONG_WORD) == PUBLIC_COMMENT_MAX_LENGTH
    draft = services.version_update(
        version=draft, kind=draft.kind, summary=LONG_WORD, actor=pola_staff
    )
    version = services.version_submit(version=draft, actor=pola_staff)
    published = public_services.public_comment_submit(version=version, text=LONG_WORD)
    public_services.public_comment_moderate(comment=published, publish=True, actor=reviewer)
    public_services.public_comment_submit(version=version, text=LONG_WORD, name="A neighbour")

    for width in (DESKTOP["width"], PHONE_WIDTH):
        page = sign_in(
            new_page(browser, viewport={"width": width, "height": 800}), live_server.url, "reviewer"
        )
        for name, args in [
            ("public-plans:moderation", []),
            ("plans:version", [version.pk]),
            ("public-plans:version", [version.pk]),
            ("public-plans:all-comments", [version.pk]),
        ]:
            page.goto(live_server.url + reverse(name, args=args))
            assert LONG_WORD[:40] in page.content()
            assert page_width(page) <= width + MARGIN, f"{name} is too wide at {width} px"
        page.context.close()


def test_short_words_in_table_cells_are_not_split(
    browser,  # noqa: F811
    live_server,
    agreement,
):
    """Only free text may break anywhere: a port's code keeps its letters together beside a
    long title."""
    title = " ".join(["Terminal charging depot energized and commissioned"] * 5)
    MilestoneFactory.create(title=title, due_date=dt.date(2026, 1, 2))
    page = new_page(browser)
    page.goto(live_server.url + reverse("milestone-list"))
    cell = page.locator("tbody td").first
    assert cell.inner_text() in ("POLA", "POLB")
    lines = cell.evaluate(
        "td => { const r = document.createRange(); r.selectNodeContents(td);"
        " return r.getClientRects().length; }"
    )
    assert lines == 1, "the port's code wrapped onto two lines"
