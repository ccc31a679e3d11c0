"""Pages under /penalties/: views parse input, call a selector or a service, and render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    QueryDict,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import policy
from accounts.policy import Action
from agreement.models import Milestone
from core.errors import ServiceError
from core.exports import Column, export_response
from core.models import Document
from core.uploads import document_response

from . import flexibility, selectors, services
from .exports import DEFAULT_COLUMNS, FUND_ENTRY_COLUMNS, PENALTY_COLUMNS
from .filters import DefaultFilter, FundEntryFilter, PenaltyFilter
from .forms import (
    DecisionForm,
    DisbursementForm,
    ExtensionRequestForm,
    FlexibilityClaimForm,
    PaymentForm,
    WaiveForm,
    add_service_error,
)
from .models import ClaimStatus, ExtensionRequest, FlexibilityClaim, Penalty, RequestStatus


def _require(user: Any, action: Action, obj: Any = None) -> None:
    if not policy.can(user, action, obj):
        raise PermissionDenied


def _query_without_page(request: HttpRequest) -> str:
    """The page's filters as a query string, for the download links and the page links."""
    query: QueryDict = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _download(
    request: HttpRequest, filterset: Any, columns: list[Column], *, fmt: str, filename: str
) -> HttpResponse:
    """The rows of a page, with the page's filters, as CSV or XLSX."""
    if not filterset.is_valid():
        return HttpResponseBadRequest(_("The filters are not valid."))
    return export_response(filterset.qs, columns, fmt=fmt, filename=filename)


def defaults_list(request: HttpRequest) -> HttpResponse:
    """Defaults and their penalties: everyone (the public too); port staff see their port's."""
    _require(request.user, Action.DEFAULT_VIEW)
    filterset = DefaultFilter(request.GET, queryset=selectors.defaults_visible_to(request.user))
    context = {
        "defaults": list(filterset.qs) if filterset.is_valid() else [],
        "filter": filterset,
        "query": _query_without_page(request),
        "ledger": selectors.penalty_ledger(request.user),
    }
    return render(request, "penalties/defaults.html", context)


def defaults_export(request: HttpRequest, fmt: str) -> HttpResponse:
    _require(request.user, Action.DEFAULT_VIEW)
    filterset = DefaultFilter(request.GET, queryset=selectors.defaults_visible_to(request.user))
    return _download(request, filterset, DEFAULT_COLUMNS, fmt=fmt, filename="defaults")


PENALTY_PAGE_SIZE = 50


def penalties_list(request: HttpRequest) -> HttpResponse:
    """Penalties with filters (port, status, year) and downloads; the public may read them."""
    _require(request.user, Action.DEFAULT_VIEW)
    filterset = PenaltyFilter(request.GET, queryset=selectors.penalties_visible_to(request.user))
    rows = filterset.qs if filterset.is_valid() else Penalty.objects.none()
    context = {
        "filter": filterset,
        "page": Paginator(rows, PENALTY_PAGE_SIZE).get_page(request.GET.get("page")),
        "query": _query_without_page(request),
    }
    return render(request, "penalties/penalties.html", context)


def penalties_export(request: HttpRequest, fmt: str) -> HttpResponse:
    _require(request.user, Action.DEFAULT_VIEW)
    filterset = PenaltyFilter(request.GET, queryset=selectors.penalties_visible_to(request.user))
    return _download(request, filterset, PENALTY_COLUMNS, fmt=fmt, filename="penalties")


