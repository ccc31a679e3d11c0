"""Headless Chromium for the browser tests: the fixture, signing in, and the checks.

Import the fixture into a test module with ``from tests.browser import browser  # noqa: F401``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connections

AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def browser(live_server: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    if not Path(CHROMIUM).exists() or not AXE.exists():
        pytest.skip("needs /usr/bin/chromium and node_modules/axe-core (make test installs them)")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield launched
        launched.close()
        # Playwright's sync API runs the test in a greenlet with its own context, so the
        # database connections the test body opened are not the ones pytest-django closes.
        connections.close_all()


def new_page(browser: Any, *, viewport: dict[str, int] | None = None, **options: Any) -> Any:
    # axe-core is injected as an inline script: the test browser bypasses the site's CSP.
    context = browser.new_context(viewport=viewport or DESKTOP, bypass_csp=True, **options)
    return context.new_page()


def sign_in(page: Any, base_url: str, username: str, password: str = "pw") -> Any:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    return page


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core with the WCAG 2.0/2.1 A and AA rules: the violations, summarised."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """() => axe.run({runOnly: {type: 'tag',
             values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"""
    )
    assert result["passes"], "axe-core did not run any rule"
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


def check_accessibility(page: Any) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{page.url}: " + json.dumps(violations, indent=2)


def page_width(page: Any) -> int:
    """How wide the page's content is (px): more than the window means a sideways scroll."""
    return int(page.evaluate("document.documentElement.scrollWidth"))
