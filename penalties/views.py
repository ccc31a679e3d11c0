"""Pages under /penalties/: views parse input, call a selector or a service, and render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts import policy
from accounts.policy import Action
from core.page_cache import cached_page
from core.uploads import document_response
from core.views import (
    PageAction,
    filtered_download,
    filtered_page,
    form_action,
    page_actions,
    paged,
    require_page,
)

from . import determinations, milestone_requests, selectors, services
from .exports import DEFAULT_COLUMNS, FUND_ENTRY_COLUMNS, PENALTY_COLUMNS
from .filters import DefaultFilter, FundEntryFilter, PenaltyFilter
from .forms import (
    REQUEST_FORMS,
    DecisionForm,
    DeterminationForm,
    DisbursementForm,
    FlexibilityDecisionForm,
    PaymentForm,
    WaiveForm,
)
from .models import DefaultStatus


@cached_page
def defaults_list(request: HttpRequest) -> HttpResponse:
    """Defaults and their penalties: everyone (the public too); port staff see their port's."""
    require_page(request.user, Action.DEFAULT_VIEW)
    filterset = DefaultFilter(request.GET, queryset=selectors.defaults_visible_to(request.user))
    context = {
        **filtered_page(request, filterset),
        "ledger": selectors.penalty_ledger(request.user),
    }
    return render(request, "penalties/defaults.html", context)


def defaults_export(request: HttpRequest, fmt: str) -> HttpResponse:
    require_page(request.user, Action.DEFAULT_VIEW)
    filterset = DefaultFilter(request.GET, queryset=selectors.defaults_visible_to(request.user))
    return filtered_download(filterset, DEFAULT_COLUMNS, fmt=fmt, filename="defaults")


@cached_page
def penalties_list(request: HttpRequest) -> HttpResponse:
    """Penalties with filters (port, status, year) and downloads; the public may read them."""
    require_page(request.user, Action.DEFAULT_VIEW)
    filterset = PenaltyFilter(request.GET, queryset=selectors.penalties_visible_to(request.user))
    return render(request, "penalties/penalties.html", filtered_page(request, filterset))


def penalties_export(request: HttpRequest, fmt: str) -> HttpResponse:
    require_page(request.user, Action.DEFAULT_VIEW)
    filterset = PenaltyFilter(request.GET, queryset=selectors.penalties_visible_to(request.user))
    return filtered_download(filterset, PENALTY_COLUMNS, fmt=fmt, filename="penalties")


# The two forms of a penalty's page, by the ``action`` they post: the form, its service
# (which takes the form's fields by name) and what the page says when it is done.
PENALTY_ACTIONS = {
    "pay": PageAction(
        PaymentForm,
        services.penalty_record_payment,
        gettext_lazy("Payment recorded; the fund received it."),
        Action.PENALTY_RECORD_PAYMENT,
        open=lambda penalty: penalty.can_become("paid"),
    ),
    "waive": PageAction(
        WaiveForm,
        services.penalty_waive,
        gettext_lazy("Penalty waived."),
        Action.PENALTY_WAIVE,
        open=lambda penalty: penalty.can_become("waived"),
    ),
}


@require_http_methods(["GET", "POST"])
def penalty_detail(request: HttpRequest, pk: int) -> HttpResponse:
    penalty = selectors.penalty_for(request.user, pk)
    page_forms, done = page_actions(
        request,
        PENALTY_ACTIONS,
        {"penalty": penalty},
        then=redirect("penalties:penalty", pk=penalty.pk),
    )
    if done is not None:
        return done
    context = {
        "penalty": penalty,
        "default": penalty.default,
        "payment_form": page_forms["pay"],
        "waive_form": page_forms["waive"],
    }
    return render(request, "penalties/penalty_detail.html", context)


@login_required
@cached_page
def milestones(request: HttpRequest) -> HttpResponse:
    """Milestones with status and days left, defaults, and what the port can ask AQMD."""
    require_page(request.user, Action.MILESTONE_VIEW)
    listed = paged(request, selectors.milestones_for_rows(request.user))
    context = {
        **listed,
        "rows": selectors.milestone_rows(user=request.user, milestones=listed["page"].object_list),
        "may_request": policy.can(request.user, Action.EXTENSION_REQUEST),
    }
    return render(request, "penalties/milestones.html", context)