@require_http_methods(["GET", "POST"])
def penalty_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        penalty = selectors.penalty_for_page(pk)
    except Penalty.DoesNotExist as exc:
        raise Http404 from exc
    _require(request.user, Action.DEFAULT_VIEW, penalty)
    payment_form = PaymentForm(prefix="pay")
    waive_form = WaiveForm(prefix="waive")
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "pay":
                payment_form = PaymentForm(request.POST, prefix="pay")
                if payment_form.is_valid():
                    services.penalty_record_payment(
                        penalty=penalty,
                        paid_at=payment_form.cleaned_data["paid_at"],
                        reference=payment_form.cleaned_data["reference"],
                        actor=request.user,
                    )
                    messages.success(request, _("Payment recorded; the fund received it."))
                    return redirect("penalties:penalty", pk=penalty.pk)
            elif action == "waive":
                waive_form = WaiveForm(request.POST, prefix="waive")
                if waive_form.is_valid():
                    services.penalty_waive(
                        penalty=penalty,
                        reason=waive_form.cleaned_data["reason"],
                        actor=request.user,
                    )
                    messages.success(request, _("Penalty waived."))
                    return redirect("penalties:penalty", pk=penalty.pk)
            else:
                raise PermissionDenied
        except ServiceError as error:
            if error.code == "forbidden":
                raise PermissionDenied from error
            add_service_error(payment_form if action == "pay" else waive_form, error)
    context = {
        "penalty": penalty,
        "default": penalty.default,
        "payment_form": payment_form,
        "waive_form": waive_form,
        "may_record_payment": policy.can(request.user, Action.PENALTY_RECORD_PAYMENT, penalty)
        and penalty.can_become("paid"),
        "may_waive": policy.can(request.user, Action.PENALTY_WAIVE, penalty)
        and penalty.can_become("waived"),
    }
    return render(request, "penalties/penalty_detail.html", context)


@login_required
def milestones(request: HttpRequest) -> HttpResponse:
    """Milestones with status and days left, defaults, and links to ask for time or flexibility."""
    _require(request.user, Action.MILESTONE_VIEW)
    rows = selectors.milestone_rows(user=request.user)
    context = {
        "rows": rows,
        "may_request": policy.can(request.user, Action.EXTENSION_REQUEST),
    }
    return render(request, "penalties/milestones.html", context)


def _own_milestone(request: HttpRequest, pk: int, action: Action) -> Milestone:
    milestone = get_object_or_404(Milestone.objects.select_related("party"), pk=pk)
    _require(request.user, action, milestone)
    return milestone


