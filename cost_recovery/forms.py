"""Forms parse and validate input only; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from agreement.models import Party
from core.forms import date_field, text_field


class InvoiceForm(forms.Form):
    port = forms.ModelChoiceField(
        label=_("Port"), queryset=Party.objects.ports(), to_field_name="code"
    )
    period_start = date_field(_("Period from"))
    period_end = date_field(_("Period to"))
    amount = forms.DecimalField(label=_("Amount ($)"), max_digits=12, decimal_places=2)
    due_on = date_field(_("Due on"))
    description = text_field(_("Description"), rows=3, required=False)


class PaymentForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount ($)"), max_digits=12, decimal_places=2)
    received_on = date_field(_("Received on"))
    reference = forms.CharField(label=_("Reference"), required=False, max_length=200)


class VoidForm(forms.Form):
    reason = text_field(_("Why the invoice is void"), rows=3)
