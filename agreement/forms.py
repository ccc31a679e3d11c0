"""Forms parse and validate input only; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import date_field, text_field

from .models import Party


class WithdrawalNoticeForm(forms.Form):
    party = forms.ModelChoiceField(
        label=_("Withdrawing party"), queryset=Party.objects.all(), to_field_name="code"
    )
    received_on = date_field(_("Written notice received on"))
    document = forms.FileField(
        label=_("The written notice (PDF)"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )
    note = text_field(_("Note"), rows=3, required=False)


class WithdrawalRescindForm(forms.Form):
    reason = text_field(_("Why the notice is rescinded"), rows=3)


class AmendmentApprovalForm(forms.Form):
    party = forms.ModelChoiceField(
        label=_("Approving party"), queryset=Party.objects.all(), to_field_name="code"
    )
    approved_on = date_field(_("Approved on"))


class AmendmentAbandonForm(forms.Form):
    reason = text_field(_("Why the amendment is abandoned"), rows=3)
