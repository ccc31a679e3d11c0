"""Forms parse and validate input only; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Party


class DateInput(forms.DateInput):
    input_type = "date"


class WithdrawalNoticeForm(forms.Form):
    party = forms.ModelChoiceField(
        label=_("Withdrawing party"), queryset=Party.objects.all(), to_field_name="code"
    )
    received_on = forms.DateField(label=_("Written notice received on"), widget=DateInput)
    document = forms.FileField(
        label=_("The written notice (PDF)"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class WithdrawalRescindForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the notice is rescinded"), widget=forms.Textarea(attrs={"rows": 3})
    )
