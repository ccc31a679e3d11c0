"""People are shown by their full name on every page (``User.display_name``), their user
name only when no name is on file; the request pages look like the plan pages."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.urls import reverse

from penalties.milestone_requests import request_decide, request_file
from plans import services
from tests.factories import MilestoneFactory, UserFactory
from tests.plans.conftest import make_draft

NOW = dt.datetime(2027, 2, 1, 18, 0, tzinfo=dt.UTC)


def test_a_person_is_their_full_name_or_else_their_user_name(agreement):
    named = UserFactory.create(username="m.ortiz", first_name="Maria", last_name="Ortiz")
    unnamed = UserFactory.create(username="j.doe")
    assert named.display_name == "Maria Ortiz"
    assert unnamed.display_name == "j.doe"


@time_machine.travel(NOW, tick=False)
def test_a_request_page_names_who_filed_and_who_decided_and_has_an_at_a_glance_panel(
    client, pola, pola_staff, reviewer
):
    pola_staff.first_name, pola_staff.last_name = "Ana", "Planner"
    pola_staff.save(update_fields=["first_name", "last_name"])
    reviewer.first_name, reviewer.last_name = "Rita", "Reviewer"
    reviewer.save(update_fields=["first_name", "last_name"])
    milestone = MilestoneFactory.create(party=pola, title="Pier 300 depot")
    made = request_file(
        kind="extension",
        milestone=milestone,
        reason="The utility moved the energisation date.",
        requested_due_date=dt.date(2027, 9, 30),
        actor=pola_staff,
    )
    request_decide(request=made, accept=True, note="Agreed.", actor=reviewer)
    client.force_login(pola_staff)
    html = client.get(reverse("penalties:extension", args=[made.pk])).text
    assert 'id="glance-heading"' in html
    assert "Ana Planner, " in html
    assert "Rita Reviewer, " in html
    assert "pola.planner" not in html.split("<main")[1]
    assert 'class="status status-granted"' in html


def test_the_plan_timeline_and_comments_name_people_in_full(client, pola_staff, reviewer):
    from agreement.models import Phase

    pola_staff.first_name, pola_staff.last_name = "Ana", "Planner"
    pola_staff.save(update_fields=["first_name", "last_name"])
    version = make_draft(pola_staff, Phase.objects.get(number=1))
    services.version_submit(version=version, actor=pola_staff)
    services.comment_add(version=version, body="Charger power?", actor=reviewer)
    client.force_login(reviewer)
    html = client.get(reverse("plans:plan", args=[version.plan_id])).text
    main = html.split("<main")[1]
    assert "Ana Planner" in main.split('id="timeline-heading"')[1]
    assert "pola.planner" not in main
    assert "reviewer, " in main  # no name on file: the user name
