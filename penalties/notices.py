"""Notices to the responsible port's staff: reminders, overdue notices, notices of potential
default, of default and of a dismissed default.  Each is recorded once and mailed through the
outbox.

A notice is *recorded* (a :class:`Notice` row; the unique (milestone, kind, due date) refuses
a second, so reruns and concurrent jobs record it once) and its e-mail is put in the outbox
(:mod:`core.outbox`) in the same transaction.  When the first copy goes out, the delivery
hook stamps the notice's ``sent_at``; a notice of default also moves its penalty from
assessed to notice sent.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agreement.models import Milestone
from audit.services import AuditValues, audit_record, audit_record_many, audit_record_values
from core.outbox import (
    Mail,
    absolute_url,
    mail_language,
    outbox_put_many,
    outbox_put_rows,
    port_staff,
    register_hook,
)

from .models import Default, Notice, NoticeKind, Penalty, PenaltyStatus, notice_repr

logger = logging.getLogger(__name__)

HOOK = "penalties.notice_sent"


def notice_record(
    *, milestone: Milestone, kind: str, now: dt.datetime, default: Default | None = None
) -> Notice | None:
    """Record a notice for the due date missed (``default``'s, else the milestone's) and
    mail it after commit: :func:`notice_record_many` for one.

    Returns None when that notice was already recorded (a rerun, or a concurrent job).
    """
    try:
        with transaction.atomic():
            return notice_record_many(flagged=[(milestone, default)], kind=kind, now=now)[0]
    except IntegrityError:
        return None


def notice_record_many(
    *, flagged: Sequence[tuple[Milestone, Default | None]], kind: str, now: dt.datetime
) -> list[Notice]:
    """Record a notice of ``kind`` for each milestone (and its default, if any) and mail them
    after commit, in a few queries for the lot (the sweep's batch).

    A notice is for the due date missed: the default's, else the milestone's.  A notice
    already recorded makes the database refuse the lot (``IntegrityError``): the sweep
    redoes its batch one row at a time.
    """
    staff = {pid: port_staff(pid) for pid in sorted({m.party_id for m, _ in flagged})}
    notices = []
    for milestone, default in flagged:
        notice = Notice(
            milestone=milestone,
            party_id=milestone.party_id,
            kind=kind,
            due_date=default.due_date if default is not None else milestone.due_date,
            created_at=now,
            recipients=", ".join(sorted(u.email for u in staff[milestone.party_id])),
        )
        notices.append(notice)
    Notice.objects.bulk_create(notices)
    audit_record_many(
        [
            (
                f"notice.recorded.{kind}",
                n,
                {"recipients": n.recipients, "due_date": n.due_date},
            )
            for n in notices
        ]
    )
    mails = []
    with mail_language():
        for notice, (milestone, default) in zip(notices, flagged, strict=True):
            people = staff[milestone.party_id]
            if not people:
                # Nobody to send it to: the notice stays unsent on record (a notice of
                # default keeps its penalty "assessed") until the port has staff with an
                # address.
                logger.warning(
                    "Notice %s: port %s has no staff with e-mail", notice.pk, notice.party_id
                )
                continue
            subject, body = _message(notice, milestone, default)
            mails.append(
                Mail(
                    event_key=f"notice.{notice.pk}",
                    recipients=people,
                    subject=subject,
                    body=body,
                    hook=HOOK,
                    hook_arg=notice.pk,
                )
            )
    outbox_put_many(mails)
    return notices


@dataclass(frozen=True)
class FlaggedMiss:
    """A default the sweep just flagged, as plain values (:func:`potential_defaults_record`)."""

    milestone: Milestone  # with its party loaded
    default_id: int
    due_date: dt.date
    proposed_amount: Decimal
    provisional: bool


def potential_defaults_record(
    *, flagged: Sequence[FlaggedMiss], now: dt.datetime, audit_first: Sequence[AuditValues] = ()
) -> list[int]:
    """The notices of potential default of a sweep batch, with their audit events and mail:
    :func:`notice_record_many` for defaults just flagged, in plain values rather than model
    instances and one statement each for the notices, the audit events and the outbox rows.
    The same rows, texts and audit payloads.  Returns the notices' ids.

    ``audit_first``: audit events to link into the chain before the notices' (the defaults'),
    so the batch locks the chain's head once.

    A notice already recorded makes the database refuse the lot (``IntegrityError``): the
    sweep redoes its batch one row at a time.
    """
    from django.db import connection

    if not flagged:
        return []
    kind = NoticeKind.POTENTIAL_DEFAULT
    staff = {pid: port_staff(pid) for pid in sorted({f.milestone.party_id for f in flagged})}
    recipients = {pid: ", ".join(sorted(u.email for u in people)) for pid, people in staff.items()}
    rows = [
        {
            "milestone_id": f.milestone.pk,
            "party_id": f.milestone.party_id,
            "due_date": f.due_date.isoformat(),
            "recipients": recipients[f.milestone.party_id],
        }
        for f in flagged
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            _INSERT_NOTICES.format(table=connection.ops.quote_name(Notice._meta.db_table)),
            [kind.value, now, json.dumps(rows)],
        )
        ids = dict(cursor.fetchall())  # milestone id -> notice id (one each in a batch)
    notice_ids = [ids[f.milestone.pk] for f in flagged]
    kind_label = str(kind.label)
    records = list(audit_first)
    for notice_id, f in zip(notice_ids, flagged, strict=True):
        records.append(
            (
                f"notice.recorded.{kind}",
                Notice._meta.label_lower,
                notice_id,
                notice_repr(kind_label, f.milestone),
                f.milestone.party_id,
                {
                    "recipients": recipients[f.milestone.party_id],
                    "due_date": f.due_date.isoformat(),
                },
            )
        )
    audit_record_values(records)
    mails = []
    with mail_language():
        texts = _potential_default_texts()
        default_url = _url_for_pk("penalties:default")
        for notice_id, f in zip(notice_ids, flagged, strict=True):
            people = staff[f.milestone.party_id]
            if not people:
                logger.warning(
                    "Notice %s: port %s has no staff with e-mail", notice_id, f.milestone.party_id
                )
                continue
            values = {
                "title": f.milestone.title,
                "port": f.milestone.party.name,
                "due": f.due_date.isoformat(),
                "url": default_url(f.default_id),
            }
            subject, body = _potential_default_message(
                values, amount=f.proposed_amount, provisional=f.provisional, texts=texts
            )
            mails.append(
                Mail(
                    event_key=f"notice.{notice_id}",
                    recipients=people,
                    subject=subject,
                    body=body,
                    hook=HOOK,
                    hook_arg=notice_id,
                )
            )
    outbox_put_rows(mails)
    return notice_ids


_INSERT_NOTICES = """
INSERT INTO {table} (milestone_id, party_id, kind, due_date, created_at, sent_at, recipients)
SELECT milestone_id, party_id, %s, due_date, %s, NULL, recipients
  FROM ROWS FROM (json_to_recordset(%s::json)
            AS (milestone_id bigint, party_id bigint, due_date date, recipients text))
       WITH ORDINALITY AS row(milestone_id, party_id, due_date, recipients, n)
 ORDER BY n
