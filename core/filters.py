"""Filters and ordering for lists, shared by pages and the API (``?ordering=-due_date,port``).

A list's FilterSet declares its filters and its ``ordering`` and nothing else: no ``Meta``.
Without a model, django-filter serves exactly the declared filters, in the order declared
(the caller gives the rows: the view's queryset, or ``queryset=`` on a page).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import django_filters
import django_filters.fields
import django_filters.widgets
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms.utils import pretty_name
from django.utils.choices import BaseChoiceIterator
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


def _descending_text(label: Any) -> str:
    return gettext("%s (descending)") % label


_descending = lazy(_descending_text, str)


# The labels of the columns many lists order by, by parameter (a list labels the others).
COLUMN_LABELS = {
    "port": _("Port"),
    "phase": _("Phase"),
    "kind": _("Kind"),
    "status": _("Status"),
    "amount": _("Amount"),
    "due_date": _("Due date"),
    "id": _("Id"),
}


class StableOrderingFilter(django_filters.OrderingFilter):
    """django-filter's ordering with the primary key appended, so that pages of a list
    never skip or repeat a row when the chosen columns tie; labelled "Order by" unless told.

    ``fields``: the columns one may order by, each a field the parameter names alike
    (``"due_date"``) or a ``(field path, parameter)`` pair (``("party__code", "port")``);
    ``field_labels``: the labels of the columns :data:`COLUMN_LABELS` does not name."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Order by"))
        super().__init__(*args, **kwargs)

    def build_choices(self, fields: Any, labels: Any) -> list[tuple[str, Any]]:
        """django-filter's choices, translated when shown: its own turns each label into text
        once, at import, in English (issue #11: "Occurred on" stayed English in Spanish)."""
        choices = []
        for field, param in fields.items():
            label = labels.get(field) or COLUMN_LABELS.get(param) or pretty_name(param)
            choices.append((param, label))
            choices.append((f"-{param}", labels.get(f"-{param}", _descending(label))))
        return choices

    def filter(self, qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
        # Empty entries ("?ordering=port,,") mean nothing: they are not fields.
        ordering = [self.get_ordering_value(param) for param in value or [] if param]
        if not ordering:
            return qs
        return qs.order_by(*ordering, "pk")


def port_filter(via: str = "", label: Any = None) -> django_filters.CharFilter:
    """``?port=pola``: the rows of one port, by its code, whatever the case (``via``: the path
    from the row to the one that names the party, e.g. ``"plan__"``)."""
    return django_filters.CharFilter(
        field_name=f"{via}party__code",
        lookup_expr="iexact",
        label=label or _("Port (code, e.g. POLA)"),
    )


def phase_filter(via: str = "") -> django_filters.NumberFilter:
    """``?phase=2``: the rows of one phase, by its number (``via`` as for :func:`port_filter`)."""
    return django_filters.NumberFilter(field_name=f"{via}phase__number", label=_("Phase"))


def status_filter(choices: Any) -> django_filters.ChoiceFilter:
    """``?status=...``: the rows in one of the ``choices``."""
    return django_filters.ChoiceFilter(choices=choices, label=_("Status"))


class UtcDateTimeRangeFilter(django_filters.IsoDateTimeFromToRangeFilter):
    """``<name>_after`` / ``<name>_before`` as ISO 8601 moments, compared in UTC.

    PostgreSQL refuses offsets beyond ±15:59 that ISO 8601 allows, so moments are converted
    to UTC first; one that cannot be (beyond year 1..9999 in UTC) is a 400.
    """

    def filter(self, qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
        if not value:
            return qs
        try:
            start, stop = (
                moment.astimezone(dt.UTC) if moment is not None else None
                for moment in (value.start, value.stop)
            )
        except OverflowError as err:
            raise ValidationError(
                {self.field_name: _("That moment is out of range.")}, code="invalid"
            ) from err
        return super().filter(qs, slice(start, stop))


# --- the form of a list page's filters -------------------------------------------------------


class DateRangeWidget(django_filters.widgets.DateRangeWidget):
    """Two date pickers (``<name>_after``, ``<name>_before``), each with its own label.

    Django ties no label to a multi-part widget (``id_for_label`` is empty), so the page shows
    the filter's label as the legend of a fieldset and each date gets "From" or "To".
    """

    template_name = "core/widgets/date_range.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.widgets = [
            forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d") for _part in range(2)
        ]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        for part, label in zip(context["widget"]["subwidgets"], (_("From"), _("To")), strict=True):
            part["label"] = label
        return context


class _ChoicesOnce(BaseChoiceIterator):
    """Choices read from the database when first listed, once per form (the API, which only
    validates, never reads them)."""

    def __init__(self, load: Callable[[], list[tuple[str, Any]]]) -> None:
        self.load = load
        self.loaded: list[tuple[str, Any]] | None = None

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        if self.loaded is None:
            self.loaded = self.load()
        yield from self.loaded


def _port_choices() -> list[tuple[str, Any]]:
    from agreement.models import Party

    return [("", _("All ports")), *((p.code, p.name) for p in Party.objects.ports())]


def _phase_choices() -> list[tuple[str, Any]]:
    from agreement.models import Phase

    return [("", _("All phases")), *((str(p.number), str(p)) for p in Phase.objects.all())]


class PageFilterSet(django_filters.FilterSet):
    """A FilterSet whose form is the one people fill in on a list page (the API reads the same
    query string): ports and phases as selects of names, date pickers, "Any" for no choice.

    Only the widgets change, so ``?port=pola`` or ``?cured=true`` mean what they meant.
    Every list page renders it with ``templates/_filters.html``.
    """

    @property
    def form(self) -> forms.Form:
        if not hasattr(self, "_form"):
            form = super().form
            for name, field in form.fields.items():
                _for_people(name, field)
        return self._form


def _for_people(name: str, field: forms.Field) -> None:
    if name == "port":
        field.label = _("Port")
        field.widget = forms.Select(choices=_ChoicesOnce(_port_choices))
    elif name == "phase":
        field.widget = forms.Select(choices=_ChoicesOnce(_phase_choices))
    elif isinstance(field.widget, django_filters.widgets.DateRangeWidget):
        field.widget = DateRangeWidget()
    elif isinstance(field, forms.NullBooleanField):
        field.widget = forms.Select(
            choices=[("", _("Any")), ("true", _("Yes")), ("false", _("No"))]
        )
    elif isinstance(field, django_filters.fields.ChoiceField) and field.empty_label is not None:
        # django-filter's choice fields add their empty choice when listing the choices; the
        # form's copy of the field still lists the declared field's, so bind them anew.
        field.empty_label = _("Default order") if name == "ordering" else _("Any")
        field.choices = field.choices.choices
