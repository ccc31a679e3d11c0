"""The signed-in user's page for API tokens and the calendar feed address."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts import policy
from core.errors import ServiceError

from . import selectors, services
from .models import TOKEN_NAME_MAX_LENGTH


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=TOKEN_NAME_MAX_LENGTH,
        help_text=gettext_lazy("The program that will use it, e.g. “Nightly export”."),
    )


def _page(request: HttpRequest, *, form: TokenForm, new_secret: str | None = None) -> HttpResponse:
    feed = selectors.calendar_feed_of(user=request.user)
    context: dict[str, Any] = {
        "form": form,
        "tokens": selectors.api_tokens_of(user=request.user),
        "new_secret": new_secret,
        "feed_url": (
            request.build_absolute_uri(reverse("calendar-feed", args=[feed.secret]))
            if feed
            else None
        ),
        "api_docs_url": reverse("api-docs"),
    }
    return render(request, "api/tokens.html", context)


def _require_credentials(request: HttpRequest) -> None:
    if not policy.can(request.user, policy.Action.CREDENTIALS_MANAGE):
        raise PermissionDenied


@login_required
@require_GET
def tokens(request: HttpRequest) -> HttpResponse:
    _require_credentials(request)
    return _page(request, form=TokenForm())


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    """Creates a token and shows its secret once, on this response only."""
    _require_credentials(request)
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _page(request, form=form)
    try:
        _token, secret = services.api_token_create(
            user=request.user, name=form.cleaned_data["name"], actor=request.user
        )
    except ServiceError as err:
        for field, message in err.fields.items():
            form.add_error(field if field in form.fields else None, message)
        if not err.fields:
            form.add_error(None, err.message)
        return _page(request, form=form)
    return _page(request, form=TokenForm(), new_secret=secret)


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    _require_credentials(request)
    token = get_object_or_404(selectors.api_tokens_of(user=request.user), pk=pk)
    services.api_token_revoke(token=token, actor=request.user)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("api-tokens")


@login_required
@require_POST
def calendar_feed_regenerate(request: HttpRequest) -> HttpResponse:
    _require_credentials(request)
    services.calendar_feed_regenerate(user=request.user, actor=request.user)
    messages.success(request, _("Your calendar has a new private address."))
    return redirect("api-tokens")
