"""The one front door from a service's error to a form on a page."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.forms import BaseForm

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
