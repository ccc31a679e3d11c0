"""Forms of public input: the public's comment form and AQMD's moderation form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.formats import number_format
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.forms import text_field

from .models import PUBLIC_COMMENT_MAX_LENGTH


def _comment_help() -> str:
    return gettext("Required. At most %(max)s characters. AQMD reads every comment first.") % {
        "max": number_format(PUBLIC_COMMENT_MAX_LENGTH, force_grouping=True)
    }


# The honeypot: hidden from people (and screen readers), filled in by naive bots.
HONEYPOT = "website"


class PublicCommentForm(forms.Form):
    # No max_length here: it would give the textarea a maxlength, and the browser would cut a
    # longer comment without a word. The service refuses it, saying by how much (issue #11).
    text = text_field(
        _("Your comment"),
        rows=8,
        help_text=lazy(_comment_help, str)(),
        error_messages={"required": _("Write your comment.")},
    )
    name = forms.CharField(
        label=_("Your name (optional)"),
        max_length=120,
        required=False,
        help_text=_(
            "Shown with your comment once it is published. Leave it empty to comment anonymously."
        ),
    )
    community = forms.CharField(
        label=_("Community or neighbourhood (optional)"),
        max_length=120,
        required=False,
        help_text=_("For example: Wilmington, San Pedro, West Long Beach."),
    )
    email = forms.EmailField(
        label=_("Email (optional)"),
        required=False,
        help_text=_("Only AQMD staff see it, to reply to you. It is never shown publicly."),
    )
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get(HONEYPOT):
            # A non-field error: the field itself is hidden, so the summary says it all.
            raise forms.ValidationError(
                _('Your comment was not sent: the field "Leave this field empty" must be empty.'),
                code="honeypot",
            )
        return data


class ModerationForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("publish", _("Publish")), ("reject", _("Do not publish"))],
        widget=forms.RadioSelect,
    )
    note = text_field(
        _("Note"),
        rows=2,
        required=False,
        help_text=_("Required when the comment is not published; it is not shown publicly."),
    )
