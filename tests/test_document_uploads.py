"""Uploads: PDF only by content, size-limited, stored under a generated name with SHA-256."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEvent
from core.errors import ServiceError, TooLarge
from core.models import Document
from core.uploads import document_store

from .pdfs import pdf_bytes, pdf_upload


def test_a_pdf_is_stored_under_a_generated_name_with_its_sha256(pola_staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = pdf_upload("Terminal charging plan.pdf")
    expected = hashlib.sha256(upload.read()).hexdigest()
    document = document_store(upload=upload, actor=pola_staff, party_id=pola_staff.party_id)
    assert document.sha256 == expected
    assert document.original_name == "Terminal charging plan.pdf"
    stored_name = str(document.file.name)
    assert "Terminal" not in stored_name
    assert stored_name.endswith(".pdf")
    with document.file.open("rb") as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == expected
    # Storing is not an event of its own: the upload is audited by the object that holds it
    # (a plan version's event on its plan, a request's filing), seen by whoever sees that.
    assert not AuditEvent.objects.filter(object_type="core.document").exists()


def test_a_text_file_named_pdf_is_refused(pola_staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    fake = SimpleUploadedFile("plan.pdf", b"just some text, not a PDF", "application/pdf")
    with pytest.raises(ServiceError, match="not a PDF"):
        document_store(upload=fake, actor=pola_staff, party_id=pola_staff.party_id)
    assert not Document.objects.exists()


def test_a_damaged_pdf_is_refused(pola_staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    broken = SimpleUploadedFile("plan.pdf", b"%PDF-1.7\n" + b"\x00garbage" * 50)
    with pytest.raises(ServiceError, match="could not be read"):
        document_store(upload=broken, actor=pola_staff, party_id=pola_staff.party_id)


def test_a_pdf_with_another_extension_is_accepted_by_content(pola_staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("scan.bin", pdf_bytes(), "application/octet-stream")
    document = document_store(upload=upload, actor=pola_staff, party_id=pola_staff.party_id)
    assert document.content_type == "application/pdf"


def test_an_upload_over_the_limit_is_refused_with_413(pola_staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.UPLOAD_MAX_BYTES = 100
    with pytest.raises(TooLarge) as err:
        document_store(upload=pdf_upload(), actor=pola_staff, party_id=pola_staff.party_id)
    assert err.value.status_code == 413
    assert not Document.objects.exists()
