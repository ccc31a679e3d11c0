"""Each user's deadlines as an iCalendar feed at a private, regenerable address."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from agreement.models import DateChangeKind
from agreement.services import milestone_change_due_date
from api.calendar import escape_text, fold
from api.models import CalendarFeed
from api.services import calendar_feed_regenerate
from audit.models import AuditEvent
from tests.factories import MilestoneFactory


def unfold(body: str) -> list[str]:
    """RFC 5545 3.1: a CRLF followed by one space continues the previous line."""
    assert "\n" not in body.replace("\r\n", "")  # every line ends in CRLF
    return body.replace("\r\n ", "").split("\r\n")


def events(body: str) -> list[dict[str, str]]:
    found: list[dict[str, str]] = []
    current: dict[str, str] | None = None
    for line in unfold(body):
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT" and current is not None:
            found.append(current)
            current = None
        elif current is not None:
            name, _sep, value = line.partition(":")
            current[name] = value
    return found


@pytest.fixture
def feed_url(pola_staff):
    feed = calendar_feed_regenerate(user=pola_staff, actor=pola_staff)
    return reverse("calendar-feed", args=[feed.secret])


def test_the_feed_lists_the_users_deadlines_as_all_day_pacific_events(client, feed_url, pola):
    MilestoneFactory(
        party=pola, title="Chargers; phase A, berth 1\\2", due_date=dt.date(2027, 11, 7)
    )
    response = client.get(feed_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content.decode()
    lines = unfold(body)
    assert lines[:2] == ["BEGIN:VCALENDAR", "VERSION:2.0"]
    assert lines[-2:] == ["END:VCALENDAR", ""]
    found = events(body)
    assert {e["SUMMARY"].split(":")[0] for e in found} == {"POLA"}  # own port only
    chargers = next(e for e in found if "Chargers" in e["SUMMARY"])
    assert chargers["DTSTART;VALUE=DATE"] == "20271107"
    assert chargers["DTEND;VALUE=DATE"] == "20271108"
    assert chargers["SUMMARY"] == "POLA: Chargers\\; phase A\\, berth 1\\\\2"
    assert chargers["UID"].startswith("milestone-")
    assert chargers["DTSTAMP"].endswith("Z")


def test_long_lines_are_folded_at_75_octets(client, feed_url, pola):
    MilestoneFactory(
        party=pola, title="Équipement zéro émission " * 8, due_date=dt.date(2028, 1, 5)
    )
    body = client.get(feed_url).content
    assert max(len(line) for line in body.split(b"\r\n")) <= 75
    body.decode("utf-8")  # folding never splits a character
    assert any("Équipement" in e["SUMMARY"] for e in events(body.decode()))


def test_uid_is_stable_and_sequence_counts_date_changes(
    client, feed_url, pola_milestone, administrator
):
    before = {e["UID"]: e for e in events(client.get(feed_url).content.decode())}
    milestone_change_due_date(
        milestone=pola_milestone,
        new_due_date=dt.date(2027, 6, 30),
        kind=DateChangeKind.AMENDMENT,
        reason="Board amendment.",
        actor=administrator,
    )
    after = {e["UID"]: e for e in events(client.get(feed_url).content.decode())}
    assert set(before) == set(after)
    uid = next(u for u, e in after.items() if e["DTSTART;VALUE=DATE"] == "20270630")
    assert (before[uid]["SEQUENCE"], after[uid]["SEQUENCE"]) == ("0", "1")


def test_regenerating_retires_the_old_address(client, pola_staff, feed_url):
    assert client.get(feed_url).status_code == 200
    client.force_login(pola_staff)
    response = client.post(reverse("calendar-feed-regenerate"))
    assert response.status_code == 302
    client.logout()
    assert client.get(feed_url).status_code == 404
    new = reverse("calendar-feed", args=[CalendarFeed.objects.get(user=pola_staff).secret])
    assert client.get(new).status_code == 200
    assert AuditEvent.objects.filter(action="calendar_feed.regenerated").count() == 1


def test_the_tokens_page_links_the_feed(client, pola_staff, feed_url):
    client.force_login(pola_staff)
    assert feed_url in client.get(reverse("api-tokens")).text


def test_unknown_addresses_and_deactivated_users_get_404(client, pola_staff, feed_url):
    assert client.get(reverse("calendar-feed", args=["nope"])).status_code == 404
    pola_staff.is_active = False
    pola_staff.save(update_fields=["is_active"])
    assert client.get(feed_url).status_code == 404


def test_text_escaping_and_folding_follow_rfc_5545():
    assert escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    folded = fold("X" * 200)
    assert [len(part) for part in folded.split("\r\n")] == [75, 75, 52]
    assert folded.replace("\r\n ", "") == "X" * 200
