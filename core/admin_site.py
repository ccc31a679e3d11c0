"""The admin site for AQMD administrators: access and every change go through the policy and
the audit trail."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts import policy
from audit.services import audit_record, snapshot

from . import visibility


class ComplianceAdminSite(admin.AdminSite):
    site_header = _("Compliance tracker administration")
    site_title = _("Compliance tracker")
    index_title = _("The agreement's terms, users and records")

    def has_permission(self, request: HttpRequest) -> bool:
        return policy.can(request.user, policy.Action.ADMINISTER)


class AuditedModelAdmin(admin.ModelAdmin):
    """Administrators may view, add and change; nothing is deleted; every change is audited.

    Django's admin runs each change form inside one transaction, so the audit event commits
    or rolls back with the change.
    """

    def _administers(self, request: HttpRequest) -> bool:
        return policy.can(request.user, policy.Action.ADMINISTER)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._administers(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._administers(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._administers(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> Any:
        # Administrators are readers beyond the ports: a port's private work stays hidden
        # here too (:mod:`core.visibility`).
        return visibility.beyond_port(super().get_queryset(request), request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._administers(request)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = snapshot(type(obj).objects.get(pk=obj.pk)) if change and obj.pk else None
        super().save_model(request, obj, form, change)
        if change and before == snapshot(obj):
            return
        audit_record(
            actor=request.user,
            action=f"admin.{'changed' if change else 'added'}",
            obj=obj,
            before=before,
            after=snapshot(obj),
        )

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        befores: dict[Any, dict[str, Any]] = {}
        for inline_form in formset.forms:
            instance = inline_form.instance
            if instance.pk and inline_form.has_changed():
                befores[instance.pk] = snapshot(type(instance).objects.get(pk=instance.pk))
        super().save_formset(request, form, formset, change)
        saved: list[models.Model] = [*formset.new_objects, *(o for o, _ in formset.changed_objects)]
        for instance in saved:
            audit_record(
                actor=request.user,
                action="admin.changed" if instance.pk in befores else "admin.added",
                obj=instance,
                before=befores.get(instance.pk),
                after=snapshot(instance),
            )


class ImmutableRecordMixin:
    """For records that are never edited or deleted: the admin shows them and nothing more.

    Submitted plan versions, review decisions, defaults, determinations, penalties, fund
    entries, audit events and due-date changes change only through their services (guarded
    transitions, audited); a correction is a new record that points at what it corrects.
    Mix in before the admin class (``class XAdmin(ImmutableRecordMixin, AuditedModelAdmin)``,
    or ``AuditedInline`` for inlines): no add, change or delete permission, no bulk actions,
    and a save or delete that reaches the admin anyway is refused.
    """

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return {}

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        raise PermissionDenied("This record cannot be changed through the admin.")

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        raise PermissionDenied("This record cannot be deleted.")

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        raise PermissionDenied("These records cannot be deleted.")


class ImmutableRecordAdmin(ImmutableRecordMixin, AuditedModelAdmin):
    """``AuditedModelAdmin`` (viewed by administrators only) for immutable records."""


class AuditedInline(admin.TabularInline):
    extra = 0

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policy.can(request.user, policy.Action.ADMINISTER)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policy.can(request.user, policy.Action.ADMINISTER)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policy.can(request.user, policy.Action.ADMINISTER)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
