"""Forms parse and validate input only; the services decide."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import date_field, text_field


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePDFField(forms.FileField):
    """Zero or more uploaded files (the services check each is a readable PDF)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "application/pdf"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class ExtensionRequestForm(forms.Form):
    requested_due_date = date_field(
        _("New due date"),
        help_text=_("The date you ask for; on time until 11:59:59 PM Pacific that day."),
    )
    reason = text_field(_("Reason"), rows=5)
    documents = MultiplePDFField(
        label=_("Supporting documents (PDF)"), help_text=_("Optional; PDF files only.")
    )


class FlexibilityClaimForm(forms.Form):
    reason = text_field(_("What outside the port's control caused the miss"), rows=5)
    documents = MultiplePDFField(
        label=_("Evidence (PDF)"), help_text=_("For example letters from a utility or agency.")
    )


class CompletionReportForm(forms.Form):
    completed_on = date_field(
        _("Completed on"),
        help_text=_("The Pacific date the milestone was completed; not in the future."),
    )
    reason = text_field(
        _("What was completed"),
        rows=5,
        help_text=_("For example: the charging depot was energized and commissioned."),
    )
    documents = MultiplePDFField(
        label=_("Supporting documents (PDF)"),
        help_text=_("For an annual report, attach the report itself (required)."),
    )


class TargetActualForm(forms.Form):
    year = forms.IntegerField(
        label=_("Year"),
        min_value=2025,
        max_value=2100,
        help_text=_("The calendar year the value was reached in; not a future year."),
    )
    actual_value = forms.DecimalField(
        label=_("Actual value"),
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text=_("In the target's unit, e.g. chargers installed or MW of grid capacity."),
    )
    reason = text_field(
        _("How it was counted"),
        rows=5,
        help_text=_("For example: 24 chargers commissioned at Pier 300 and Pier 400."),
    )
    documents = MultiplePDFField(label=_("Supporting documents (PDF)"))


# The form a port files for each kind of request (the service's fields by name).
REQUEST_FORMS: dict[str, type[forms.Form]] = {
    "extension": ExtensionRequestForm,
    "flexibility": FlexibilityClaimForm,
    "completion": CompletionReportForm,
    "target_actual": TargetActualForm,
}


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), widget=forms.RadioSelect, choices=[("yes", ""), ("no", "")]
    )
    note = text_field(
        _("Note to the port"),
        rows=4,
        required=False,
        help_text=_("Required when you refuse or reject."),
    )

    def __init__(self, *args: Any, yes: str, no: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = [("yes", yes), ("no", no)]  # type: ignore[attr-defined]


class FlexibilityDecisionForm(DecisionForm):
    new_due_date = date_field(
        _("New due date (optional)"),
        required=False,
        help_text=_(
            "When you accept: leave empty to excuse the milestone, or set the date by which "
            "the port must now complete it."
        ),
    )


class DeterminationForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Determination"),
        widget=forms.RadioSelect,
        choices=[
            ("confirmed", _("Confirm: it is a default (the penalty is assessed)")),
            ("dismissed", _("Dismiss: it is not a default (no penalty)")),
        ],
    )
    reason = text_field(
        _("Reason"),
        rows=4,
        required=False,
        help_text=_("Required to dismiss; sent to the port with the notice."),
    )


class PaymentForm(forms.Form):
    paid_at = forms.DateTimeField(
        label=_("Paid at (Pacific time)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    reference = forms.CharField(label=_("Payment reference"), max_length=100)


class WaiveForm(forms.Form):
    reason = text_field(_("Reason for the waiver"), rows=4)


class DisbursementForm(forms.Form):
    project_name = forms.CharField(label=_("Community project"), max_length=200)
    community = forms.CharField(
        label=_("Near-port community"),
        max_length=100,
        help_text=_("For example Wilmington, San Pedro or West Long Beach."),
    )
    amount = forms.DecimalField(
        label=_("Amount (USD)"), max_digits=12, decimal_places=2, min_value=Decimal("0.01")
    )
    occurred_on = date_field(_("Date paid out"))
    description = text_field(_("Description"), rows=3, required=False)
