"""The columns of a milestone download (CSV or XLSX), shared by the page and the API."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.exports import Column

MILESTONE_COLUMNS = [
    Column(_("ID"), lambda m: m.pk),
    Column(_("Port"), lambda m: m.party.code),
    Column(_("Kind"), lambda m: m.get_kind_display()),
    Column(_("Phase"), lambda m: m.phase.number if m.phase else None),
    Column(_("Reporting year"), lambda m: m.reporting_year),
    Column(_("Title"), lambda m: m.title),
    Column(_("Due date (Pacific)"), lambda m: m.due_date),
    Column(_("Provisional date"), lambda m: m.is_provisional),
    Column(_("Within the port's control"), lambda m: m.within_port_control),
    Column(_("Status"), lambda m: m.get_status_display()),
    Column(_("Completed at"), lambda m: m.completed_at),
    Column(_("Due date changes"), lambda m: len(m.date_changes.all())),
]
