"""Writes to the emissions inventories: enter/edit, AQMD review, CSV import.

Each service is atomic, checks the policy and writes its audit event.  ``actor`` None means
the system (the public seed, a management command run by an operator).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policy
from agreement.models import Party
from audit.services import audit_record, snapshot
from core.errors import ServiceError
from core.outbox import Mail, absolute_url, port_staff
from core.uploads import check_upload_size
from core.workflow import required_reason, transition

from .models import (
    FIRST_YEAR,
    LAST_YEAR,
    METRIC_UNITS,
    EmissionsInventory,
    FigureBasis,
    InventoryFigure,
    InventoryStatus,
    Metric,
)


@dataclass(frozen=True)
class FigureInput:
    """A figure as entered: ``value`` None with a ``change_vs_2005_pct`` is a % record."""

    metric: str
    value: Decimal | None
    basis: str = FigureBasis.PUBLISHED
    source: str = ""
    precision: str = ""
    change_vs_2005_pct: Decimal | None = None
    intensity_change_vs_2005_pct: Decimal | None = None


@dataclass(frozen=True)
class _PortYear:
    """Stands in for an inventory that does not exist yet, for the policy's port check."""

    party_id: int


def _inventory_snapshot(inventory: EmissionsInventory) -> dict[str, Any]:
    data = snapshot(inventory, ["party", "year", "status", "review_note"])
    data["figures"] = {
        f.metric: snapshot(
            f,
            [
                "value",
                "basis",
                "change_vs_2005_pct",
                "intensity_change_vs_2005_pct",
                "precision",
                "source",
            ],
        )
        for f in inventory.figures.order_by("metric")
    }
    return data


def _check_figure(fig: FigureInput) -> dict[str, str]:
    """Field errors of one figure (the database enforces the same rules)."""
    errors: dict[str, str] = {}
    if fig.metric not in Metric.values:
        errors["metric"] = _("Unknown metric; use one of %(m)s.") % {"m": ", ".join(Metric.values)}
    if fig.basis not in FigureBasis.values:
        errors["basis"] = _("Unknown basis; use one of %(b)s.") % {
            "b": ", ".join(FigureBasis.values)
        }
    if fig.value is not None and fig.value < 0:
        errors["value"] = _("A figure cannot be negative.")
    if fig.basis == FigureBasis.PUBLISHED_REDUCTION:
        if fig.value is not None:
            errors["value"] = _("A percentage-only record has no absolute value.")
        if fig.change_vs_2005_pct is None:
            errors["change_vs_2005_pct"] = _("Give the published change vs 2005.")
    elif fig.value is None:
        errors["value"] = _("A value is required.")
    if fig.basis == FigureBasis.DERIVED and fig.change_vs_2005_pct is None:
        errors["change_vs_2005_pct"] = _("A derived figure keeps the percentage it comes from.")
    for name in ("change_vs_2005_pct", "intensity_change_vs_2005_pct"):
        pct = getattr(fig, name)
        if pct is not None and not (-100 <= pct <= 1000):
            errors[name] = _("A change vs 2005 lies between -100% and +1000%.")
    if not fig.source.strip():
        errors["source"] = _("Say where the figure comes from.")
    return errors


def _check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ServiceError(
            _("The year must be between %(a)s and %(b)s.") % {"a": FIRST_YEAR, "b": LAST_YEAR},
            fields={"year": _("Out of range.")},
        )


# What the entry form edits; percentage-only and derived records change only by import.
FORM_BASES = frozenset({FigureBasis.PUBLISHED, FigureBasis.ILLUSTRATIVE})


