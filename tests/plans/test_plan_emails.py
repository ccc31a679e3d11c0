"""Email: reviewers on submit, the port's staff on comment and decision; after commit, once."""

from __future__ import annotations

import pytest
from django.core import mail

from accounts.models import Role
from core.models import OutboxMessage
from core.outbox import outbox_deliver, outbox_redeliver
from plans import services
from tests.factories import UserFactory

from .conftest import make_draft


@pytest.fixture
def second_reviewer(agreement):
    return UserFactory.create(username="reviewer.two", role=Role.AQMD_REVIEWER)


def test_submitting_mails_each_reviewer_once_after_commit(
    django_capture_on_commit_callbacks, pola_staff, phase1, reviewer, second_reviewer, polb_staff
):
    version = make_draft(pola_staff, phase1)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.version_submit(version=version, actor=pola_staff)
    assert mail.outbox == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert sorted(m.to[0] for m in mail.outbox) == [
        "reviewer.two@example.test",
        "reviewer@example.test",
    ]
    assert "Submitted for review" in mail.outbox[0].subject
    assert f"/plans/versions/{version.pk}/" in mail.outbox[0].body
    for callback in callbacks:  # the sender runs again: nothing more is sent
        callback()
    assert len(mail.outbox) == 2


def test_a_reviewer_comment_mails_the_ports_staff_only(
    django_capture_on_commit_callbacks, submitted, reviewer, pola_staff, polb_staff
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_add(version=submitted, body="Please add costs.", actor=reviewer)
    assert [m.to for m in mail.outbox] == [["pola.planner@example.test"]]
    assert "Please add costs." in mail.outbox[0].body


def test_a_port_staff_comment_does_not_mail_its_author(
    django_capture_on_commit_callbacks, submitted, pola_staff
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_add(version=submitted, body="Answer.", actor=pola_staff)
    assert mail.outbox == []


def test_a_decision_mails_the_ports_staff_once(
    django_capture_on_commit_callbacks, submitted, reviewer, pola_staff
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.version_decide(
            version=submitted, decision="changes_requested", reasons="Add dates.", actor=reviewer
        )
    assert len(mail.outbox) == 1
    assert "Sent back for changes" in mail.outbox[0].subject
    assert "Add dates." in mail.outbox[0].body
    event = f"plan_version.{submitted.pk}.decided"
    row = OutboxMessage.objects.get(event_key=event)
    assert row.status == "sent" and row.sent_at is not None
    assert outbox_deliver(row.pk) is False  # delivered already: nothing more is sent
    assert len(mail.outbox) == 1


def test_no_mail_is_sent_when_the_change_rolls_back(
    django_capture_on_commit_callbacks, draft, pola_staff, reviewer
):
    from django.db import transaction

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.version_submit(version=draft, actor=pola_staff)
        raise RuntimeError("boom")
    assert mail.outbox == []
    assert not OutboxMessage.objects.exists()


class RefusingBackend:
    """An SMTP server that is down (what leaves the process is all we stand in for)."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionError("mail server down")


def test_a_mail_the_server_refused_is_sent_by_the_redelivery_and_only_once(
    django_capture_on_commit_callbacks, submitted, reviewer, settings
):
    mail.outbox.clear()
    OutboxMessage.objects.all().delete()
    settings.EMAIL_BACKEND = "tests.plans.test_plan_emails.RefusingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_add(version=submitted, body="Noted.", actor=reviewer)
    row = OutboxMessage.objects.get()
    assert (row.status, row.attempts, row.sent_at) == ("pending", 1, None)
    assert "mail server down" in row.last_error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbox_redeliver(row.next_attempt_at) == 1
    assert outbox_redeliver(row.next_attempt_at) == 0
    assert len(mail.outbox) == 1