def _kind(kind: str) -> milestone_requests.RequestKind:
    spec = milestone_requests.KINDS.get(kind)
    if spec is None:
        raise Http404
    return spec


# What the pages call each kind, and the words of AQMD's two answers.
REQUEST_WORDS: dict[str, dict[str, Any]] = {
    "extension": {
        "heading": gettext_lazy("Ask for an extension"),
        "submit": gettext_lazy("File the extension request"),
        "filed": gettext_lazy("Extension request filed; AQMD will decide."),
        "yes": gettext_lazy("Grant"),
        "no": gettext_lazy("Refuse"),
    },
    "flexibility": {
        "heading": gettext_lazy("Claim the miss was outside the port's control"),
        "submit": gettext_lazy("File the flexibility claim"),
        "filed": gettext_lazy("Flexibility claim filed; AQMD will decide."),
        "yes": gettext_lazy("Accept"),
        "no": gettext_lazy("Reject"),
    },
    "completion": {
        "heading": gettext_lazy("Report the milestone complete"),
        "submit": gettext_lazy("File the completion report"),
        "filed": gettext_lazy("Completion report filed; AQMD will verify it."),
        "yes": gettext_lazy("Accept: the milestone is met"),
        "no": gettext_lazy("Reject: the milestone stays open"),
    },
    "target_actual": {
        "heading": gettext_lazy("Report the actual reached for a target"),
        "submit": gettext_lazy("File the actual"),
        "filed": gettext_lazy("Actual filed; AQMD will verify it."),
        "yes": gettext_lazy("Accept: the actual counts toward the target"),
        "no": gettext_lazy("Reject: the actual does not count"),
    },
}


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """A port's staff file a request of ``kind`` on one of their milestones (or, for a
    target actual, one of their approved plan's targets)."""
    spec = _kind(kind)
    subject = get_object_or_404(spec.subject.visible(request.user), pk=pk)
    require_page(request.user, spec.file_action, subject)
    form = REQUEST_FORMS[kind](request.POST or None, request.FILES or None)

    def file(cleaned: dict[str, Any]) -> Any:
        data = dict(cleaned)
        return milestone_requests.request_file(
            kind=kind,
            subject=subject,
            reason=data.pop("reason"),
            uploads=data.pop("documents"),
            actor=request.user,
            **data,
        )

    done = form_action(
        request,
        form,
        file,
        success=REQUEST_WORDS[kind]["filed"],
        then=lambda made: redirect(f"penalties:{kind}", pk=made.pk),
    )
    if done is not None:
        return done
    context = {
        "form": form,
        "subject": subject,
        "heading": REQUEST_WORDS[kind]["heading"],
        "submit": REQUEST_WORDS[kind]["submit"],
    }
    return render(request, "penalties/request_form.html", context)


@login_required
@cached_page
def requests_list(request: HttpRequest) -> HttpResponse:
    """Extension requests, flexibility claims and completion reports, pending first."""
    if not any(
        policy.can(request.user, spec.view_action) for spec in milestone_requests.KINDS.values()
    ):
        raise PermissionDenied
    context = {
        "groups": [
            {
                "kind": kind,
                "label": spec.model._meta.verbose_name_plural,
                "rows": list(
                    selectors.requests_pending_first(request.user, kind)[:REQUEST_LIST_SIZE]
                ),
            }
            for kind, spec in milestone_requests.KINDS.items()
            if policy.can(request.user, spec.view_action)
        ],
    }
    return render(request, "penalties/requests.html", context)


REQUEST_LIST_SIZE = 200


