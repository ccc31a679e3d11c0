"""Notices and reminders by email to the responsible port's staff, each sent at most once.

A notice is first *recorded* (a :class:`Notice` row; the unique (milestone, kind, due date)
refuses a second), then *delivered* after commit by a Celery task that claims the row with a
conditional update and sends inside the same transaction: a failed send rolls the claim back
so a retry can send it, a sent notice is never sent again.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Role, User
from agreement.models import Milestone
from audit.services import audit_record

from .models import Notice, NoticeKind, Penalty, PenaltyStatus
from .services import penalty_mark_notice_sent

logger = logging.getLogger(__name__)


def notice_record(*, milestone: Milestone, kind: str, now: dt.datetime) -> Notice | None:
    """Record a notice for the milestone's current due date and deliver it after commit.

    Returns None when that notice was already recorded (a rerun, or a concurrent job).
    """
    try:
        with transaction.atomic():
            notice = Notice.objects.create(
                milestone=milestone,
                party_id=milestone.party_id,
                kind=kind,
                due_date=milestone.due_date,
                created_at=now,
            )
    except IntegrityError:
        return None
    _deliver_after_commit(notice.pk)
    return notice


def _deliver_after_commit(notice_id: int) -> None:
    from .tasks import deliver_notice  # the task module imports this one

    transaction.on_commit(lambda: deliver_notice.delay(notice_id), robust=True)


def _recipients(party_id: int) -> list[str]:
    return sorted(
        User.objects.filter(party_id=party_id, role=Role.PORT_STAFF, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )


def _message(notice: Notice) -> tuple[str, str]:
    milestone = notice.milestone
    url = settings.SITE_URL.rstrip("/") + reverse("penalties:milestones")
    values = {
        "title": milestone.title,
        "port": milestone.party.name,
        "due": notice.due_date.isoformat(),
        "url": url,
    }
    if notice.kind == NoticeKind.DEFAULT:
        penalty = Penalty.objects.filter(default__milestone=milestone).first()
        values["amount"] = f"{penalty.amount:,.2f}" if penalty else "?"
        subject = _("Notice of default: %(title)s") % values
        body = (
            _(
                "%(port)s missed the deadline of %(title)s (due %(due)s, 11:59:59 PM Pacific).\n"
                "Under the Cooperative Agreement this is a default. The penalty assessed is "
                "$%(amount)s, payable to the Clean Air Mitigation Fund.\n"
                "If the cause was outside the port's control you may file a flexibility claim:\n"
                "%(url)s\n"
            )
            % values
        )
    elif notice.kind == NoticeKind.OVERDUE:
        subject = _("Overdue: %(title)s") % values
        body = (
            _(
                "%(title)s for %(port)s was due %(due)s (11:59:59 PM Pacific) and has not been "
                "met. It is shown as late.\n%(url)s\n"
            )
            % values
        )
    else:
        days = int(notice.kind.rsplit("_", 1)[1])
        values["days"] = str(days)
        subject = _("Reminder: %(title)s is due in %(days)s day(s)") % values
        body = (
            _(
                "%(title)s for %(port)s is due %(due)s, on time until 11:59:59 PM Pacific.\n"
                "%(url)s\n"
            )
            % values
        )
    return subject, body


def notice_deliver(*, notice_id: int, now: dt.datetime | None = None) -> bool:
    """Send a recorded notice unless it was sent already.  Returns whether it sent now.

    A notice of default also moves its penalty from assessed to notice sent.
    """
    now = now or timezone.now()
    with transaction.atomic():
        claimed = Notice.objects.filter(pk=notice_id, sent_at__isnull=True).update(sent_at=now)
        if claimed != 1:
            return False
        notice = Notice.objects.select_related("milestone__party").get(pk=notice_id)
        recipients = _recipients(notice.party_id)
        notice.recipients = ", ".join(recipients)
        notice.save(update_fields=["recipients"])
        audit_record(
            actor=None,
            action=f"notice.sent.{notice.kind}",
            obj=notice,
            after={"sent_at": now, "recipients": notice.recipients},
        )
        if notice.kind == NoticeKind.DEFAULT:
            penalty = Penalty.objects.filter(default__milestone_id=notice.milestone_id).first()
            if penalty is not None and penalty.status == PenaltyStatus.ASSESSED:
                penalty_mark_notice_sent(penalty=penalty, now=now)
        if not recipients:
            logger.warning("Notice %s: port %s has no staff with email", notice_id, notice.party_id)
            return True
        with translation.override(settings.LANGUAGE_CODE):
            subject, body = _message(notice)
        # Sent inside the transaction: if sending fails, the claim rolls back for a retry.
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    return True


def notices_undelivered(*, now: dt.datetime, older_than: dt.timedelta) -> list[int]:
    """Ids of notices recorded but not sent for a while (their delivery task was lost)."""
    return list(
        Notice.objects.filter(sent_at__isnull=True, created_at__lte=now - older_than)
        .order_by("created_at")
        .values_list("pk", flat=True)[:100]
    )