def _write_figures(
    inventory: EmissionsInventory, figures: list[FigureInput], *, from_form: bool
) -> None:
    """Create or update the figures.  From the entry form, a figure whose value and basis are
    unchanged keeps its own source and precision, and an entered figure left empty is
    removed (percentage-only and derived records are kept)."""
    existing = {f.metric: f for f in inventory.figures.all()}
    for fig in figures:
        values = {
            "value": fig.value,
            "basis": fig.basis,
            "source": fig.source.strip(),
            "precision": fig.precision.strip(),
            "change_vs_2005_pct": fig.change_vs_2005_pct,
            "intensity_change_vs_2005_pct": fig.intensity_change_vs_2005_pct,
        }
        row = existing.pop(fig.metric, None)
        if row is None:
            InventoryFigure.objects.create(inventory=inventory, metric=fig.metric, **values)
        elif from_form and (row.value, row.basis) == (fig.value, fig.basis):
            continue
        else:
            for name, value in values.items():
                setattr(row, name, value)
            row.save(update_fields=list(values))
    if from_form:
        for row in existing.values():
            if row.basis in FORM_BASES:
                row.delete()  # the audit event keeps its values


def _entry_status(actor: Any, inventory: Any) -> str:
    """AQMD's own entries are accepted at once; port staff's go to AQMD for review."""
    if actor is None or policy.can(actor, policy.Action.EMISSIONS_REVIEW, inventory):
        return InventoryStatus.ACCEPTED
    return InventoryStatus.SUBMITTED


def _apply_entry_status(inventory: EmissionsInventory, actor: Any) -> list[str]:
    now = timezone.now()
    status = _entry_status(actor, inventory)
    inventory.status = status
    inventory.submitted_by = actor if actor is not None else None
    inventory.submitted_at = now
    if status == InventoryStatus.ACCEPTED:
        inventory.reviewed_by = actor
        inventory.reviewed_at = now
        inventory.review_note = ""
    else:
        inventory.reviewed_by = None
        inventory.reviewed_at = None
        inventory.review_note = ""
    return ["status", "submitted_by", "submitted_at", "reviewed_by", "reviewed_at", "review_note"]


@transaction.atomic
def inventory_save(
    *, party: Party, year: int, figures: list[FigureInput], actor: Any
) -> tuple[EmissionsInventory, bool]:
    """Enter or correct one port's inventory for a year (see :func:`_write_figures`):
    ``(inventory, created)``.

    Port staff's entries go to AQMD for review (status submitted); an administrator's are
    accepted at once.
    """
    if actor is not None:
        policy.require(actor, policy.Action.EMISSIONS_EDIT, _PortYear(party.pk))
    _check_year(year)
    errors: dict[str, str] = {}
    seen: set[str] = set()
    for fig in figures:
        if fig.metric in seen:
            errors[fig.metric] = _("This metric is given twice.")
        seen.add(fig.metric)
        errors.update({f"{fig.metric}.{k}": v for k, v in _check_figure(fig).items()})
    if not figures:
        errors["figures"] = _("Enter at least one figure.")
    if errors:
        raise ServiceError(_("Some figures need correcting."), fields=errors)
    inventory, created = EmissionsInventory.objects.select_for_update().get_or_create(
        party=party, year=year
    )
    before = None if created else _inventory_snapshot(inventory)
    _write_figures(inventory, figures, from_form=True)
    if before is not None and _inventory_snapshot(inventory)["figures"] == before["figures"]:
        return inventory, False  # nothing changed: no new review round, no audit event
    inventory.save(update_fields=_apply_entry_status(inventory, actor))
    after = _inventory_snapshot(inventory)
    audit_record(
        actor=actor,
        action="emissions_inventory.entered" if created else "emissions_inventory.edited",
        obj=inventory,
        before=before,
        after=after,
    )
    return inventory, created


@transaction.atomic
def inventory_review(
    *, inventory: EmissionsInventory, accept: bool, note: str, actor: Any
) -> EmissionsInventory:
    """AQMD accepts or rejects a submitted inventory.  Deciding twice the same way is a no-op."""
    policy.require(actor, policy.Action.EMISSIONS_REVIEW, inventory)
    target = InventoryStatus.ACCEPTED if accept else InventoryStatus.REJECTED
    note = required_reason(
        note,
        missing=_("Say why the figures are rejected, so the port can correct them."),
        field="note",
        required=not accept,
    )
    moved = transition(
        inventory,
        target,
        actor=actor,
        changes={"reviewed_by": actor, "reviewed_at": timezone.now(), "review_note": note},
        note=note,
        notify=lambda row: [_review_mail(row)],
    )
    return moved.obj


