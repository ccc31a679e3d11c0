from __future__ import annotations

from django.contrib import admin

from .admin_site import ImmutableRecordAdmin
from .models import Document


@admin.register(Document)
class DocumentAdmin(ImmutableRecordAdmin):
    list_display = ["original_name", "party", "size_bytes", "sha256", "uploaded_by", "uploaded_at"]
    list_select_related = ["party", "uploaded_by"]
