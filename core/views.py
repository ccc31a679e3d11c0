"""What the pages of every app do alike: a filtered list page with its downloads, and a
service called for a form or a button, its error shown to the user.

Views parse input, call one service or selector through these, and render.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.forms import BaseForm
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
)
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts import policy

from .errors import Forbidden, ServiceError
from .exports import Column, export_response
from .forms import add_service_error

# Every list page shows this many rows a page (the downloads have the filtered rows).
LIST_PAGE_SIZE = 50


def require_page(user: Any, action: policy.Action, obj: Any = None) -> None:
    """A 403 page unless the policy lets ``user`` do ``action`` (to ``obj``)."""
    if not policy.can(user, action, obj):
        raise PermissionDenied


def query_without_page(request: HttpRequest) -> str:
    """The page's filters as a query string, for the download links and the page links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def page_of(request: HttpRequest, rows: Any, size: int = LIST_PAGE_SIZE) -> Page[Any]:
    """The page of ``rows`` that ``?page=`` asks for (the first, or the last, if it is off)."""
    return Paginator(rows, size).get_page(request.GET.get("page"))


def paged(request: HttpRequest, rows: Any, size: int = LIST_PAGE_SIZE) -> dict[str, Any]:
    """The context of a paginated list: its ``page`` and the ``query`` for its links."""
    return {"page": page_of(request, rows, size), "query": query_without_page(request)}


def filtered_page(
    request: HttpRequest, filterset: Any, size: int = LIST_PAGE_SIZE
) -> dict[str, Any]:
    """The context of a filtered list page: ``filter``, ``page`` and ``query``.  Filters
    that are not valid show no rows (the form says why)."""
    rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    return {"filter": filterset, **paged(request, rows, size)}


def filtered_download(
    filterset: Any, columns: list[Column], *, fmt: str, filename: str
) -> HttpResponse:
    """The rows of a list page, with the page's filters, as CSV or XLSX."""
    if not filterset.is_valid():
        return HttpResponseBadRequest(_("The filters are not valid."))
    return export_response(filterset.qs, columns, fmt=fmt, filename=filename)


def button_action(request: HttpRequest, action: Callable[[], Any], success: str) -> bool:
    """Call a service for a button (no form): a message either way; False on error.

    A :class:`Forbidden` is a 403, as on a form.
    """
    try:
        action()
    except Forbidden as exc:
        raise PermissionDenied(str(exc)) from exc
    except ServiceError as exc:
        messages.error(request, str(exc))
        return False
    messages.success(request, success)
    return True


def form_action(
    request: HttpRequest,
    form: BaseForm,
    action: Callable[[dict[str, Any]], Any],
    *,
    success: str | Callable[[Any], str],
    then: HttpResponse | Callable[[Any], HttpResponse],
    allowed: bool = True,
    field_for: Callable[[str], str | None] | None = None,
) -> HttpResponse | None:
    """On a POST (a 403 unless ``allowed``), call a service with the form's valid data: on
    success, the ``success`` message and the ``then`` response (each may be made from what
    the service returned).  Else None, for the caller to show the page (and the form, with
    the service's error on it: :func:`core.forms.add_service_error`).
    """
    if request.method != "POST":
        return None
    if not allowed:
        raise PermissionDenied
    if not form.is_valid():
        return None
    try:
        done = action(form.cleaned_data)
    except ServiceError as exc:
        add_service_error(form, exc, field_for=field_for)
        return None
    messages.success(request, success(done) if callable(success) else success)
    return then(done) if callable(then) else then


@dataclass(frozen=True)
class PageAction:
    """One of the forms of a page that offers several writes on one row (a penalty: pay or
    waive; an invoice: pay or void): the form, the service, the message on success, the
    policy's action for the user and the row (checked before the form is read), and the
    row's state in which the form is offered at all (``open``)."""

    form: type[BaseForm]
    service: Callable[..., Any]
    success: Any  # a (lazy) message
    action: policy.Action
    open: Callable[[Any], bool] = lambda row: True


def page_actions(
    request: HttpRequest,
    actions: Mapping[str, PageAction],
    row: dict[str, Any],
    *,
    then: HttpResponse,
) -> tuple[dict[str, BaseForm | None], HttpResponse | None]:
    """The forms of ``actions`` the page offers (each with its name as prefix; None for one
    the policy refuses the user on the row, or the row's state closes) and, on a POST, the
    one the posted ``action`` names, sent to its service as ``service(**row, actor=user,
    **data)`` through :func:`form_action`.  An unknown action, or one the policy refuses, is
    a 403.  Returns the forms (the posted one bound, with its errors) and the response when
    the write succeeded; when it failed on a form the page does not offer (the row changed
    meanwhile), the service's error as a message and ``then``.  Templates show each form
    with ``_action_form.html``."""
    obj = next(iter(row.values()))
    forms: dict[str, BaseForm | None] = {
        name: act.form(prefix=name)
        if act.open(obj) and policy.can(request.user, act.action, obj)
        else None
        for name, act in actions.items()
    }
    if request.method != "POST":
        return forms, None
    name = request.POST.get("action", "")
    if name not in actions:
        raise PermissionDenied
    act = actions[name]
    require_page(request.user, act.action, obj)
    posted = act.form(request.POST, prefix=name)
    done = form_action(
        request,
        posted,
        lambda data: act.service(**row, actor=request.user, **data),
        success=act.success,
        then=then,
    )
    if done is None and forms[name] is None:
        for error in posted.non_field_errors() or [_("Nothing was changed.")]:
            messages.error(request, str(error))
        return forms, then
    forms[name] = posted
    return forms, done


@require_GET
def choose_language(request: HttpRequest, code: str) -> HttpResponse:
    """Switch the site to ``code`` (a link in every page's header) and go back to ``next``.

    A link, not a form: the choice is this browser's preference, kept in the language cookie
    (as Django's own ``set_language`` keeps it), and changes nothing on the server, so the
    pages that offer it need no CSRF token and every visitor of a public page gets the same
    cached copy (:mod:`core.page_cache`).
    """
    if code not in dict(settings.LANGUAGES):
        raise Http404
    back = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = "/"
    response = HttpResponseRedirect(back)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response
