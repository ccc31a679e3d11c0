"""Login, dashboards per role, the public status page."""

import datetime as dt
import re

import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agreement.models import Milestone, MilestoneKind
from audit.models import AuditEvent

from .factories import MilestoneFactory

NOW = dt.datetime(2027, 5, 1, 12, 0, tzinfo=dt.UTC)


def test_login_page_renders(client, agreement):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b'name="username"' in response.content


def test_signing_in_lands_on_the_dashboard(client, pola_staff):
    response = client.post(
        reverse("login"), {"username": "pola.planner", "password": "pw"}, follow=True
    )
    assert response.status_code == 200
    assert "What is due next" in response.text


def test_wrong_password_gives_an_error_and_no_session(client, pola_staff):
    response = client.post(reverse("login"), {"username": "pola.planner", "password": "nope"})
    assert response.status_code == 200
    assert "error-summary" in response.text
    assert "_auth_user_id" not in client.session


@time_machine.travel(NOW, tick=False)
def test_port_staff_dashboard_shows_own_port_with_days_left_and_provisional(client, pola_staff):
    client.force_login(pola_staff)
    response = client.get(reverse("home"))
    items = response.context["dashboard"].upcoming.items
    assert {i.milestone.party.code for i in items} == {"POLA"}
    draft = next(i for i in items if i.milestone.kind == MilestoneKind.DRAFT_PLAN)
    assert draft.milestone.due_date == dt.date(2027, 5, 31)
    assert draft.days_left == 30
    assert "30 days" in response.text
    assert "provisional" in response.text


@time_machine.travel(NOW, tick=False)
def test_reviewer_dashboard_shows_both_ports(client, reviewer):
    client.force_login(reviewer)
    response = client.get(reverse("home"))
    assert {i.milestone.party.code for i in response.context["dashboard"].upcoming.items} == {
        "POLA",
        "POLB",
    }


@time_machine.travel(NOW, tick=False)
def test_dashboard_lists_past_due_milestones_as_late(client, pola_staff, pola):
    MilestoneFactory.create(party=pola, title="Install chargers", due_date=dt.date(2027, 4, 28))
    client.force_login(pola_staff)
    response = client.get(reverse("home"))
    overdue = [i.milestone.title for i in response.context["dashboard"].overdue]
    # The 2026 annual report (due 2027-03-31) is past due too.
    assert overdue == ["Annual report 2026", "Install chargers"]
    assert "3 days late" in response.text


@time_machine.travel(NOW, tick=False)
def test_dashboard_query_count_does_not_grow_with_milestones(client, reviewer, pola):
    def count() -> int:
        client.force_login(reviewer)
        with CaptureQueriesContext(connection) as ctx:
            client.get(reverse("home"))
        return len(ctx.captured_queries)

    few = count()
    for n in range(40):
        MilestoneFactory.create(party=pola, due_date=dt.date(2027, 6, 1) + dt.timedelta(days=n))
    assert count() == few


def test_public_status_page_is_open_and_marks_provisional_dates(client, agreement):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "Port of Los Angeles" in response.text and "Port of Long Beach" in response.text
    assert "provisional" in response.text


def test_agreement_terms_page_lists_phases_and_categories(client, agreement):
    response = client.get(reverse("agreement-terms"))
    assert "Drayage trucks" in response.text
    assert "Ocean-going vessels" in response.text
    assert "45 days" in response.text


def test_spanish_is_offered(client, agreement):
    response = client.get(reverse("home"), headers={"accept-language": "es"})
    assert response.status_code == 200
    assert 'lang="es"' in response.text


def test_password_change_requires_login_and_works(client, pola_staff):
    assert client.get(reverse("password_change")).status_code == 302
    client.force_login(pola_staff)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "pw",
            "new_password1": "A-much-longer-1",
            "new_password2": "A-much-longer-1",
        },
    )
    assert response.status_code == 302
    pola_staff.refresh_from_db()
    assert pola_staff.check_password("A-much-longer-1")
    event = AuditEvent.objects.get(action="user.password_change")
    assert event.actor == pola_staff
    assert "A-much-longer-1" not in str(event.before) + str(event.after) + event.note


def test_password_reset_sends_a_link(client, pola_staff):
    response = client.post(reverse("password_reset"), {"email": pola_staff.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/accounts/reset/\S+", str(mail.outbox[0].body))
    assert link is not None
    form_url = client.get(link.group(0)).url  # Django redirects to the set-password form
    response = client.post(
        form_url, {"new_password1": "Fresh-password-9", "new_password2": "Fresh-password-9"}
    )
    assert response.status_code == 302
    pola_staff.refresh_from_db()
    assert pola_staff.check_password("Fresh-password-9")
    assert AuditEvent.objects.filter(action="user.password_reset", actor=pola_staff).exists()


def test_milestone_seed_covers_both_ports(agreement):
    assert Milestone.objects.filter(kind=MilestoneKind.FINAL_PLAN).count() == 6
