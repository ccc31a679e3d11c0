"""Pages under /cost-recovery/: views parse input, call a selector or a service, render."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts import policy
from core.views import PageAction, form_action, page_actions, require_page
from core.workflow import can_move

from . import selectors, services
from .forms import InvoiceForm, PaymentForm, VoidForm
from .models import InvoiceStatus


@require_http_methods(["GET", "POST"])
def invoice_list(request: HttpRequest) -> HttpResponse:
    """Invoices the user may see with balances per port; administrators issue one here."""
    require_page(request.user, policy.Action.COST_RECOVERY_VIEW)
    can_manage = policy.can(request.user, policy.Action.COST_RECOVERY_MANAGE)
    form = InvoiceForm(request.POST or None)

    def issue(cleaned: dict[str, Any]) -> Any:
        data = dict(cleaned)
        return services.invoice_issue(party=data.pop("port"), actor=request.user, **data)

    done = form_action(
        request,
        form,
        issue,
        success=lambda invoice: _("Invoice %(number)s is issued.") % {"number": invoice.number},
        then=lambda invoice: redirect("cost-recovery:invoice", invoice.pk),
        field_for=lambda f: "port" if f == "party" else f,
        allowed=can_manage,
    )
    if done is not None:
        return done
    context = {
        "invoices": list(selectors.invoices_visible_to(request.user)),
        "balances": selectors.balances_by_port(request.user),
        "form": form if can_manage else None,
    }
    return render(request, "cost_recovery/invoice_list.html", context)


INVOICE_ACTIONS = {
    "pay": PageAction(
        PaymentForm,
        services.payment_record,
        gettext_lazy("The payment is recorded."),
        policy.Action.COST_RECOVERY_MANAGE,
        open=lambda invoice: can_move(invoice, InvoiceStatus.PAID),
    ),
    "void": PageAction(
        VoidForm,
        services.invoice_void,
        gettext_lazy("The invoice is void."),
        policy.Action.COST_RECOVERY_MANAGE,
        open=lambda invoice: invoice.voidable,
    ),
}


@require_http_methods(["GET", "POST"])
def invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One invoice with its payments; administrators record a payment or void it (issued in
    error, nothing paid) here.  Another port's invoice is a 404."""
    invoice = get_object_or_404(selectors.invoices_visible_to(request.user), pk=pk)
    page_forms, done = page_actions(
        request,
        INVOICE_ACTIONS,
        {"invoice": invoice},
        then=redirect("cost-recovery:invoice", invoice.pk),
    )
    if done is not None:
        return done
    context = {"invoice": invoice, "form": page_forms["pay"], "void_form": page_forms["void"]}
    return render(request, "cost_recovery/invoice_detail.html", context)