@login_required
@require_http_methods(["GET", "POST"])
def request_detail(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """One request's page (404 for whoever may not see it) with AQMD's decision form."""
    spec = _kind(kind)
    item = selectors.request_for(request.user, kind, pk)
    may_decide = item.is_pending and policy.can(request.user, spec.decide_action, item)
    form_class = FlexibilityDecisionForm if kind == "flexibility" else DecisionForm
    words = REQUEST_WORDS[kind]
    form = form_class(request.POST or None, yes=words["yes"], no=words["no"])
    if request.method == "POST":
        if not may_decide:
            require_page(request.user, spec.decide_action, item)
            messages.error(
                request, _("This request was already decided; your decision was not recorded.")
            )
            return redirect(f"penalties:{kind}", pk=item.pk)
        done = form_action(
            request,
            form,
            lambda data: milestone_requests.request_decide(
                request=item,
                accept=data["decision"] == "yes",
                note=data["note"],
                actor=request.user,
                **({"new_due_date": data["new_due_date"]} if "new_due_date" in data else {}),
            ),
            success=_("Decision recorded."),
            then=redirect(f"penalties:{kind}", pk=item.pk),
        )
        if done is not None:
            return done
    context = {
        "item": item,
        "kind": kind,
        "form": form,
        "may_decide": may_decide,
        "document_url": f"penalties:{kind}-document",
    }
    return render(request, "penalties/request_detail.html", context)


@login_required
def request_document(request: HttpRequest, kind: str, pk: int, document_pk: int) -> FileResponse:
    """Download a document attached to a request the user may see (else 404)."""
    _kind(kind)
    item = selectors.request_for(request.user, kind, pk)
    document = get_object_or_404(item.documents.all(), pk=document_pk)
    return document_response(document)


@require_http_methods(["GET", "POST"])
def default_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One missed deadline: flagged (AQMD determines it here), confirmed with its penalty, or
    dismissed.  404 for whoever may not see it (the public: flagged and dismissed ones)."""
    default = selectors.default_for(request.user, pk)
    may_determine = default.is_flagged and policy.can(
        request.user, Action.DEFAULT_DETERMINE, default
    )
    form = DeterminationForm(request.POST or None)
    done = form_action(
        request,
        form,
        lambda data: determinations.default_determine(
            default=default, decision=data["decision"], reason=data["reason"], actor=request.user
        ),
        success=_("Determination recorded."),
        then=redirect("penalties:default", pk=default.pk),
        allowed=policy.can(request.user, Action.DEFAULT_DETERMINE, default),
    )
    if done is not None:
        return done
    # The form's only errors on top are the service's (add_service_error puts its message
    # first): determined already, the form is not shown, so say why.
    if form.non_field_errors() and not may_determine:
        messages.error(request, str(form.non_field_errors()[0]))
        return redirect("penalties:default", pk=default.pk)
    context = {
        "default": default,
        "penalty": getattr(default, "penalty", None),
        "form": form,
        "may_determine": may_determine,
        "may_claim": default.status in (DefaultStatus.FLAGGED, DefaultStatus.CONFIRMED)
        and policy.can(request.user, Action.FLEXIBILITY_REQUEST, default.milestone),
    }
    return render(request, "penalties/default_detail.html", context)


@require_http_methods(["GET", "POST"])
@cached_page
def fund(request: HttpRequest) -> HttpResponse:
    """The Clean Air Mitigation Fund: balance, totals by year and port, the ledger."""
    require_page(request.user, Action.FUND_VIEW)
    may_disburse = policy.can(request.user, Action.FUND_DISBURSE)
    form = DisbursementForm(request.POST or None)
    done = form_action(
        request,
        form,
        lambda data: services.fund_disburse(actor=request.user, **data),
        success=_("Disbursement recorded."),
        then=redirect("penalties:fund"),
        allowed=may_disburse,
    )
    if done is not None:
        return done
    filterset = FundEntryFilter(request.GET, queryset=selectors.fund_ledger())
    context = {
        "totals": selectors.fund_totals(),
        **filtered_page(request, filterset),
        "form": form,
        "may_disburse": may_disburse,
    }
    return render(request, "penalties/fund.html", context)


def fund_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The fund's ledger as on the page (newest first, the page's filters), CSV or XLSX."""
    require_page(request.user, Action.FUND_VIEW)
    filterset = FundEntryFilter(request.GET, queryset=selectors.fund_ledger())
    return filtered_download(
        filterset, FUND_ENTRY_COLUMNS, fmt=fmt, filename="mitigation-fund-ledger"
    )
