"""Withdrawal from the agreement: any party may withdraw on 45 days' written notice.

AQMD administrators record a notice (the party, the date the written notice was received,
the notice itself as a PDF); the agreement ends on the effective date
(:func:`agreement.models.withdrawal_effective_on`).  From then on no miss of a milestone due
after that date can be a default: :func:`ended_before_due` is registered with
:mod:`agreement.holds`, so the deadline sweep skips those milestones.  A notice can be
rescinded before it takes effect.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policy
from audit.services import audit_record, snapshot
from core.errors import Conflict, ServiceError
from core.outbox import Mail, absolute_url, aqmd_admins, mail_language, outbox_put, port_staff
from core.uploads import document_store
from core.workflow import required_reason, transition

from . import deadlines
from .models import (
    Agreement,
    Party,
    RulemakingPause,
    WithdrawalNotice,
    WithdrawalStatus,
    withdrawal_effective_on,
)

# --- Reads -----------------------------------------------------------------------------------


def withdrawal_notices_visible_to(user: Any) -> QuerySet[WithdrawalNotice]:
    """Every notice, rescinded ones too, for AQMD and the board (nobody else)."""
    return policy.visible(
        user,
        policy.Action.WITHDRAWAL_VIEW,
        WithdrawalNotice.objects.select_related("party", "document", "recorded_by"),
        port_field="party",
    ).order_by("effective_on", "id")


def standing_withdrawal() -> WithdrawalNotice | None:
    """The standing notice that ends the agreement first (in effect or not yet), or None.

    Public: the dashboards and the terms page warn of it.
    """
    return (
        WithdrawalNotice.objects.standing()
        .select_related("party")
        .order_by("effective_on", "id")
        .first()
    )


def agreement_ended_on(now: dt.datetime | None = None) -> dt.date | None:
    """The date the agreement ended, if a withdrawal has taken effect by ``now``."""
    return ended_on_by(standing_withdrawal(), now)


def ended_on_by(notice: WithdrawalNotice | None, now: dt.datetime | None = None) -> dt.date | None:
    """The date the standing withdrawal ``notice`` (already read) ended the agreement, if it
    has taken effect by ``now``: :func:`agreement_ended_on` for a caller holding the notice."""
    today = deadlines.pacific_today(now or timezone.now())
    if notice is not None and notice.in_effect_on(today):
        return notice.effective_on
    return None


def ended_before_due() -> Q:
    """Milestones due after the effective date of a standing withdrawal: the agreement has
    ended by then, so their miss is no default (registered with :mod:`agreement.holds`).

    Such a milestone's due date can only pass after the effective date, so a notice that
    is still pending holds nothing the sweep looks at.
    """
    return Q(
        Exists(WithdrawalNotice.objects.standing().filter(effective_on__lt=OuterRef("due_date")))
    )


# --- Writes ----------------------------------------------------------------------------------


def _mail_everyone(notice: WithdrawalNotice, *, event: str, subject: str, body: str) -> None:
    recipients = [*aqmd_admins()]
    for port in Party.objects.ports():
        recipients.extend(port_staff(port.pk))
    with mail_language():
        outbox_put(
            Mail(
                event_key=f"withdrawal_notice.{notice.pk}.{event}",
                recipients=recipients,
                subject=subject,
                body=body,
            )
        )


@transaction.atomic
def withdrawal_notice_record(
    *,
    agreement: Agreement,
    party: Party,
    received_on: dt.date,
    document: UploadedFile,
    actor: Any,
    note: str = "",
    now: dt.datetime | None = None,
) -> WithdrawalNotice:
    """Record a party's written notice of withdrawal; the agreement ends
    ``notice period`` days after it was received.  Audited; everyone is told by mail."""
    policy.require(actor, policy.Action.WITHDRAWAL_RECORD)
    now = now or timezone.now()
    if received_on > deadlines.pacific_today(now):
        raise ServiceError(
            _("A notice cannot be received in the future."),
            fields={"received_on": _("Today or earlier.")},
        )
    # The agreement's row is locked before the check: of two notices recorded at once, the
    # second waits for the first and is refused (not a constraint error).
    locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if WithdrawalNotice.objects.standing().filter(agreement=agreement, party=party).exists():
        raise Conflict(
            _("%(party)s already has a withdrawal notice on record. Rescind it first.")
            % {"party": party.name}
        )
    stored = document_store(upload=document, actor=actor, party_id=None)
    notice = WithdrawalNotice.objects.create(
        agreement=locked,
        party=party,
        received_on=received_on,
        notice_days=locked.withdrawal_notice_days,
        effective_on=withdrawal_effective_on(received_on, locked.withdrawal_notice_days),
        document=stored,
        note=(note or "").strip(),
        recorded_by=actor,
        recorded_at=now,
    )
    audit_record(
        actor=actor, action="withdrawal_notice.recorded", obj=notice, after=snapshot(notice)
    )
    _mail_everyone(
        notice,
        event="recorded",
        subject=_("Notice of withdrawal from the Cooperative Agreement"),
        body=_(
            "%(party)s gave written notice of withdrawal, received on %(received)s. "
            "The agreement ends on %(effective)s.\n%(url)s\n"
        )
        % {
            "party": party.name,
            "received": received_on.isoformat(),
            "effective": notice.effective_on.isoformat(),
            "url": absolute_url(reverse("agreement-terms")),
        },
    )
    return notice


@transaction.atomic
def withdrawal_notice_rescind(
    *, notice: WithdrawalNotice, reason: str, actor: Any, now: dt.datetime | None = None
) -> WithdrawalNotice:
    """Rescind a notice before it takes effect (409 once it has)."""
    policy.require(actor, policy.Action.WITHDRAWAL_RECORD, notice)
    now = now or timezone.now()
    reason = required_reason(reason, missing=_("Say why the notice is rescinded."))
    if notice.status == WithdrawalStatus.RECEIVED and not notice.can_be_rescinded_on(
        deadlines.pacific_today(now)
    ):
        raise Conflict(
            _("The withdrawal took effect on %(date)s and can no longer be rescinded.")
            % {"date": notice.effective_on.isoformat()}
        )
    moved = transition(
        notice,
        WithdrawalStatus.RESCINDED,
        actor=actor,
        changes={"rescinded_at": now, "rescind_reason": reason},
        note=reason,
    )
    if moved.changed:
        _mail_everyone(
            moved.obj,
            event="rescinded",
            subject=_("Withdrawal notice rescinded"),
            body=_("The notice of withdrawal of %(party)s was rescinded: %(reason)s\n")
            % {"party": notice.party.name, "reason": reason},
        )
    return moved.obj


# --- The rulemaking pause, which the agreement's end cuts short ------------------------------


@dataclass(frozen=True)
class PauseStatus:
    pause: RulemakingPause
    actual_end: dt.date | None  # None while it runs to its planned end


def rulemaking_pauses(now: dt.datetime | None = None) -> list[PauseStatus]:
    """Each rulemaking pause with its actual end (AQMD resumed, or the agreement ended)."""
    ended_on = agreement_ended_on(now)
    return [
        PauseStatus(pause, pause.actual_end(ended_on))
        for pause in RulemakingPause.objects.order_by("starts_on", "id")
    ]
