from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from agreement.views import public_status
from core.page_cache import cached_page

from .selectors import dashboard_for


@cached_page
def home(request: HttpRequest) -> HttpResponse:
    """The signed-in user's dashboard, or the public status page."""
    if not request.user.is_authenticated:
        # Undecorated: this view's own cache already holds the page under this address.
        return public_status.__wrapped__(request)  # type: ignore[attr-defined]
    return render(request, "dashboard/home.html", {"dashboard": dashboard_for(user=request.user)})
