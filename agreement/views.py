from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts import policy
from core.exports import export_response
from core.public_cache import cached_public_page

from . import selectors
from .exports import MILESTONE_COLUMNS
from .filters import MilestoneFilter
from .models import Milestone


@cached_public_page
def public_status(request: HttpRequest) -> HttpResponse:
    context = {
        "agreement": selectors.agreement_overview(),
        "plan_milestones": selectors.plan_milestones_by_port(),
    }
    return render(request, "agreement/public_status.html", context)


@cached_public_page
def terms(request: HttpRequest) -> HttpResponse:
    """The agreement's terms as data, provisional values marked."""
    return render(request, "agreement/terms.html", {"agreement": selectors.agreement_overview()})


MILESTONE_PAGE_SIZE = 50


@cached_public_page
def milestone_list(request: HttpRequest) -> HttpResponse:
    """Milestones the user may see, filtered as in the API, with CSV and XLSX downloads."""
    if not policy.can(request.user, policy.Action.MILESTONE_VIEW):
        raise PermissionDenied
    filterset = MilestoneFilter(
        request.GET, queryset=selectors.milestones_with_history(request.user)
    )
    rows = filterset.qs if filterset.is_valid() else Milestone.objects.none()
    page = Paginator(rows, MILESTONE_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter": filterset,
        "page": page,
        "query": query.urlencode(),
    }
    return render(request, "agreement/milestones.html", context)


def milestone_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The milestones of the page, with the page's filters, as CSV or XLSX."""
    if not policy.can(request.user, policy.Action.MILESTONE_VIEW):
        raise PermissionDenied
    filterset = MilestoneFilter(
        request.GET, queryset=selectors.milestones_with_history(request.user)
    )
    if not filterset.is_valid():
        return HttpResponseBadRequest(_("The filters are not valid."))
    return export_response(filterset.qs, MILESTONE_COLUMNS, fmt=fmt, filename="milestones")
