"""A PDF uploaded to an unsubmitted draft is the port's own work: its file name and SHA-256
appear in no list and no download for anyone outside the port (AQMD, the board, the other
port, the public) until the version is submitted.

Every GET list and export in the URL conf is walked (not a fixed list), so a list added
later is checked too: the API's list operations, every CSV/XLSX download (API and pages),
and the pages that take no argument; and every list of the admin an administrator can open
(the admin applies the same visibility filters, :mod:`core.visibility`).
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from pypdf import PdfWriter
from rest_framework.mixins import ListModelMixin

from agreement.models import Phase
from core.resources import DownloadView
from plans import services
from plans.models import PlanVersion
from tests.plans.conftest import make_draft

OUTSIDERS = ["reviewer", "administrator", "board_member", "polb_staff", "anonymous"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def unique_pdf(name: str) -> SimpleUploadedFile:
    """A real PDF whose bytes (and so SHA-256) are its own."""
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    writer.add_metadata({"/Title": name})
    buffer = io.BytesIO()
    writer.write(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/pdf")


@dataclass(frozen=True)
class Secret:
    name: str
    sha256: str

    def found_in(self, text: str) -> bool:
        return self.name in text or self.sha256 in text


def upload(version: PlanVersion, staff: Any, name: str) -> Secret:
    file = unique_pdf(name)
    digest = hashlib.sha256(file.read()).hexdigest()
    file.seek(0)
    attached = services.version_document_add(version=version, upload=file, actor=staff)
    assert attached.document.sha256 == digest
    return Secret(name, digest)


@dataclass(frozen=True)
class Plans:
    submitted: Secret  # on POLA's phase 1 version 1, submitted and sent back: AQMD sees it
    revision: Secret  # on the draft revision (version 2) of that plan
    removed: Secret  # uploaded to that draft revision, then removed from it
    first_draft: Secret  # on POLA's phase 2 plan, a draft never submitted
    revision_version: PlanVersion
    first_draft_version: PlanVersion


@pytest.fixture
def plans(pola_staff, polb_staff, reviewer) -> Plans:
    phase1, phase2 = Phase.objects.get(number=1), Phase.objects.get(number=2)
    first = make_draft(pola_staff, phase1)
    submitted = upload(first, pola_staff, "pola-phase1-submitted-layout.pdf")
    services.version_submit(version=first, actor=pola_staff)
    services.version_decide(
        version=first, decision="changes_requested", reasons="Add the costs.", actor=reviewer
    )
    revision, _ = services.plan_revise(plan=first.plan, actor=pola_staff)
    revised = upload(revision, pola_staff, "pola-phase1-revision-secret.pdf")
    removed = upload(revision, pola_staff, "pola-phase1-removed-secret.pdf")
    services.version_document_remove(
        attached=revision.documents.get(document__original_name=removed.name), actor=pola_staff
    )
    draft = make_draft(pola_staff, phase2)
    never = upload(draft, pola_staff, "pola-phase2-draft-secret.pdf")
    # The other port's own draft, so its staff's lists have draft work of their own.
    make_draft(polb_staff, phase1)
    return Plans(submitted, revised, removed, never, revision, draft)


# --- The walk ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    name: str  # namespaced URL name
    url: str


def _patterns(
    patterns: list[URLPattern | URLResolver], namespace: str = ""
) -> Iterator[tuple[str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            if pattern.app_name == "admin" or pattern.namespace == "admin":
                continue  # the admin: neither the API nor an export (see the module docstring)
            yield from _patterns(pattern.url_patterns, inner)
        elif pattern.name:
            yield f"{namespace}{pattern.name}", pattern


def _params(pattern: URLPattern) -> set[str]:
    return set(pattern.pattern.regex.groupindex)


def _is_list(pattern: URLPattern) -> bool:
    view = getattr(pattern.callback, "cls", None)
    return view is not None and issubclass(view, ListModelMixin)


def _is_export(name: str, pattern: URLPattern) -> bool:
    view = getattr(pattern.callback, "cls", None)
    is_download = view is not None and issubclass(view, DownloadView)
    return "export" in name and (is_download or view is None)


def _is_plain_page(name: str, pattern: URLPattern) -> bool:
    return getattr(pattern.callback, "cls", None) is None and not _params(pattern)


# Lists that take an argument: what to fill in (a new one fails the walk until added here).
FILLED = {"api:plan-version-list"}
# Pages that list nothing: forms, the schema and docs, and the board's PDF status report
# (rendered on demand, penalties only).
SKIPPED_PAGES = {
    "logout",
    "api-schema",
    "api-docs",
    "password_reset_done",
    "board-status",
}


def endpoints(plan_pk: int) -> list[Endpoint]:
    found = []
    unknown = []
    for name, pattern in _patterns(get_resolver().url_patterns):
        params = _params(pattern)
        if _is_list(pattern) or _is_export(name, pattern):
            if params == {"fmt"}:
                found += [Endpoint(name, reverse(name, kwargs={"fmt": f})) for f in ("csv", "xlsx")]
            elif not params:
                found.append(Endpoint(name, reverse(name)))
            elif name in FILLED:
                found.append(Endpoint(name, reverse(name, kwargs={"pk": plan_pk})))
            else:
                unknown.append(name)
        elif _is_plain_page(name, pattern) and name.split(":")[-1] not in SKIPPED_PAGES:
            found.append(Endpoint(name, reverse(name)))
    assert unknown == [], f"lists with arguments the walk cannot fill: {unknown}"
    return found


def text_of(response: Any) -> str:
    body = b"".join(response.streaming_content) if response.streaming else bytes(response.content)
    if body[:2] == b"PK":  # XLSX: a zip of XML parts
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return "".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    return body.decode("utf-8", "replace")


def where_found(client: Client, walk: list[Endpoint], *secrets: Secret) -> list[set[str]]:
    """For each secret, the endpoints whose answer shows it."""
    seen: list[set[str]] = [set() for _ in secrets]
    for endpoint in walk:
        url = endpoint.url
        if endpoint.name.startswith("api:") and not url.endswith((".csv", ".xlsx")):
            url += "?page_size=500"
        response = client.get(url)
        assert response.status_code < 500, (endpoint, response.status_code)
        if response.status_code != 200:
            continue
        text = text_of(response)
        for found, secret in zip(seen, secrets, strict=True):
            if secret.found_in(text):
                found.add(endpoint.name)
    return seen


def _client(request: pytest.FixtureRequest, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    return client


# --- The rules -----------------------------------------------------------------------------


def test_the_walk_covers_the_api_lists_the_downloads_and_the_pages(plans):
    names = {e.name for e in endpoints(plans.revision_version.plan_id)}
    assert {
        "api:audit-event-list",
        "api:plan-list",
        "api:plan-version-list",
        "api:plan-review-queue",
        "api:milestone-export-csv",
        "api:default-export-xlsx",
        "api:completion-report-list",
        "penalties:defaults-export",
        "plans:list",
    } <= names
    assert not any(name.startswith("admin:") for name in names)


@pytest.mark.parametrize("role", OUTSIDERS)
def test_a_drafts_pdf_appears_in_no_list_and_no_export_for_anyone_outside_the_port(
    request, plans, role
):
    walk = endpoints(plans.revision_version.plan_id)
    client = _client(request, role)
    secrets = (plans.revision, plans.removed, plans.first_draft)
    assert where_found(client, walk, *secrets) == [set(), set(), set()]


@pytest.mark.parametrize("role", OUTSIDERS)
def test_with_the_page_cache_on_no_one_outside_the_port_is_served_the_ports_answers(
    request, plans, role, settings
):
    """Pages and API lists are kept per reader (core/page_cache.py): the port's own staff
    walk first, so the cache holds answers that show their drafts; no outsider gets one."""
    settings.PAGE_CACHE_SECONDS = 300
    cache.clear()
    walk = endpoints(plans.revision_version.plan_id)
    own = _client(request, "pola_staff")
    [revision] = where_found(own, walk, plans.revision)
    assert "api:audit-event-list" in revision
    secrets = (plans.revision, plans.removed, plans.first_draft)
    assert where_found(_client(request, role), walk, *secrets) == [set(), set(), set()]
    cache.clear()


def test_the_ports_own_staff_find_their_drafts_pdf_in_the_audit_trail(request, plans):
    walk = endpoints(plans.revision_version.plan_id)
    client = _client(request, "pola_staff")
    revision, first_draft = where_found(client, walk, plans.revision, plans.first_draft)
    assert "api:audit-event-list" in revision
    assert "api:audit-event-list" in first_draft


def test_aqmd_finds_the_pdf_once_the_version_is_submitted(request, plans, pola_staff):
    walk = endpoints(plans.revision_version.plan_id)
    reviewer = _client(request, "reviewer")
    # The walk does find documents: the one on the submitted version is there already.
    [submitted] = where_found(reviewer, walk, plans.submitted)
    assert "api:audit-event-list" in submitted
    services.version_submit(version=plans.first_draft_version, actor=pola_staff)
    first_draft, revision = where_found(reviewer, walk, plans.first_draft, plans.revision)
    assert "api:audit-event-list" in first_draft
    assert revision == set()  # still a draft


# --- The admin -----------------------------------------------------------------------------


def _admin_lists() -> list[str]:
    from django.contrib import admin

    return [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model in admin.site._registry
    ]


def test_the_admins_lists_show_an_administrator_no_draft_work(request, plans, administrator):
    client = _client(request, "administrator")
    lists = _admin_lists()
    assert reverse("admin:audit_auditevent_changelist") in lists and len(lists) > 10
    pages = {}
    for url in lists:
        response = client.get(url)
        assert response.status_code in (200, 403), url  # 403: Django's groups, superusers only
        if response.status_code == 200:
            pages[url] = response.content.decode()
    assert {"/admin/plans/plan/", "/admin/plans/planversion/", "/admin/audit/auditevent/"} <= set(
        pages
    )
    secrets = (plans.revision, plans.removed, plans.first_draft)
    assert [{url for url, page in pages.items() if s.found_in(page)} for s in secrets] == [
        set(),
        set(),
        set(),
    ]
    # The draft's plan and version are not listed; the submitted version's work is.
    versions = client.get(reverse("admin:plans_planversion_changelist")).content.decode()
    phase2 = plans.first_draft_version.plan
    plan_page = client.get(reverse("admin:plans_plan_changelist")).content.decode()
    assert f"/admin/plans/plan/{phase2.pk}/change/" not in plan_page
    assert f"/admin/plans/planversion/{plans.first_draft_version.pk}/change/" not in versions
    submitted = plans.revision_version.plan.versions.get(number=1)
    assert f"/admin/plans/planversion/{submitted.pk}/change/" in versions
