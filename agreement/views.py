from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import policy
from core.errors import ServiceError
from core.exports import export_response
from core.forms import add_service_error
from core.public_cache import cached_public_page
from core.uploads import document_response

from . import amendments, deadlines, selectors, withdrawal
from .exports import MILESTONE_COLUMNS
from .filters import MilestoneFilter
from .forms import WithdrawalNoticeForm, WithdrawalRescindForm
from .models import Milestone


def _lifecycle() -> dict[str, object]:
    """What the public pages say of the agreement's end: a standing withdrawal notice and,
    once it took effect, the date the agreement ended."""
    notice = withdrawal.standing_withdrawal()
    ended_on = (
        notice.effective_on if notice and notice.in_effect_on(deadlines.pacific_today()) else None
    )
    return {
        "withdrawal": notice,
        "ended_on": ended_on,
        "pauses": withdrawal.rulemaking_pauses(),
    }


@cached_public_page
def public_status(request: HttpRequest) -> HttpResponse:
    context = {
        "agreement": selectors.agreement_overview(),
        "plan_milestones": selectors.plan_milestones_by_port(),
        **_lifecycle(),
    }
    return render(request, "agreement/public_status.html", context)


@cached_public_page
def terms(request: HttpRequest) -> HttpResponse:
    """The agreement's terms as data, provisional values marked."""
    context = {
        "agreement": selectors.agreement_overview(),
        "parties": amendments.approving_parties(),
        "amendments": [
            (a, amendments.approval_dates(a))
            for a in amendments.amendments_visible_to(request.user)
        ],
        "can_view_withdrawals": policy.can(request.user, policy.Action.WITHDRAWAL_VIEW),
        **_lifecycle(),
    }
    return render(request, "agreement/terms.html", context)


@require_http_methods(["GET", "POST"])
def withdrawal_notices(request: HttpRequest) -> HttpResponse:
    """Withdrawal notices (AQMD and the board); AQMD administrators record one here."""
    if not policy.can(request.user, policy.Action.WITHDRAWAL_VIEW):
        raise PermissionDenied
    can_record = policy.can(request.user, policy.Action.WITHDRAWAL_RECORD)
    form = WithdrawalNoticeForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not can_record:
            raise PermissionDenied
        agreement = selectors.agreement_overview()
        if form.is_valid() and agreement is not None:
            try:
                withdrawal.withdrawal_notice_record(
                    agreement=agreement,
                    party=form.cleaned_data["party"],
                    received_on=form.cleaned_data["received_on"],
                    document=form.cleaned_data["document"],
                    note=form.cleaned_data["note"],
                    actor=request.user,
                )
            except ServiceError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("The withdrawal notice is recorded."))
                return redirect("withdrawal-notices")
    today = deadlines.pacific_today()
    notices = list(withdrawal.withdrawal_notices_visible_to(request.user))
    context = {
        "notices": [(n, can_record and n.can_be_rescinded_on(today)) for n in notices],
        "form": form if can_record else None,
        "rescind_form": WithdrawalRescindForm(),
    }
    return render(request, "agreement/withdrawal_notices.html", context)


@require_http_methods(["POST"])
def withdrawal_notice_rescind(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_object_or_404(withdrawal.withdrawal_notices_visible_to(request.user), pk=pk)
    form = WithdrawalRescindForm(request.POST)
    if form.is_valid():
        try:
            withdrawal.withdrawal_notice_rescind(
                notice=notice, reason=form.cleaned_data["reason"], actor=request.user
            )
        except ServiceError as error:
            add_service_error(None, error)
            messages.error(request, str(error))
        else:
            messages.success(request, _("The withdrawal notice is rescinded."))
    else:
        messages.error(request, _("Say why the notice is rescinded."))
    return redirect("withdrawal-notices")


def withdrawal_notice_document(request: HttpRequest, pk: int) -> FileResponse:
    notice = get_object_or_404(withdrawal.withdrawal_notices_visible_to(request.user), pk=pk)
    return document_response(notice.document)


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
