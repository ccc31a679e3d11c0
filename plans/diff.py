"""What changed between two versions of a plan: targets, projects, milestones, documents.

Rows are matched across versions by their ``key`` (copied on revise); documents by SHA-256.
Both versions must be loaded with :func:`plans.selectors.with_content`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from .models import PlanVersion, ProjectMilestone
from .services import PROJECT_FIELDS

ADDED, REMOVED, CHANGED = "added", "removed", "changed"


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class Change:
    section: str
    kind: str  # added, removed, changed
    name: str
    fields: list[FieldChange] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return {ADDED: _("Added"), REMOVED: _("Removed"), CHANGED: _("Changed")}[self.kind]


def _text(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def _field_changes(old: Any, new: Any, names: list[str]) -> list[FieldChange]:
    changes = []
    for name in names:
        a, b = getattr(old, name), getattr(new, name)
        if name == "category":
            a, b = old.category.name, new.category.name
        elif name == "project_type":
            a, b = old.get_project_type_display(), new.get_project_type_display()
        if a != b:
            label = str(type(new)._meta.get_field(name).verbose_name)
            changes.append(FieldChange(label=label.capitalize(), old=_text(a), new=_text(b)))
    return changes


def _compare(
    section: str,
    old: Iterable[Any],
    new: Iterable[Any],
    names: list[str],
    label: Callable[[Any], str],
) -> list[Change]:
    before = {row.key: row for row in old}
    after = {row.key: row for row in new}
    result = []
    for key, row in after.items():
        if key not in before:
            result.append(Change(section, ADDED, label(row)))
        else:
            fields = _field_changes(before[key], row, names)
            if fields:
                result.append(Change(section, CHANGED, label(row), fields))
    result.extend(Change(section, REMOVED, label(r)) for k, r in before.items() if k not in after)
    return result


def _milestones(version: PlanVersion) -> list[ProjectMilestone]:
    rows = []
    for project in version.projects.all():
        for milestone in project.milestones.all():
            milestone.project = project  # for the label, without a query
            rows.append(milestone)
    return rows


def target_changes(old: PlanVersion, new: PlanVersion) -> list[Change]:
    """Planning targets added, removed and changed from ``old`` to ``new``."""
    return _compare(
        _("Planning targets"),
        old.targets.all(),
        new.targets.all(),
        ["category", "year", "metric", "target_value", "unit"],
        lambda t: f"{t.metric} ({t.year})",
    )


def version_diff(old: PlanVersion, new: PlanVersion) -> list[Change]:
    """Added, removed and changed rows from ``old`` to ``new`` (no queries when prefetched)."""
    targets = target_changes(old, new)
    projects = _compare(
        _("Infrastructure projects"),
        old.projects.all(),
        new.projects.all(),
        PROJECT_FIELDS,
        lambda p: p.name,
    )
    milestones = _compare(
        _("Project milestones"),
        _milestones(old),
        _milestones(new),
        ["what", "due_date", "within_port_control"],
        lambda m: f"{m.project.name}: {m.what}",
    )
    old_docs = {d.document.sha256: d.document for d in old.documents.all()}
    new_docs = {d.document.sha256: d.document for d in new.documents.all()}
    documents = [
        Change(_("Documents"), ADDED, d.original_name)
        for sha, d in new_docs.items()
        if sha not in old_docs
    ] + [
        Change(_("Documents"), REMOVED, d.original_name)
        for sha, d in old_docs.items()
        if sha not in new_docs
    ]
    return targets + projects + milestones + documents
