from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record
from core.admin_site import AuditedModelAdmin

from .models import User


@admin.register(User)
class UserAdmin(AuditedModelAdmin, DjangoUserAdmin):
    list_display = ["username", "get_full_name", "email", "role", "party", "is_active"]
    list_filter = ["role", "party", "is_active"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("first_name", "last_name", "email")}),
        (_("Role"), {"fields": ("role", "party", "is_active")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"fields": ("username", "password1", "password2")}),
        (_("Role"), {"fields": ("role", "party", "email")}),
    )
    readonly_fields = ["last_login", "date_joined"]

    def log_change(self, request: Any, obj: Any, message: Any) -> Any:
        """Django's admin password form saves without ``save_model``: audit it here."""
        entry = super().log_change(request, obj, message)
        if request.path.rstrip("/").endswith("/password"):
            audit_record(actor=request.user, action="user.password_admin", obj=obj, note="admin")
        return entry
