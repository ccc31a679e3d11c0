"""Stored documents (PDF uploads) shared by plans, extension and flexibility requests."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Document(models.Model):
    """A PDF as uploaded: kept under a generated name with its SHA-256; never replaced.

    Who may download it is decided by the object that holds it (a plan version, a request).
    """

    original_name = models.CharField(_("file name"), max_length=255)
    file = models.FileField(_("file"), upload_to="documents/%Y/%m/", max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size_bytes = models.PositiveBigIntegerField(_("size (bytes)"))
    content_type = models.CharField(_("content type"), max_length=100, default="application/pdf")
    party = models.ForeignKey(
        "agreement.Party",
        verbose_name=_("port"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(
                name="document_sha256_is_hex64", condition=Q(sha256__regex=r"^[0-9a-f]{64}$")
            )
        ]

    def __str__(self) -> str:
        return self.original_name
