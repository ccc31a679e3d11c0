from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.services import audit_record
from core.admin_site import AuditedModelAdmin

from . import mfa, services
from .models import User

# Authenticator secrets and recovery codes are not for anyone's eyes, administrators' included:
# a lost phone is handled by the "reset two-step sign-in" action below.
for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


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
    actions = ["reset_second_factor", "unlock_sign_in"]

    @admin.action(description=_("Reset two-step sign-in (lost phone): enrol again at next sign-in"))
    def reset_second_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            mfa.mfa_reset(user=user, actor=request.user, note="admin")
        self.message_user(
            request,
            _("Two-step sign-in reset for %(n)s user(s).") % {"n": len(queryset)},
            messages.SUCCESS,
        )

    @admin.action(description=_("Unlock sign-in after too many failed attempts"))
    def unlock_sign_in(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            services.user_sign_in_unlock(user=user, actor=request.user)
        self.message_user(
            request,
            _("Sign-in unlocked for %(n)s user(s).") % {"n": len(queryset)},
            messages.SUCCESS,
        )

    def log_change(self, request: Any, obj: Any, message: Any) -> Any:
        """Django's admin password form saves without ``save_model``: audit it here."""
        entry = super().log_change(request, obj, message)
        if request.path.rstrip("/").endswith("/password"):
            audit_record(actor=request.user, action="user.password_admin", obj=obj, note="admin")
        return entry
