"""Second-factor pages: set up an authenticator, enter a code, new recovery codes.

Views parse and render; ``accounts/mfa.py`` does the work.
"""

from __future__ import annotations

import segno
from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from core.errors import ServiceError

from . import mfa


class CodeForm(forms.Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("The 6-digit code your authenticator app shows now, or a recovery code."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"}
        ),
    )


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


def _form_error(form: CodeForm, error: ServiceError) -> None:
    form.add_error(None, str(error.message))
    for name, message in error.fields.items():
        if name in form.fields:
            form.add_error(name, message)


@login_required
@require_http_methods(["GET", "POST"])
def mfa_setup(request: HttpRequest) -> HttpResponse:
    """Scan the QR code (or type the key), then prove it works with a code."""
    if mfa.has_second_factor(request.user) and not request.user.is_verified():  # type: ignore[union-attr]
        # Replacing an authenticator needs the current one (or a recovery code) first.
        return HttpResponseRedirect(reverse("mfa-verify") + "?" + request.GET.urlencode())
    device = mfa.totp_device_pending(user=request.user)
    form = CodeForm(request.POST or None)
    form.fields["token"].help_text = _("The 6-digit code your authenticator app shows now.")
    if request.method == "POST" and form.is_valid():
        try:
            codes = mfa.mfa_enrol(
                request=request, user=request.user, token=form.cleaned_data["token"]
            )
        except ServiceError as error:
            _form_error(form, error)
        else:
            mfa.session_start(request, request.user)
            return render(
                request,
                "registration/mfa_recovery_codes.html",
                {"codes": codes, "next": _next_url(request), "enrolled": True},
            )
    url = mfa.otpauth_url(device)
    context = {
        "form": form,
        "qr_svg": segno.make(url, error="m").svg_inline(scale=4, title=str(_("QR code"))),
        "key": mfa.key_for_humans(device),
        "next": _next_url(request),
        "replacing": mfa.has_second_factor(request.user),
    }
    return render(
        request, "registration/mfa_setup.html", context, status=400 if form.errors else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def mfa_verify(request: HttpRequest) -> HttpResponse:
    """After the password: a code from the authenticator, or a recovery code."""
    if not mfa.has_second_factor(request.user):
        return HttpResponseRedirect(reverse("mfa-setup") + "?" + request.GET.urlencode())
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            mfa.mfa_verify(request=request, user=request.user, token=form.cleaned_data["token"])
        except ServiceError as error:
            _form_error(form, error)
        else:
            mfa.session_start(request, request.user)
            return HttpResponseRedirect(_next_url(request))
    context = {"form": form, "next": _next_url(request)}
    return render(
        request, "registration/mfa_verify.html", context, status=400 if form.errors else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def mfa_recovery_codes(request: HttpRequest) -> HttpResponse:
    """Replace the recovery codes (the old ones stop working); shown once."""
    if request.method == "POST":
        try:
            codes = mfa.mfa_recovery_codes_regenerate(user=request.user)
        except ServiceError:
            return HttpResponseRedirect(reverse("mfa-setup"))
        return render(
            request,
            "registration/mfa_recovery_codes.html",
            {"codes": codes, "next": reverse("home"), "enrolled": False},
        )
    return render(
        request,
        "registration/mfa_recovery_codes_new.html",
        {"has_second_factor": mfa.has_second_factor(request.user)},
    )