RETURNING milestone_id, id
"""


_SENTINEL = 987654321987


def _url_for_pk(name: str) -> Any:
    """``pk -> absolute_url(reverse(name, args=[pk]))``, reversing once for a batch."""
    template = absolute_url(reverse(name, args=[_SENTINEL]))
    if template.count(str(_SENTINEL)) != 1:
        return lambda pk: absolute_url(reverse(name, args=[pk]))
    before, after = template.split(str(_SENTINEL))
    return lambda pk: f"{before}{pk}{after}"


def notice_sent(notice_id: int, sent_at: dt.datetime) -> None:
    """The delivery hook: the notice went out (its first copy).  Runs once per notice.

    A notice of default also moves its penalty from assessed to notice sent; the penalty's
    row is locked before the first audit event (whose chain lock is held until commit).
    """
    from .services import penalty_mark_notice_sent  # services import this module

    notice = Notice.objects.select_for_update().filter(pk=notice_id).first()
    if notice is None or notice.sent_at is not None:
        return
    penalty = None
    if notice.kind == NoticeKind.DEFAULT:
        penalty = (
            Penalty.objects.select_for_update(of=("self",))
            .filter(default__milestone_id=notice.milestone_id, default__due_date=notice.due_date)
            .first()
        )
    notice.sent_at = sent_at
    notice.save(update_fields=["sent_at"])
    audit_record(
        actor=None,
        action=f"notice.sent.{notice.kind}",
        obj=notice,
        after={"sent_at": sent_at, "recipients": notice.recipients},
    )
    if penalty is not None and penalty.status == PenaltyStatus.ASSESSED:
        penalty_mark_notice_sent(penalty=penalty, now=sent_at)


register_hook(HOOK, notice_sent)


PROVISIONAL_AMOUNT = gettext_lazy(
    "This amount comes from the penalty schedule stored as provisional: the public record "
    "does not say how the amount within $50,000 to $200,000 is chosen."
)


def _potential_default_texts() -> tuple[str, str, str]:
    """The subject, body and provisional-amount paragraph of a notice of potential default,
    in the active language (looked up once for a batch)."""
    subject = _("Notice of potential default: %(title)s")
    body = _(
        "%(port)s missed the deadline of %(title)s (due %(due)s, 11:59:59 PM "
        "Pacific).\nThis is a potential default: AQMD will determine whether it is a "
        "default under the Cooperative Agreement. If AQMD confirms it, the penalty "
        "would be $%(amount)s, payable to the Clean Air Mitigation Fund.\n"
        "If the cause was outside the port's control you may file a flexibility "
        "claim; if the milestone was completed, report it:\n%(url)s\n"
    )
    return subject, body, "\n" + str(PROVISIONAL_AMOUNT) + "\n"


def _potential_default_message(
    values: dict[str, str],
    *,
    amount: Decimal | None,
    provisional: bool,
    texts: tuple[str, str, str],
) -> tuple[str, str]:
    subject_text, body_text, provisional_text = texts
    values["amount"] = f"{amount:,.2f}" if amount else "?"
    body = body_text % values
    if provisional:
        body += provisional_text
    return subject_text % values, body


def _message(notice: Notice, milestone: Milestone, default: Default | None) -> tuple[str, str]:
    values = {
        "title": milestone.title,
        "port": milestone.party.name,
        "due": notice.due_date.isoformat(),
        "url": absolute_url(reverse("penalties:milestones")),
    }
    if default is not None:
        values["url"] = absolute_url(reverse("penalties:default", args=[default.pk]))
    if notice.kind == NoticeKind.POTENTIAL_DEFAULT and default is not None:
        return _potential_default_message(
            values,
            amount=default.proposed_amount,
            provisional=default.proposal_is_provisional,
            texts=_potential_default_texts(),
        )
    if notice.kind == NoticeKind.DEFAULT and default is not None:
        penalty = Penalty.objects.select_related("schedule").filter(default=default).first()
        values["amount"] = f"{penalty.amount:,.2f}" if penalty else "?"
        values["reason"] = default.determination_reason
        subject = _("Notice of default: %(title)s") % values
        body = (
            _(
                "AQMD determined that %(port)s is in default under the Cooperative "
                "Agreement: it missed the deadline of %(title)s (due %(due)s, 11:59:59 PM "
                "Pacific). The penalty assessed is $%(amount)s, payable to the Clean Air "
                "Mitigation Fund.\n%(reason)s\n"
                "If the cause was outside the port's control you may file a flexibility "
                "claim:\n%(url)s\n"
            )
            % values
        )
        if penalty is not None and penalty.is_provisional:
            body += "\n" + str(PROVISIONAL_AMOUNT) + "\n"
        return subject, body
    if notice.kind == NoticeKind.DEFAULT_DISMISSED and default is not None:
        values["reason"] = default.determination_reason
        subject = _("Potential default dismissed: %(title)s") % values
        body = (
            _(
                "AQMD dismissed the potential default of %(port)s for %(title)s (due "
                "%(due)s): it is not a default and no penalty applies.\nReason: "
                "%(reason)s\n%(url)s\n"
            )
            % values
        )
        return subject, body
    if notice.kind == NoticeKind.OVERDUE:
        subject = _("Overdue: %(title)s") % values
        body = (
            _(
                "%(title)s for %(port)s was due %(due)s (11:59:59 PM Pacific) and has not been "
                "met. It is shown as late.\n%(url)s\n"
            )
            % values
        )
        return subject, body
    days = int(notice.kind.rsplit("_", 1)[1])
    values["days"] = str(days)
    subject = _("Reminder: %(title)s is due in %(days)s day(s)") % values
    body = (
        _("%(title)s for %(port)s is due %(due)s, on time until 11:59:59 PM Pacific.\n%(url)s\n")
        % values
    )
    return subject, body
