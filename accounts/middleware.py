"""Nothing but the second-factor pages until a user who needs one has passed it."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from .mfa import has_second_factor, second_factor_required

# Paths a signed-in user may reach before the second factor: the factor's own pages,
# signing out, the language switch, static files and the readiness probe.
ALLOWED_PREFIXES = ("/accounts/mfa/", "/accounts/logout/", "/i18n/", "/static/", "/healthz/")


class RequireSecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            not request.path.startswith(ALLOWED_PREFIXES)
            and second_factor_required(user)
            and not user.is_verified()  # type: ignore[union-attr]
        ):
            return self._refuse(request, user)
        return self.get_response(request)

    def _refuse(self, request: HttpRequest, user: object) -> HttpResponse:
        if request.path.startswith("/api/"):
            message = _("Enter your second-factor code on the site first, or use an API token.")
            body = {"error": {"code": "mfa_required", "message": message, "fields": {}}}
            return JsonResponse(body, status=403)
        name = "mfa-verify" if has_second_factor(user) else "mfa-setup"
        return HttpResponseRedirect(
            f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}"
        )
