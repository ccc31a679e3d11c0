"""Public pages in Spanish: Accept-Language, the language switcher, and a complete catalog."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from importlib.machinery import SourceFileLoader
from pathlib import Path
from types import ModuleType

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "es" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def _translation_status() -> ModuleType:
    """scripts/translation-status, whose .po parser the catalog tests share."""
    path = ROOT / "scripts" / "translation-status"
    loader = SourceFileLoader("translation_status", str(path))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[loader.name] = module  # dataclasses look their module up while decorating
    loader.exec_module(module)
    return module


status = _translation_status()


@pytest.fixture(autouse=True)
def _back_to_default_language() -> Iterator[None]:
    # LocaleMiddleware leaves Spanish active in this thread; later tests expect the default.
    yield
    translation.deactivate()


def test_status_page_in_spanish(client, agreement):
    response = client.get(reverse("public-status"), HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    text = response.text
    assert '<html lang="es">' in text
    assert "Planes de infraestructura de cero emisiones: estado" in text
    assert "Distrito de Administración de la Calidad del Aire de la Costa Sur" in text
    assert "Borrador del plan" in text  # the milestone kind, a model choice
    assert "Fecha límite (Pacífico)" in text
    assert "Zero-emission infrastructure plans: status" not in text


def test_agreement_page_in_spanish(client, agreement):
    response = client.get(reverse("agreement-terms"), HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    text = response.text
    assert "Fases y categorías de fuentes de emisiones" in text
    assert "Cualquier parte puede retirarse dando aviso por escrito" in text
    assert "Plazos que no fija el registro público" in text
    assert "The agreement" not in text


def test_english_stays_the_default(client, agreement):
    response = client.get(reverse("public-status"))
    assert '<html lang="en">' in response.text
    assert "Zero-emission infrastructure plans: status" in response.text


def test_language_switcher_switches_to_spanish(client, agreement):
    page = client.get(reverse("public-status"))
    link = f'href="{reverse("choose-language", args=["es"])}?next={reverse("public-status")}"'
    assert link in page.text
    assert 'hreflang="es" rel="nofollow">Español</a>' in page.text

    response = client.get(
        reverse("choose-language", args=["es"]), {"next": reverse("public-status")}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("public-status")
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"

    # The choice sticks without any Accept-Language header, on every public page.
    for name in ("public-status", "agreement-terms"):
        text = client.get(reverse(name)).text
        assert '<html lang="es">' in text
        assert "Seguimiento del cumplimiento del Acuerdo de Cooperación" in text
        assert '<span lang="es" aria-current="true">Español</span>' in text
        assert 'hreflang="en" rel="nofollow">English</a>' in text


def test_the_language_switch_goes_back_only_to_this_site(client, agreement):
    away = client.get(reverse("choose-language", args=["es"]), {"next": "https://evil.example/"})
    assert away.status_code == 302 and away["Location"] == "/"
    unknown = client.get(reverse("choose-language", args=["fr"]), {"next": "/"})
    assert unknown.status_code == 404
    assert settings.LANGUAGE_COOKIE_NAME not in unknown.cookies
    assert client.post(reverse("choose-language", args=["es"])).status_code == 405


def test_a_public_page_sets_no_cookie_and_needs_no_csrf_token(client, agreement):
    response = client.get(reverse("public-status"))
    assert not response.cookies
    assert b"csrfmiddlewaretoken" not in response.content


def test_every_entry_of_the_spanish_catalog_is_translated():
    entries = status.parse_po(PO)
    header = next(e for e in entries if e.is_header)
    assert not header.is_fuzzy
    assert "Language: es" in header.msgstr[0]
    entries = [e for e in entries if not e.is_header]
    assert entries
    assert [e.msgid for e in entries if e.is_fuzzy] == []
    assert [e.msgid for e in entries if not e.is_translated] == []
    for e in entries:
        if e.msgid_plural is not None:
            assert sorted(e.msgstr) == [0, 1, 2], e.msgid  # Spanish has nplurals=3
        expected = set(PLACEHOLDER.findall(e.msgid + (e.msgid_plural or "")))
        for index, text in e.msgstr.items():
            found = set(PLACEHOLDER.findall(text))
            # "moved once" / "moved %(count)s times": the singular may leave the count out.
            if e.msgid_plural is not None and index == 0:
                assert found <= expected, (e.msgid, text)
            else:
                assert found == expected, (e.msgid, text)


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext's msgfmt is not installed")
def test_msgfmt_accepts_the_spanish_catalog(tmp_path):
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", str(tmp_path / "es.mo"), str(PO)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr
    assert "fuzzy" not in result.stderr


def test_the_committed_mo_is_compiled_from_the_current_po():
    # Compared entry by entry, so a different gettext version producing other bytes is fine.
    assert MO.exists(), "locale/es/LC_MESSAGES/django.mo is missing: run `make messages`"
    assert status.mo_catalog(MO) == status.po_catalog(status.parse_po(PO)), (
        "django.mo is out of date: run `make messages` and commit both files"
    )