@login_required
@require_http_methods(["GET", "POST"])
def extension_new(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = _own_milestone(request, pk, Action.EXTENSION_REQUEST)
    form = ExtensionRequestForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            made = flexibility.extension_request_file(
                milestone=milestone,
                requested_due_date=form.cleaned_data["requested_due_date"],
                reason=form.cleaned_data["reason"],
                uploads=form.cleaned_data["documents"],
                actor=request.user,
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Extension request filed; AQMD will decide."))
            return redirect("penalties:extension", pk=made.pk)
    context = {
        "form": form,
        "milestone": milestone,
        "heading": _("Ask for an extension"),
        "submit": _("File the extension request"),
    }
    return render(request, "penalties/request_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def flexibility_new(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = _own_milestone(request, pk, Action.FLEXIBILITY_REQUEST)
    form = FlexibilityClaimForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            made = flexibility.flexibility_claim_file(
                milestone=milestone,
                reason=form.cleaned_data["reason"],
                uploads=form.cleaned_data["documents"],
                actor=request.user,
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Flexibility claim filed; AQMD will decide."))
            return redirect("penalties:flexibility", pk=made.pk)
    context = {
        "form": form,
        "milestone": milestone,
        "heading": _("Claim the miss was outside the port's control"),
        "submit": _("File the flexibility claim"),
    }
    return render(request, "penalties/request_form.html", context)


def _may_see_requests(user: Any, obj: Any = None) -> bool:
    """The port's own staff, AQMD and the board (the policy's ``*_VIEW`` actions)."""
    if isinstance(obj, FlexibilityClaim):
        return policy.can(user, Action.FLEXIBILITY_VIEW, obj)
    return policy.can(user, Action.EXTENSION_VIEW, obj)


@login_required
def requests_list(request: HttpRequest) -> HttpResponse:
    """Extension requests and flexibility claims, pending first."""
    if not _may_see_requests(request.user):
        raise PermissionDenied
    context = {
        "extensions": list(
            selectors.extension_requests_visible_to(request.user).order_by(
                "-status", "-requested_at"
            )
        ),
        "claims": list(
            selectors.flexibility_claims_visible_to(request.user).order_by("-status", "-filed_at")
        ),
    }
    return render(request, "penalties/requests.html", context)


def _request_detail(
    request: HttpRequest,
    obj: ExtensionRequest | FlexibilityClaim,
    *,
    kind: str,
    may_decide: bool,
    labels: tuple[str, str],
    decide: Callable[[bool, str], object],
) -> HttpResponse:
    """One request's page with AQMD's decision form; ``decide(yes, note)`` calls the service."""
    if not _may_see_requests(request.user, obj):
        raise PermissionDenied
    form = DecisionForm(request.POST or None, yes=labels[0], no=labels[1])
    if request.method == "POST":
        if not may_decide:
            raise PermissionDenied
        if form.is_valid():
            try:
                decide(form.cleaned_data["decision"] == "yes", form.cleaned_data["note"])
            except ServiceError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Decision recorded."))
                return redirect(f"penalties:{kind}", pk=obj.pk)
    context = {"item": obj, "kind": kind, "form": form, "may_decide": may_decide}
    return render(request, "penalties/request_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def extension_detail(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_object_or_404(
        ExtensionRequest.objects.select_related("milestone__party", "requested_by", "decided_by"),
        pk=pk,
    )
    return _request_detail(
        request,
        obj,
        kind="extension",
        may_decide=obj.status == RequestStatus.PENDING
        and policy.can(request.user, Action.EXTENSION_DECIDE, obj),
        labels=(_("Grant"), _("Refuse")),
        decide=lambda yes, note: flexibility.extension_request_decide(
            request=obj, grant=yes, note=note, actor=request.user
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def flexibility_detail(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_object_or_404(
        FlexibilityClaim.objects.select_related("milestone__party", "filed_by", "decided_by"),
        pk=pk,
    )
    return _request_detail(
        request,
        obj,
        kind="flexibility",
        may_decide=obj.status == ClaimStatus.PENDING
        and policy.can(request.user, Action.FLEXIBILITY_DECIDE, obj),
        labels=(_("Accept"), _("Reject")),
        decide=lambda yes, note: flexibility.flexibility_claim_decide(
            claim=obj, accept=yes, note=note, actor=request.user
        ),
    )


@login_required
def request_document(request: HttpRequest, kind: str, pk: int, document_pk: int) -> FileResponse:
    """Download a document attached to a request the user may see."""
    obj: ExtensionRequest | FlexibilityClaim
    if kind == "extension":
        obj = get_object_or_404(ExtensionRequest, pk=pk)
    else:
        obj = get_object_or_404(FlexibilityClaim, pk=pk)
    if not _may_see_requests(request.user, obj):
        raise PermissionDenied
    document = get_object_or_404(Document, pk=document_pk, pk__in=obj.documents.values("pk"))
    return document_response(document)


@require_http_methods(["GET", "POST"])
def fund(request: HttpRequest) -> HttpResponse:
    """The Clean Air Mitigation Fund: balance, totals by year and port, the ledger."""
    _require(request.user, Action.FUND_VIEW)
    may_disburse = policy.can(request.user, Action.FUND_DISBURSE)
    form = DisbursementForm(request.POST or None)
    if request.method == "POST":
        if not may_disburse:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.fund_disburse(actor=request.user, **form.cleaned_data)
            except ServiceError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Disbursement recorded."))
                return redirect("penalties:fund")
    filterset = FundEntryFilter(request.GET, queryset=selectors.fund_ledger())
    context = {
        "totals": selectors.fund_totals(),
        "ledger": list(filterset.qs) if filterset.is_valid() else [],
        "filter": filterset,
        "query": _query_without_page(request),
        "form": form,
        "may_disburse": may_disburse,
    }
    return render(request, "penalties/fund.html", context)


def fund_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The fund's ledger as on the page (newest first, the page's filters), CSV or XLSX."""
    _require(request.user, Action.FUND_VIEW)
    filterset = FundEntryFilter(request.GET, queryset=selectors.fund_ledger())
    return _download(
        request, filterset, FUND_ENTRY_COLUMNS, fmt=fmt, filename="mitigation-fund-ledger"
    )
