from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts import policy
from core.page_cache import cached_page
from core.uploads import document_response
from core.views import (
    PageAction,
    button_action,
    filtered_download,
    filtered_page,
    form_action,
    page_actions,
    require_page,
)
from core.workflow import can_move

from . import amendments, deadlines, selectors, withdrawal
from .exports import MILESTONE_COLUMNS
from .filters import MilestoneFilter
from .forms import (
    AmendmentAbandonForm,
    AmendmentApprovalForm,
    WithdrawalNoticeForm,
    WithdrawalRescindForm,
)
from .models import AmendmentStatus


def _lifecycle() -> dict[str, object]:
    """What the public pages say of the agreement's end: a standing withdrawal notice and,
    once it took effect, the date the agreement ended."""
    notice = withdrawal.standing_withdrawal()
    return {
        "withdrawal": notice,
        "ended_on": withdrawal.ended_on_by(notice),
        "pauses": withdrawal.rulemaking_pauses(),
    }


def status_page(request: HttpRequest) -> HttpResponse:
    """The public status page, rendered (also the public's home page: dashboard.views)."""
    context = {
        "agreement": selectors.agreement_overview(),
        "plan_milestones": selectors.plan_milestones_by_port(),
        **_lifecycle(),
    }
    return render(request, "agreement/public_status.html", context)


public_status = cached_page(status_page)


@cached_page
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


AMENDMENT_ACTIONS = {
    "approve": PageAction(
        AmendmentApprovalForm,
        amendments.amendment_record_approval,
        gettext_lazy("The approval is recorded."),
        policy.Action.MILESTONE_CHANGE_DUE_DATE,
        open=lambda amendment: can_move(amendment, AmendmentStatus.IN_EFFECT),
    ),
    "abandon": PageAction(
        AmendmentAbandonForm,
        amendments.amendment_abandon,
        gettext_lazy("The amendment is abandoned; the due date stays."),
        policy.Action.MILESTONE_CHANGE_DUE_DATE,
        open=lambda amendment: can_move(amendment, AmendmentStatus.ABANDONED),
    ),
}


@require_http_methods(["GET", "POST"])
def amendment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One due-date amendment with each party's approval; while it is pending, AQMD
    administrators record an approval (the last one moves the date) or abandon it."""
    amendment = get_object_or_404(amendments.amendments_visible_to(request.user), pk=pk)
    page_forms, done = page_actions(
        request,
        AMENDMENT_ACTIONS,
        {"amendment": amendment},
        then=redirect("agreement-amendment", amendment.pk),
    )
    if done is not None:
        return done
    context = {
        "amendment": amendment,
        "approvals": list(
            zip(amendments.approving_parties(), amendments.approval_dates(amendment), strict=True)
        ),
        "approve_form": page_forms["approve"],
        "abandon_form": page_forms["abandon"],
    }
    return render(request, "agreement/amendment_detail.html", context)


@require_http_methods(["GET", "POST"])
def withdrawal_notices(request: HttpRequest) -> HttpResponse:
    """Withdrawal notices (AQMD and the board); AQMD administrators record one here."""
    require_page(request.user, policy.Action.WITHDRAWAL_VIEW)
    can_record = policy.can(request.user, policy.Action.WITHDRAWAL_RECORD)
    form = WithdrawalNoticeForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not can_record:
            raise PermissionDenied
        agreement = selectors.agreement_overview()
        if agreement is not None:
            done = form_action(
                request,
                form,
                lambda data: withdrawal.withdrawal_notice_record(
                    agreement=agreement, actor=request.user, **data
                ),
                success=_("The withdrawal notice is recorded."),
                then=redirect("withdrawal-notices"),
            )
            if done is not None:
                return done
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
        button_action(
            request,
            lambda: withdrawal.withdrawal_notice_rescind(
                notice=notice, reason=form.cleaned_data["reason"], actor=request.user
            ),
            _("The withdrawal notice is rescinded."),
        )
    else:
        messages.error(request, _("Say why the notice is rescinded."))
    return redirect("withdrawal-notices")


def withdrawal_notice_document(request: HttpRequest, pk: int) -> FileResponse:
    notice = get_object_or_404(withdrawal.withdrawal_notices_visible_to(request.user), pk=pk)
    return document_response(notice.document)


@cached_page
def milestone_list(request: HttpRequest) -> HttpResponse:
    """Milestones the user may see, filtered as in the API, with CSV and XLSX downloads."""
    require_page(request.user, policy.Action.MILESTONE_VIEW)
    filterset = MilestoneFilter(
        request.GET, queryset=selectors.milestones_with_history(request.user)
    )
    return render(request, "agreement/milestones.html", filtered_page(request, filterset))


def milestone_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The milestones of the page, with the page's filters, as CSV or XLSX."""
    require_page(request.user, policy.Action.MILESTONE_VIEW)
    filterset = MilestoneFilter(
        request.GET, queryset=selectors.milestones_with_history(request.user)
    )
    return filtered_download(filterset, MILESTONE_COLUMNS, fmt=fmt, filename="milestones")