def _review_mail(inventory: EmissionsInventory) -> Mail:
    """The port hears AQMD's review of its figures (a rejection says what to correct)."""
    values = {
        "year": inventory.year,
        "outcome": inventory.get_status_display(),
        "note": inventory.review_note,
        "url": absolute_url(reverse("reports:emissions")),
    }
    return Mail(
        event_key=(
            f"emissions_inventory.{inventory.pk}.{inventory.status}"
            f".{int(inventory.reviewed_at.timestamp()) if inventory.reviewed_at else 0}"
        ),
        recipients=port_staff(inventory.party_id),
        subject=_("Emissions inventory %(year)s: %(outcome)s") % values,
        body=_(
            "AQMD reviewed the emissions inventory for %(year)s: %(outcome)s.\n\n"
            "%(note)s\n\n%(url)s\n"
        )
        % values,
    )


# --- CSV import ---------------------------------------------------------------------------

CSV_REQUIRED = ("port", "year", "metric", "value", "unit", "precision", "source")
CSV_OPTIONAL = ("basis", "change_vs_2005_pct", "intensity_change_vs_2005_pct")


@dataclass(frozen=True)
class RowError:
    line: int
    field: str
    reason: str

    def __str__(self) -> str:
        return _("line %(line)s, %(field)s: %(reason)s") % {
            "line": self.line,
            "field": self.field,
            "reason": self.reason,
        }


class ImportRejected(ServiceError):
    """The file has errors; nothing was saved.  ``row_errors`` says where and why.

    As fields, each error is named ``rows.<line>.<field>`` (``rows.<line>`` for the whole
    row), so the API answers them in its one error shape.
    """

    def __init__(self, row_errors: list[RowError]) -> None:
        fields: dict[str, list[str]] = {}
        for error in row_errors:
            name = (
                f"rows.{error.line}" if error.field == "-" else f"rows.{error.line}.{error.field}"
            )
            fields.setdefault(name, []).append(error.reason)
        super().__init__(
            _("The file was not imported: %(n)s error(s). Nothing was saved.")
            % {"n": len(row_errors)},
            fields=fields,
        )
        self.row_errors = row_errors


@dataclass
class ImportResult:
    inventories: list[EmissionsInventory] = field(default_factory=list)
    figures: int = 0


def _decimal(raw: str) -> Decimal | None:
    raw = raw.strip().replace(",", "")
    if raw == "":
        return None
    value = Decimal(raw)
    if not value.is_finite():
        raise InvalidOperation
    return value


