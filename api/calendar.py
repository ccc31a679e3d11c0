"""A user's deadlines as an iCalendar feed (RFC 5545) at a private address.

Each milestone is an all-day event on its Pacific due date.  The UID is stable per
milestone, and SEQUENCE counts the due-date changes so calendar apps replace a moved event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from agreement.models import Milestone
from agreement.selectors import milestones_with_history

from .selectors import calendar_feed_by_secret

PRODID = "-//South Coast AQMD//Cooperative Agreement compliance tracker//EN"
MAX_OCTETS = 75


def escape_text(value: str) -> str:
    """TEXT value escaping (RFC 5545 3.3.11): backslash, semicolon, comma, newline."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 3.1) without splitting a UTF-8 character."""
    parts: list[str] = []
    current = ""
    limit = MAX_OCTETS
    for char in line:
        if len((current + char).encode()) > limit:
            parts.append(current)
            current = char
            limit = MAX_OCTETS - 1  # continuation lines start with a space
        else:
            current += char
    parts.append(current)
    return "\r\n ".join(parts)


def _utc_stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _uid_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "compliance-tracker"


def milestone_event(milestone: Milestone, *, stamp: dt.datetime) -> list[str]:
    changes = list(milestone.date_changes.all())
    description = [
        _("Due by 11:59:59 PM Pacific on this date."),
        _("Status: %(status)s") % {"status": milestone.get_status_display()},
    ]
    if milestone.is_provisional:
        description.append(_("Provisional date: the public record does not fix it."))
    summary = f"{milestone.party.code}: {milestone.title}"
    return [
        "BEGIN:VEVENT",
        f"UID:milestone-{milestone.pk}@{_uid_domain()}",
        f"DTSTAMP:{_utc_stamp(stamp)}",
        f"DTSTART;VALUE=DATE:{milestone.due_date:%Y%m%d}",
        f"DTEND;VALUE=DATE:{milestone.due_date + dt.timedelta(days=1):%Y%m%d}",
        f"SEQUENCE:{len(changes)}",
        f"SUMMARY:{escape_text(summary)}",
        f"DESCRIPTION:{escape_text(chr(10).join(str(d) for d in description))}",
        "TRANSP:TRANSPARENT",
        "END:VEVENT",
    ]


def render_calendar(milestones: Iterable[Milestone], *, name: str) -> str:
    stamp = timezone.now()
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
        "X-WR-TIMEZONE:America/Los_Angeles",
    ]
    for milestone in milestones:
        lines.extend(milestone_event(milestone, stamp=stamp))
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


def calendar_feed(request: HttpRequest, secret: str) -> HttpResponse:
    """The feed at a private address: no login (calendar apps cannot sign in)."""
    feed = calendar_feed_by_secret(secret=secret)
    if feed is None:
        raise Http404
    milestones = milestones_with_history(feed.user).order_by("due_date", "party__code", "id")
    body = render_calendar(milestones, name=_("Cooperative Agreement deadlines"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="deadlines.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response
