"""Public input on draft plans: the public comments, AQMD moderates.

Every change is atomic, permission-checked and audited on the comment itself (so it shows
in the port's audit trail).  A comment from an anonymous visitor is recorded with the actor
"public" and the commenter's name in the note; the email address never enters the trail.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from accounts import policy
from audit.services import audit_record
from core.errors import Conflict, ServiceError
from core.workflow import transition

from .models import (
    PUBLIC_COMMENT_MAX_LENGTH,
    PlanVersion,
    PublicComment,
    PublicCommentStatus,
    VersionStatus,
)
from .workflow import PUBLIC_COMMENT_WORKFLOW

PUBLIC_ACTOR = "public"


def _closed_reason(version: PlanVersion) -> str:
    """Why a version takes no comments, in words the public can act on."""
    if version.status == VersionStatus.WITHDRAWN:
        return _("The port withdrew this draft plan, so the comment period is closed.")
    if version.status in (VersionStatus.APPROVED, VersionStatus.CHANGES_REQUESTED):
        return _(
            "AQMD has decided on this version, so its comment period is closed. "
            "A revised draft will open a new comment period."
        )
    return _("Comments are taken on draft plans while AQMD reviews them; this is not one.")


def _who(name: str, community: str) -> str:
    name = name or _("Anonymous")
    return f"{name} ({community})" if community else name


@transaction.atomic
def public_comment_submit(
    *,
    version: PlanVersion,
    text: str,
    name: str = "",
    community: str = "",
    email: str = "",
    actor: Any = None,
) -> PublicComment:
    """A comment from the public on a draft plan, pending until AQMD publishes it.

    Accepted while the draft-kind version is submitted or under review (its comment period);
    closed once AQMD decides or the port withdraws it.
    """
    text = (text or "").strip()
    if not text:
        raise ServiceError(_("Write your comment first."), fields={"text": _("Required.")})
    if len(text) > PUBLIC_COMMENT_MAX_LENGTH:
        message = _("A comment can be at most %(max)s characters; this one has %(n)s.") % {
            "max": number_format(PUBLIC_COMMENT_MAX_LENGTH, force_grouping=True),
            "n": number_format(len(text), force_grouping=True),
        }
        raise ServiceError(message, fields={"text": message})
    # Lock the version: a withdrawal or decision at the same moment closes the period first.
    locked = (
        PlanVersion.objects.select_for_update(of=("self",))
        .select_related("plan__party", "plan__phase")
        .get(pk=version.pk)
    )
    policy.require(actor, policy.Action.PUBLIC_COMMENT_SUBMIT, locked)
    if not locked.open_for_public_comment:
        raise Conflict(_closed_reason(locked))
    comment = PublicComment(
        version=locked,
        text=text,
        name=(name or "").strip(),
        community=(community or "").strip(),
        email=(email or "").strip(),
    )
    try:
        comment.full_clean(exclude=["version"])
    except ValidationError as exc:
        fields = {k: " ".join(str(m) for m in v) for k, v in exc.message_dict.items()}
        raise ServiceError(" ".join(fields.values()), fields=fields) from exc
    comment.save()
    audit_record(
        actor=actor,
        actor_label=PUBLIC_ACTOR,
        action="public_comment.submitted",
        obj=comment,
        after={"version": locked.pk, "plan": locked.plan_id, "status": comment.status},
        note=_("Comment from %(who)s") % {"who": _who(comment.name, comment.community)},
    )
    return comment


@transaction.atomic
def public_comment_moderate(
    *, comment: PublicComment, publish: bool, note: str = "", actor: Any
) -> PublicComment:
    """AQMD publishes a pending comment or rejects it (a rejection needs a note).

    A no-op when the comment already has that outcome; a comment moderated the other way is
    a conflict (the first moderator's decision stands).
    """
    note = (note or "").strip()
    target = PublicCommentStatus.PUBLISHED if publish else PublicCommentStatus.REJECTED
    locked = (
        PublicComment.objects.select_for_update(of=("self",))
        .select_related("version__plan")
        .get(pk=comment.pk)
    )
    policy.require(actor, policy.Action.PUBLIC_COMMENT_MODERATE, locked)
    if locked.status == target:
        return locked
    PUBLIC_COMMENT_WORKFLOW.check(locked, target)
    if not publish and not note:
        raise ServiceError(
            _("Say why the comment is not published."), fields={"note": _("Required.")}
        )
    moved = transition(
        locked,
        target,
        actor=actor,
        changes={"moderated_by": actor, "moderated_at": timezone.now(), "moderation_note": note},
        note=note,
        audit_extra={"version": locked.version_id},
        locked=True,
    )
    return moved.obj
