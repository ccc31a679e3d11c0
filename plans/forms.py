"""Forms parse and validate input only; services make the changes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from agreement.models import EmissionCategory, Party, Phase
from core.forms import text_field

from .models import (
    Decision,
    InfrastructureProject,
    PlanningTarget,
    PlanVersion,
    ProjectMilestone,
    VersionStatus,
)
from .services import MILESTONE_FIELDS, PROJECT_FIELDS, TARGET_FIELDS

DATE = forms.DateInput(attrs={"type": "date"})


def _categories_of(phase: Phase) -> Any:
    return EmissionCategory.objects.filter(phase=phase)


class VersionForm(forms.ModelForm):
    class Meta:
        model = PlanVersion
        fields = ["kind", "summary"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 3})}


class TargetForm(forms.ModelForm):
    class Meta:
        model = PlanningTarget
        fields = TARGET_FIELDS

    def __init__(self, *args: Any, phase: Phase, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = _categories_of(phase)  # type: ignore[attr-defined]


class ProjectForm(forms.ModelForm):
    class Meta:
        model = InfrastructureProject
        fields = PROJECT_FIELDS
        widgets = {
            "start_date": DATE,
            "end_date": DATE,
            "funding_sources": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, phase: Phase, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = _categories_of(phase)  # type: ignore[attr-defined]
        self.fields["estimated_cost"].min_value = 0  # type: ignore[attr-defined]
        self.fields["estimated_cost"].widget.attrs["min"] = "0"


class ProjectMilestoneForm(forms.ModelForm):
    class Meta:
        model = ProjectMilestone
        fields = MILESTONE_FIELDS
        widgets = {"due_date": DATE}


class DocumentForm(forms.Form):
    file = forms.FileField(
        label=_("Supporting document (PDF)"),
        help_text=_("PDF only, up to the size limit."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )


class CommentForm(forms.Form):
    body = text_field(_("Comment"), rows=4)
    project = forms.ModelChoiceField(
        label=_("About"),
        queryset=InfrastructureProject.objects.none(),
        required=False,
        empty_label=_("The whole plan"),
    )

    def __init__(self, *args: Any, version: PlanVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = InfrastructureProject.objects.filter(  # type: ignore[attr-defined]
            version=version
        )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=Decision.choices, widget=forms.RadioSelect
    )
    reasons = text_field(
        _("Reasons"),
        rows=5,
        required=False,
        help_text=_("Required when sending the plan back: say what must change."),
    )
    confirm_past_due = forms.BooleanField(
        label=_("Approve even though some project milestone dates have already passed"),
        required=False,
        help_text=_(
            "Approving a final plan makes its project milestones tracked deadlines. A date "
            "already past would be flagged as missed at once: if any are listed, check them "
            "first; tick this only when they are right."
        ),
    )


class QueueFilterForm(forms.Form):
    port = forms.ModelChoiceField(
        label=_("Port"), queryset=Party.objects.ports(), required=False, empty_label=_("All ports")
    )
    phase = forms.ModelChoiceField(
        label=_("Phase"), queryset=Phase.objects.all(), required=False, empty_label=_("All phases")
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("All pending")),
            (VersionStatus.SUBMITTED, VersionStatus.SUBMITTED.label),
            (VersionStatus.UNDER_REVIEW, VersionStatus.UNDER_REVIEW.label),
        ],
    )
