"""The one front door from a service's error to a form on a page, and the fields the forms
of every app share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.forms import BaseForm, CheckboxSelectMultiple, RadioSelect

from .errors import Forbidden, ServiceError


def add_service_error(
    form: BaseForm | None,
    error: ServiceError,
    *,
    field_for: Callable[[str], str | None] | None = None,
) -> None:
    """Show a service's error on a form: its message on top, field messages on their fields.

    A :class:`Forbidden` is a 403 (``PermissionDenied``), as the API answers.  ``field_for``
    maps the service's field names to the form's (a name it cannot map is shown on top with
    its key, so nothing is lost).
    """
    if isinstance(error, Forbidden):
        raise PermissionDenied(str(error))
    if form is None:
        return
    form.add_error(None, str(error))
    for name, message in error.fields.items():
        target = field_for(name) if field_for is not None else name
        if target is not None and target in form.fields:
            form.add_error(target, str(message))
        elif field_for is not None:
            form.add_error(None, f"{name}: {message}")


@dataclass(frozen=True)
class FormError:
    """One message of an error summary: ``anchor`` is the id of the field's first input
    (the summary links to it), empty for an error of the whole form."""

    message: str
    anchor: str = ""


def form_errors(form: BaseForm | None) -> list[FormError]:
    """A bound form's errors in field order, the form's own first: for an error summary."""
    if form is None or not form.is_bound or not form.errors:
        return []
    found = [FormError(str(message)) for message in form.non_field_errors()]
    for field in form:
        if field.errors:
            if isinstance(field.field.widget, RadioSelect | CheckboxSelectMultiple):
                anchor = f"{field.auto_id}_0"
            else:
                anchor = field.id_for_label
            found.extend(FormError(str(message), anchor) for message in field.errors)
    return found


# --- fields ----------------------------------------------------------------------------------


class DateInput(forms.DateInput):
    """A date picker (``<input type="date">``)."""

    input_type = "date"


def date_field(label: Any, **options: Any) -> forms.DateField:
    """A date picked with a date picker."""
    return forms.DateField(label=label, widget=DateInput, **options)


def text_field(label: Any, *, rows: int, **options: Any) -> forms.CharField:
    """Free text over ``rows`` lines: a reason, a note, a description."""
    return forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": rows}), **options)
