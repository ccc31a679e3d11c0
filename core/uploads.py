"""Accepting uploaded documents: PDF only (checked by content, not by name), size-limited,
stored under a generated name with its SHA-256."""

from __future__ import annotations

import hashlib
import os
import uuid
from typing import Any

from django.conf import settings
from django.core.files.base import File
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse
from django.utils.translation import gettext as _
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from .errors import ServiceError, TooLarge
from .models import Document

PDF_MAGIC = b"%PDF-"


def _check_pdf(upload: UploadedFile) -> None:
    upload.seek(0)
    head = upload.read(1024)
    if PDF_MAGIC not in head:
        raise ServiceError(
            _("%(name)s is not a PDF. Upload documents as PDF files.") % {"name": upload.name},
            fields={"file": _("Not a PDF file.")},
        )
    upload.seek(0)
    try:
        reader = PdfReader(upload, strict=False)
        if len(reader.pages) < 1:
            raise PdfReadError("no pages")
    except Exception as exc:  # pypdf raises many types on broken input
        raise ServiceError(
            _("%(name)s could not be read as a PDF (it may be damaged).") % {"name": upload.name},
            fields={"file": _("Damaged or unreadable PDF.")},
        ) from exc
    finally:
        upload.seek(0)


def check_upload_size(upload: UploadedFile) -> None:
    """Raise :class:`TooLarge` (413) unless ``upload`` is within ``UPLOAD_MAX_BYTES``."""
    limit = settings.UPLOAD_MAX_BYTES
    if upload.size is None or upload.size > limit:
        raise TooLarge(
            _("%(name)s is larger than the %(limit)s MB limit.")
            % {"name": upload.name, "limit": round(limit / (1024 * 1024), 1)},
            fields={"file": _("File too large.")},
        )


def validate_upload(upload: UploadedFile) -> None:
    """Raise ServiceError (413 for size) unless ``upload`` is a readable PDF within the limit."""
    check_upload_size(upload)
    _check_pdf(upload)


def document_store(*, upload: UploadedFile, actor: Any, party_id: int | None) -> Document:
    """Validate and store an uploaded PDF.  Call inside the caller's transaction.

    The upload is audited by the caller, on the object that holds the document (a plan
    version's event on its plan, a request's filing), so the event is seen by whoever may
    see that object: a document of an unsubmitted draft stays with the port.
    """
    validate_upload(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    original = os.path.basename(upload.name or "document.pdf")[:255]
    document = Document(
        original_name=original,
        sha256=digest.hexdigest(),
        size_bytes=upload.size or 0,
        content_type="application/pdf",
        party_id=party_id,
        uploaded_by=actor,
    )
    document.file.save(f"{uuid.uuid4().hex}.pdf", File(upload), save=False)
    document.save()
    return document


def document_response(document: Document) -> FileResponse:
    """Serve a stored document as a download under its original name.

    Callers check permission on the object that holds the document first.
    """
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
