from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from . import selectors


def home(request: HttpRequest) -> HttpResponse:
    """The signed-in user's dashboard, or the public status page."""
    if not request.user.is_authenticated:
        return public_status(request)
    context = {
        "due_next": selectors.milestones_due_next(user=request.user),
        "overdue": selectors.milestones_overdue(user=request.user),
    }
    return render(request, "agreement/dashboard.html", context)


def public_status(request: HttpRequest) -> HttpResponse:
    context = {
        "agreement": selectors.agreement_overview(),
        "plan_milestones": selectors.plan_milestones_by_port(),
    }
    return render(request, "agreement/public_status.html", context)


def terms(request: HttpRequest) -> HttpResponse:
    """The agreement's terms as data, provisional values marked."""
    return render(request, "agreement/terms.html", {"agreement": selectors.agreement_overview()})
