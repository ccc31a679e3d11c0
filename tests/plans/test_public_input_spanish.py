"""The public input pages in Spanish, for near-port communities."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.urls import reverse
from django.utils import translation


@pytest.fixture(autouse=True)
def _back_to_default_language() -> Iterator[None]:
    # LocaleMiddleware leaves Spanish active in this thread; later tests expect the default.
    yield
    translation.deactivate()


def test_the_public_plan_list_in_spanish(client, submitted):
    response = client.get(reverse("public-plans:list"), HTTP_ACCEPT_LANGUAGE="es")
    text = response.text
    assert '<html lang="es">' in text
    assert "Planes de infraestructura de cero emisiones: participación del público" in text
    assert "Borrador del plan (para comentarios del público)" in text
    assert "Periodo de comentarios" in text
    assert "public input" not in text


def test_the_comment_form_and_its_errors_in_spanish(client, submitted):
    page = client.get(
        reverse("public-plans:version", args=[submitted.pk]), HTTP_ACCEPT_LANGUAGE="es"
    )
    assert "Comente este borrador del plan" in page.text
    assert '<label for="id_text">Su comentario</label>' in page.text
    assert "Su correo electrónico nunca se muestra públicamente." in page.text
    response = client.post(
        reverse("public-plans:comment", args=[submitted.pk]),
        {"text": "", "website": "spam"},
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert response.status_code == 400
    assert "Escriba su comentario." in response.text
