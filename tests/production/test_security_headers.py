"""Every page carries the security headers; no template has an inline script."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/status/", "/accounts/login/", "/api/v1/milestones/"])
def test_responses_carry_csp_frame_referrer_and_nosniff_headers(client, agreement, url):
    response = client.get(url)
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_only_the_api_docs_allow_inline_styles_and_never_inline_scripts(client):
    response = client.get("/api/docs/")
    csp = response["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in csp
    assert "script-src 'self';" in csp + ";"
    assert "<script>" not in response.content.decode()


def test_no_served_template_has_an_inline_script_or_event_handler():
    """PDF templates (rendered by WeasyPrint, never served) may style inline."""
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        if "/pdf/" in str(path):
            continue
        text = path.read_text()
        for match in re.finditer(r"<script\b[^>]*>", text):
            if "src=" not in match.group(0):
                offenders.append(f"{path}: {match.group(0)}")
        if re.search(r"\son[a-z]+\s*=", text) or "<style" in text or 'style="' in text:
            offenders.append(f"{path}: inline handler or style")
    assert offenders == []
