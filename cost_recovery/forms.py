"""Forms parse and validate input only; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from agreement.models import Party


class DateInput(forms.DateInput):
    input_type = "date"


class InvoiceForm(forms.Form):
    port = forms.ModelChoiceField(
        label=_("Port"), queryset=Party.objects.ports(), to_field_name="code"
    )
    period_start = forms.DateField(label=_("Period from"), widget=DateInput)
    period_end = forms.DateField(label=_("Period to"), widget=DateInput)
    amount = forms.DecimalField(label=_("Amount ($)"), max_digits=12, decimal_places=2)
    due_on = forms.DateField(label=_("Due on"), widget=DateInput)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class PaymentForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount ($)"), max_digits=12, decimal_places=2)
    received_on = forms.DateField(label=_("Received on"), widget=DateInput)
    reference = forms.CharField(label=_("Reference"), required=False, max_length=200)
