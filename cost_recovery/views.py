"""Pages under /cost-recovery/: views parse input, call a selector or a service, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import policy
from core.errors import ServiceError
from core.forms import add_service_error

from . import selectors, services
from .forms import InvoiceForm, PaymentForm


@require_http_methods(["GET", "POST"])
def invoice_list(request: HttpRequest) -> HttpResponse:
    """Invoices the user may see with balances per port; administrators issue one here."""
    if not policy.can(request.user, policy.Action.COST_RECOVERY_VIEW):
        raise PermissionDenied
    can_manage = policy.can(request.user, policy.Action.COST_RECOVERY_MANAGE)
    form = InvoiceForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                invoice = services.invoice_issue(party=data.pop("port"), actor=request.user, **data)
            except ServiceError as error:
                add_service_error(form, error, field_for=lambda f: "port" if f == "party" else f)
            else:
                messages.success(
                    request, _("Invoice %(number)s is issued.") % {"number": invoice.number}
                )
                return redirect("cost-recovery:invoice", invoice.pk)
    context = {
        "invoices": list(selectors.invoices_visible_to(request.user)),
        "balances": selectors.balances_by_port(request.user),
        "form": form if can_manage else None,
    }
    return render(request, "cost_recovery/invoice_list.html", context)


@require_http_methods(["GET", "POST"])
def invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One invoice with its payments; administrators record a payment here.  Another
    port's invoice is a 404."""
    invoice = get_object_or_404(selectors.invoices_visible_to(request.user), pk=pk)
    can_manage = policy.can(request.user, policy.Action.COST_RECOVERY_MANAGE, invoice)
    form = PaymentForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.payment_record(invoice=invoice, actor=request.user, **form.cleaned_data)
            except ServiceError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("The payment is recorded."))
                return redirect("cost-recovery:invoice", invoice.pk)
    context = {
        "invoice": invoice,
        "form": form if can_manage and invoice.status == "issued" else None,
    }
    return render(request, "cost_recovery/invoice_detail.html", context)