def _parse_rows(
    text: str, actor: Any
) -> tuple[dict[tuple[str, int], list[FigureInput]], list[RowError]]:
    errors: list[RowError] = []
    groups: dict[tuple[str, int], list[FigureInput]] = {}
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in CSV_REQUIRED if c not in header]
    if missing:
        return {}, [RowError(1, ", ".join(missing), _("Missing column(s) in the header."))]
    reader.fieldnames = header
    ports = {p.code: p for p in Party.objects.ports()}
    seen: dict[tuple[str, int, str], int] = {}
    for row in reader:
        line = reader.line_num
        cells = {k: (v or "").strip() for k, v in row.items() if k is not None}
        if None in row:
            errors.append(RowError(line, "-", _("More cells than columns.")))
            continue
        row_errors: list[RowError] = []
        port = cells.get("port", "")
        if port not in ports:
            row_errors.append(
                RowError(line, "port", _("Unknown port; use %(p)s.") % {"p": ", ".join(ports)})
            )
        elif actor is not None and not policy.can(
            actor, policy.Action.EMISSIONS_EDIT, _PortYear(ports[port].pk)
        ):
            row_errors.append(RowError(line, "port", _("You may not enter this port's figures.")))
        year = 0
        try:
            year = int(cells.get("year", ""))
            if not FIRST_YEAR <= year <= LAST_YEAR:
                raise ValueError
        except ValueError:
            row_errors.append(
                RowError(
                    line,
                    "year",
                    _("A year between %(a)s and %(b)s.") % {"a": FIRST_YEAR, "b": LAST_YEAR},
                )
            )
        metric = cells.get("metric", "")
        unit = cells.get("unit", "")
        if metric in METRIC_UNITS and unit and unit != METRIC_UNITS[metric]:
            row_errors.append(
                RowError(
                    line, "unit", _("%(m)s is in %(u)s.") % {"m": metric, "u": METRIC_UNITS[metric]}
                )
            )
        numbers: dict[str, Decimal | None] = {}
        for name in ("value", "change_vs_2005_pct", "intensity_change_vs_2005_pct"):
            try:
                numbers[name] = _decimal(cells.get(name, ""))
            except InvalidOperation:
                numbers[name] = None
                row_errors.append(RowError(line, name, _("Not a number.")))
        basis = cells.get("basis") or (
            FigureBasis.PUBLISHED
            if numbers["value"] is not None
            else FigureBasis.PUBLISHED_REDUCTION
        )
        fig = FigureInput(
            metric=metric,
            value=numbers["value"],
            basis=basis,
            source=cells.get("source", ""),
            precision=cells.get("precision", ""),
            change_vs_2005_pct=numbers["change_vs_2005_pct"],
            intensity_change_vs_2005_pct=numbers["intensity_change_vs_2005_pct"],
        )
        reported = {e.field for e in row_errors}
        for name, reason in _check_figure(fig).items():
            if name not in reported:
                row_errors.append(RowError(line, name, reason))
        key = (port, year, metric)
        if key in seen:
            row_errors.append(RowError(line, "metric", _("Repeats line %(l)s.") % {"l": seen[key]}))
        seen.setdefault(key, line)
        errors.extend(row_errors)
        if not row_errors:
            groups.setdefault((port, year), []).append(fig)
    if not errors and not groups:
        errors.append(RowError(1, "-", _("The file has no rows.")))
    return groups, errors


@transaction.atomic
def inventory_import_csv(*, text: str, actor: Any) -> ImportResult:
    """Import figures from CSV (the columns of ``caap_inventory_public.csv``).

    Every row is checked first; if any row is bad, :class:`ImportRejected` lists each error
    (line, field, reason) and nothing is saved.  Figures in the file replace the same
    metric's figure of that port and year; other metrics are kept.
    """
    if actor is not None:
        policy.require(actor, policy.Action.EMISSIONS_EDIT)
    groups, errors = _parse_rows(text, actor)
    if errors:
        raise ImportRejected(errors)
    ports = {p.code: p for p in Party.objects.ports()}
    result = ImportResult()
    for (code, year), figures in sorted(groups.items()):
        inventory, created = EmissionsInventory.objects.select_for_update().get_or_create(
            party=ports[code], year=year
        )
        before = None if created else _inventory_snapshot(inventory)
        _write_figures(inventory, figures, from_form=False)
        inventory.save(update_fields=_apply_entry_status(inventory, actor))
        audit_record(
            actor=actor,
            action="emissions_inventory.imported",
            obj=inventory,
            before=before,
            after=_inventory_snapshot(inventory),
        )
        result.inventories.append(inventory)
        result.figures += len(figures)
    return result


def inventory_import_upload(*, upload: UploadedFile, actor: Any) -> ImportResult:
    """Import an uploaded CSV file (see :func:`inventory_import_csv`).

    The file must be within ``UPLOAD_MAX_BYTES`` (else :class:`TooLarge`) and UTF-8 text.
    """
    if actor is not None:
        policy.require(actor, policy.Action.EMISSIONS_EDIT)
    check_upload_size(upload)
    text: str | None
    try:
        text = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        text = None
    if text is None or "\x00" in text:  # PostgreSQL cannot store NUL characters
        raise ServiceError(
            _("The file is not a UTF-8 CSV text file."), fields={"file": _("Not UTF-8 text.")}
        )
    try:
        return inventory_import_csv(text=text, actor=actor)
    except csv.Error as exc:
        raise ServiceError(
            _("The file could not be read as CSV: %(e)s") % {"e": exc},
            fields={"file": _("Not a CSV file.")},
        ) from exc
