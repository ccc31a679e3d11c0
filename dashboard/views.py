from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from agreement.views import status_page
from core.page_cache import cached_page

from .selectors import dashboard_for


@cached_page
def home(request: HttpRequest) -> HttpResponse:
    """The signed-in user's dashboard, or the public status page."""
    if not request.user.is_authenticated:
        return status_page(request)  # kept by this view's own cache, under this address
    return render(request, "dashboard/home.html", {"dashboard": dashboard_for(user=request.user)})
