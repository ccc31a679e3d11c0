"""The two journeys in a real headless Chromium, each page checked with axe-core (WCAG 2.1 AA).

Planner drafts, uploads and submits; the reviewer sends it back with a comment; the planner
revises and resubmits; the reviewer approves and the project milestones become deadlines.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connections

from agreement.models import Milestone, MilestoneKind
from plans.models import PlanVersion, VersionStatus
from tests.pdfs import pdf_bytes

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture
def browser(live_server, monkeypatch) -> Iterator[object]:
    if not Path(CHROMIUM).exists() or not AXE.exists():
        pytest.skip("needs /usr/bin/chromium and node_modules/axe-core (make test installs them)")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()
        # Playwright's sync API runs the test in a greenlet with its own context, so the
        # database connections the test body opened are not the ones pytest-django closes.
        connections.close_all()


def check_accessibility(page) -> None:
    """axe-core with the WCAG 2.0/2.1 A and AA rules: zero violations."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """() => axe.run({runOnly: {type: 'tag',
             values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"""
    )
    assert result["passes"], "axe-core did not run any rule"
    violations = result["violations"]
    details = [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in violations
    ]
    assert violations == [], f"{page.url}: " + json.dumps(details, indent=2)
    if page.viewport_size and page.viewport_size["width"] < 500:
        # On a phone, nothing makes the page scroll sideways.
        fits = page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
        assert fits, f"{page.url} is wider than the phone screen"


def sign_in(browser, base_url: str, username: str, *, phone: bool = False):
    viewport = {"width": 375, "height": 740} if phone else {"width": 1280, "height": 900}
    # axe-core is injected as an inline script: the test browser bypasses the site's CSP.
    context = browser.new_context(viewport=viewport, bypass_csp=True)
    page = context.new_page()
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    return page


def test_planner_and_reviewer_journeys_with_zero_accessibility_violations(
    browser, live_server, pola_staff, reviewer, settings, tmp_path
):
    base = live_server.url

    # --- the planner drafts, uploads and submits (on a phone-sized screen) ---
    planner = sign_in(browser, base, "pola.planner", phone=True)
    planner.goto(f"{base}/plans/")
    check_accessibility(planner)
    planner.get_by_role("button", name="Start a draft for Phase 1").click()
    planner.wait_for_url("**/edit/")
    check_accessibility(planner)

    planner.select_option("#id_t-category", label="Drayage trucks")
    planner.fill("#id_t-year", "2030")
    planner.fill("#id_t-metric", "Share of zero-emission drayage truck trips")
    planner.fill("#id_t-target_value", "50")
    planner.fill("#id_t-unit", "%")
    planner.get_by_role("button", name="Add target").click()
    planner.wait_for_load_state()
    assert "Planning target added." in planner.content()

    planner.fill("#id_p-name", "Illustrative terminal chargers")
    planner.fill("#id_p-location", "Pier 300")
    planner.select_option("#id_p-category", label="Cargo handling equipment at container terminals")
    planner.select_option("#id_p-project_type", "charging")
    planner.fill("#id_p-capacity_value", "10")
    planner.fill("#id_p-capacity_unit", "MW")
    planner.fill("#id_p-quantity", "30")
    planner.fill("#id_p-estimated_cost", "25000000")
    planner.fill("#id_p-funding_sources", "Port capital budget")
    planner.fill("#id_p-start_date", "2028-01-01")
    planner.fill("#id_p-end_date", "2029-12-31")
    planner.get_by_role("button", name="Add project").click()
    planner.wait_for_load_state()

    planner.get_by_text("Add a milestone to Illustrative terminal chargers").click()
    planner.get_by_label("What", exact=True).fill("Chargers energised")
    planner.get_by_label("Due date", exact=True).fill("2029-06-30")
    planner.get_by_role("button", name="Add milestone").click()
    planner.wait_for_load_state()

    # A bad file first: a clear error, and the draft is still all there.
    planner.set_input_files(
        "#id_file", files=[{"name": "notes.pdf", "mimeType": "application/pdf", "buffer": b"hi"}]
    )
    planner.get_by_role("button", name="Upload").click()
    planner.wait_for_load_state()
    assert "is not a PDF" in planner.content()
    assert "Illustrative terminal chargers" in planner.content()
    check_accessibility(planner)  # the page with its error summary
    planner.set_input_files(
        "#id_file",
        files=[{"name": "Site plan.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}],
    )
    planner.get_by_role("button", name="Upload").click()
    planner.wait_for_load_state()
    assert "Site plan.pdf" in planner.content()
    check_accessibility(planner)

    planner.get_by_role("button", name="Submit version 1").click()
    planner.wait_for_load_state()
    assert "was submitted to AQMD" in planner.content()
    check_accessibility(planner)
    version1 = PlanVersion.objects.get(number=1)
    assert version1.status == VersionStatus.SUBMITTED

    # --- the reviewer sends it back with a comment ---
    rev = sign_in(browser, base, "reviewer")
    rev.goto(f"{base}/plans/review/")
    check_accessibility(rev)
    rev.get_by_role("link", name="POLA Phase 1, version 1").click()
    rev.wait_for_load_state()
    rev.get_by_role("button", name="Start review").click()
    rev.wait_for_load_state()
    rev.get_by_label("Comment", exact=True).fill("What charger power per unit?")
    rev.get_by_label("About", exact=True).select_option(label="Illustrative terminal chargers")
    rev.get_by_role("button", name="Add comment").click()
    rev.locator("#comments-status", has_text="Your comment was added.").wait_for()  # htmx
    assert "What charger power per unit?" in rev.content()
    # Sent back without reasons: refused, and the error is in view with the focus on it.
    rev.get_by_label("Sent back for changes").check()
    rev.get_by_role("button", name="Record decision").click()
    rev.wait_for_load_state()
    summary = rev.locator(".error-summary")
    summary.wait_for()
    assert "Reasons are required to send a plan back." in summary.inner_text()
    assert rev.evaluate("document.activeElement.classList.contains('error-summary')")
    box = summary.bounding_box()
    viewport = rev.viewport_size
    assert box is not None and viewport is not None and 0 <= box["y"] < viewport["height"]
    check_accessibility(rev)
    summary.get_by_role("link", name="Reasons are required to send a plan back.").click()
    assert rev.evaluate("document.activeElement.id") == "id_reasons"
    rev.get_by_label("Reasons", exact=True).fill("Give the charger power per unit.")
    rev.get_by_role("button", name="Record decision").click()
    rev.wait_for_load_state()
    assert "Your decision was recorded." in rev.content()
    check_accessibility(rev)

    # --- the planner sees it, revises and resubmits ---
    planner.goto(f"{base}/plans/versions/{version1.pk}/")
    content = planner.content()
    assert "What charger power per unit?" in content
    assert "Give the charger power per unit." in content
    check_accessibility(planner)
    planner.get_by_role("button", name="Revise: start a new version").click()
    planner.wait_for_url("**/edit/")
    # The editor's sections fold: open the project's to change it.
    planner.get_by_role("heading", name="Illustrative terminal chargers").click()
    planner.get_by_role("link", name="Edit project Illustrative terminal chargers").click()
    planner.wait_for_load_state()
    check_accessibility(planner)
    planner.get_by_label("Capacity", exact=True).fill("12")
    planner.get_by_role("button", name="Save").click()
    planner.wait_for_load_state()
    planner.get_by_role("button", name="Submit version 2").click()
    planner.wait_for_load_state()
    version2 = PlanVersion.objects.get(number=2)
    assert version2.status == VersionStatus.SUBMITTED
    assert version2.kind == "final"

    # --- the reviewer compares and approves ---
    rev.goto(f"{base}/plans/versions/{version2.pk}/")
    assert "Changes since version 1" in rev.content()
    check_accessibility(rev)
    rev.get_by_label("Approved").check()
    rev.get_by_role("button", name="Record decision").click()
    rev.wait_for_load_state()
    assert "Your decision was recorded." in rev.content()
    rev.goto(f"{base}/plans/{version2.plan_id}/")
    check_accessibility(rev)

    version2.refresh_from_db()
    assert version2.status == VersionStatus.APPROVED
    tracked = Milestone.objects.get(kind=MilestoneKind.PROJECT)
    assert tracked.title == "Illustrative terminal chargers: Chargers energised"
    assert os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] == "true"


def test_the_planner_journey_works_without_javascript(browser, live_server, pola_staff):
    base = live_server.url
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill("pola.planner")
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{base}/plans/")
    page.get_by_role("button", name="Start a draft for Phase 1").click()
    page.wait_for_url("**/edit/")
    page.select_option("#id_t-category", label="Drayage trucks")
    page.fill("#id_t-year", "2031")
    page.fill("#id_t-metric", "Zero-emission truck share")
    page.fill("#id_t-target_value", "60")
    page.fill("#id_t-unit", "%")
    page.get_by_role("button", name="Add target").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Submit version 1").click()
    page.wait_for_load_state()
    assert "was submitted to AQMD" in page.content()
    assert PlanVersion.objects.get().status == VersionStatus.SUBMITTED
    context.close()
