"""The one outbox: a message is written with its event, sent after commit, retried with
backoff when the mail server refuses or the broker is down, sent at most once, given up after
the maximum attempts.  Every decision a port cares about mails the port through it, with links
on SITE_URL; no other module sends mail.

What leaves the process is stood in for only: the mail server (an e-mail backend that
refuses) and the broker (a Redis address nobody listens on)."""

from __future__ import annotations

import ast
import datetime as dt
import re
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.db import connection, transaction

from config.celery import app as celery_app
from core import outbox, tasks
from core.models import OutboxMessage, OutboxStatus
from core.outbox import Mail, outbox_put
from penalties.determinations import default_determine
from penalties.milestone_requests import request_decide, request_file
from penalties.models import Default, Penalty
from penalties.services import penalty_mark_notice_sent, penalty_record_payment, penalty_waive
from plans import services as plan_services
from plans.models import PlanVersion
from tests.factories import MilestoneFactory
from tests.penalties.conftest import pacific
from tests.penalties.helpers import flagged_default, recorded_default

NOW = pacific(2027, 2, 1, 10)
SITE = "https://compliance.example.gov"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


class RefusingBackend:
    """A mail server that is down."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def send_messages(self, messages: Any) -> int:
        raise ConnectionRefusedError("SMTP server refused the connection")


class SlowBackend:
    """A mail server that takes a while to accept each message (the in-memory outbox)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from django.core.mail.backends.locmem import EmailBackend

        self.inner = EmailBackend(*args, **kwargs)

    def send_messages(self, messages: Any) -> int:
        time.sleep(0.5)
        return int(self.inner.send_messages(messages))


@pytest.fixture
def smtp_down(settings) -> Iterator[None]:
    settings.EMAIL_BACKEND = "tests.test_outbox.RefusingBackend"
    yield
    settings.EMAIL_BACKEND = LOCMEM


def put_one(recipient, event: str = "test.event.1") -> OutboxMessage:
    """A message put in the outbox in its event's transaction (delivered after commit)."""
    with transaction.atomic():
        [pk] = outbox_put(
            Mail(event_key=event, recipients=[recipient], subject="Subject", body="Body")
        )
    return OutboxMessage.objects.get(pk=pk)


# --- The mail server refuses ---------------------------------------------------------------


def test_a_refused_message_stays_pending_and_is_retried_with_growing_backoff(
    pola_staff, smtp_down, django_capture_on_commit_callbacks
):
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        row = put_one(pola_staff)
    row.refresh_from_db()
    assert (row.status, row.attempts, row.sent_at) == (OutboxStatus.PENDING, 1, None)
    assert "SMTP server refused" in row.last_error
    assert row.next_attempt_at == NOW + dt.timedelta(minutes=2)
    delays = []
    for _ in range(9):
        moment = row.next_attempt_at
        with time_machine.travel(moment, tick=False):
            assert tasks.outbox_redeliver.delay().get() == 0
        row.refresh_from_db()
        delays.append(row.next_attempt_at - moment)
    minutes = [int(d.total_seconds() // 60) for d in delays]
    assert minutes == [4, 8, 16, 32, 64, 128, 256, 360, 360]  # doubling, at most 6 hours
    assert row.attempts == 10 and row.status == OutboxStatus.PENDING
    assert mail.outbox == []


def test_the_redelivery_job_sends_it_exactly_once_after_smtp_comes_back(
    pola_staff, reviewer, settings, django_capture_on_commit_callbacks
):
    """A real event: AQMD's decision on a completion report, mailed while SMTP is down."""
    with time_machine.travel(NOW, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            report = request_file(
                kind="completion",
                milestone=MilestoneFactory.create(party=pola_staff.party, title="Pier 5 depot"),
                reason="Energized",
                completed_on=dt.date(2027, 1, 30),
                actor=pola_staff,
            )
        mail.outbox.clear()
        settings.EMAIL_BACKEND = "tests.test_outbox.RefusingBackend"  # SMTP goes down
        with django_capture_on_commit_callbacks(execute=True):
            request_decide(request=report, accept=True, note="Verified", actor=reviewer)
    row = OutboxMessage.objects.get(event_key=f"completion.{report.pk}.decided")
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 1)
    assert mail.outbox == []
    settings.EMAIL_BACKEND = LOCMEM  # SMTP is back
    due = row.next_attempt_at
    with time_machine.travel(due - dt.timedelta(seconds=1), tick=False):
        assert tasks.outbox_redeliver.delay().get() == 0  # not due yet
    with time_machine.travel(due, tick=False):
        assert tasks.outbox_redeliver.delay().get() == 1
        assert tasks.outbox_redeliver.delay().get() == 0
        assert tasks.outbox_deliver.delay(row.pk).get() is False  # a late task: nothing more
    assert [m.to for m in mail.outbox] == [["pola.planner@example.test"]]
    assert "Pier 5 depot" in mail.outbox[0].subject
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxStatus.SENT, 2)
    assert row.sent_at == due


def test_a_message_is_given_up_after_the_maximum_attempts_and_stays_on_record(
    pola_staff, settings, smtp_down, django_capture_on_commit_callbacks
):
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        row = put_one(pola_staff)
    for _ in range(outbox.MAX_ATTEMPTS - 1):
        row.refresh_from_db()
        with time_machine.travel(row.next_attempt_at, tick=False):
            outbox.outbox_redeliver()
    row.refresh_from_db()
    assert row.attempts == outbox.MAX_ATTEMPTS == 12
    assert row.status == OutboxStatus.FAILED and row.sent_at is None
    assert "SMTP server refused" in row.last_error
    settings.EMAIL_BACKEND = LOCMEM  # even once SMTP is back, a failed one stays put
    with time_machine.travel(row.next_attempt_at + dt.timedelta(days=1), tick=False):
        assert outbox.outbox_redeliver() == 0
        assert outbox.outbox_deliver(row.pk) is False
    row.refresh_from_db()
    assert row.status == OutboxStatus.FAILED and row.attempts == 12
    assert mail.outbox == []


# --- The broker is down --------------------------------------------------------------------


@pytest.fixture
def broker_down() -> Iterator[None]:
    """Tasks are really published (not run in-process) to a Redis nobody listens on."""
    conf = celery_app.conf
    saved = (conf.task_always_eager, conf.broker_url, conf.broker_write_url)
    conf.update(
        task_always_eager=False,
        broker_url="redis://127.0.0.1:1/0",
        broker_write_url="redis://127.0.0.1:1/0",
    )
    _forget_connections()
    try:
        yield
    finally:
        _forget_connections()
        conf.update(task_always_eager=saved[0], broker_url=saved[1], broker_write_url=saved[2])


def _forget_connections() -> None:
    """Celery caches its broker connection pools; drop them so the URL in force is used."""
    celery_app.__dict__["_pool"] = None
    amqp = celery_app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


def test_a_broker_down_at_commit_loses_nothing_and_the_redelivery_sends_it(
    pola_staff, broker_down, django_capture_on_commit_callbacks, caplog
):
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        row = put_one(pola_staff)  # the event commits; enqueuing its delivery fails
    assert "Error calling" in caplog.text or "OperationalError" in caplog.text
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 0)
    assert row.next_attempt_at == NOW + outbox.FIRST_RETRY_AFTER
    assert mail.outbox == []
    # The beat job runs in the worker once the broker is back: the message goes out, once.
    with time_machine.travel(NOW + dt.timedelta(minutes=1), tick=False):
        assert outbox.outbox_redeliver() == 0  # within the grace period for the task
    with time_machine.travel(NOW + outbox.FIRST_RETRY_AFTER, tick=False):
        assert outbox.outbox_redeliver() == 1
        assert outbox.outbox_redeliver() == 0
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxStatus.SENT, 1)


def test_a_rolled_back_event_leaves_nothing_in_the_outbox(pola_staff):
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox_put(Mail(event_key="doomed", recipients=[pola_staff], subject="S", body="B"))
        raise RuntimeError("the event failed")
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_redelivery_jobs_at_once_send_a_message_once(pola_staff, settings, agreement):
    settings.EMAIL_BACKEND = "tests.test_outbox.SlowBackend"
    with time_machine.travel(NOW, tick=False):
        row = OutboxMessage.objects.create(
            event_key="test.concurrent",
            recipient=pola_staff,
            to_email=pola_staff.email,
            subject="Once",
            body="Only once",
            next_attempt_at=NOW,
        )
    barrier = threading.Barrier(3)
    sent: list[int] = []

    def redeliver() -> None:
        try:
            barrier.wait(timeout=10)
            sent.append(outbox.outbox_redeliver(NOW))
        finally:
            connection.close()

    threads = [threading.Thread(target=redeliver) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(sent) == [0, 0, 1]
    assert [m.subject for m in mail.outbox] == ["Once"]
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxStatus.SENT, 1)


# --- Every decision a port cares about mails the port ---------------------------------------


def _plan_decision(ctx: dict) -> None:
    plan, _ = plan_services.plan_start(
        party=ctx["pola_staff"].party, phase=ctx["phase1"], actor=ctx["pola_staff"]
    )
    version: PlanVersion = plan.versions.get()
    from tests.plans.factories import PlanningTargetFactory

    PlanningTargetFactory.create(version=version)
    plan_services.version_submit(version=version, actor=ctx["pola_staff"])
    ctx["decide"] = lambda: plan_services.version_decide(
        version=version, decision="changes_requested", reasons="Add costs.", actor=ctx["reviewer"]
    )


def _extension(ctx: dict) -> None:
    request = request_file(
        kind="extension",
        milestone=MilestoneFactory.create(party=ctx["pola"], due_date=dt.date(2027, 6, 30)),
        requested_due_date=dt.date(2027, 9, 30),
        reason="Transformer late",
        actor=ctx["pola_staff"],
    )
    ctx["decide"] = lambda: request_decide(
        request=request, accept=True, note="Granted", actor=ctx["reviewer"]
    )


def _flexibility(ctx: dict) -> None:
    default = flagged_default(ctx["pola"], dt.date(2027, 1, 5))
    claim = request_file(
        kind="flexibility", milestone=default.milestone, reason="Storm", actor=ctx["pola_staff"]
    )
    ctx["decide"] = lambda: request_decide(
        request=claim, accept=False, note="Within control", actor=ctx["reviewer"]
    )


def _completion(ctx: dict) -> None:
    report = request_file(
        kind="completion",
        milestone=MilestoneFactory.create(party=ctx["pola"], due_date=dt.date(2027, 6, 30)),
        reason="Energized",
        completed_on=dt.date(2027, 1, 31),
        actor=ctx["pola_staff"],
    )
    ctx["decide"] = lambda: request_decide(
        request=report, accept=True, note="", actor=ctx["reviewer"]
    )


def _confirmation(ctx: dict) -> None:
    default = flagged_default(ctx["pola"], dt.date(2027, 1, 5))
    ctx["decide"] = lambda: default_determine(
        default=default, decision="confirmed", reason="Missed", actor=ctx["reviewer"]
    )


def _dismissal(ctx: dict) -> None:
    default = flagged_default(ctx["pola"], dt.date(2027, 1, 5))
    ctx["decide"] = lambda: default_determine(
        default=default, decision="dismissed", reason="Not ours", actor=ctx["reviewer"]
    )


def _penalty_with_notice(ctx: dict) -> Penalty:
    default: Default = recorded_default(ctx["pola"], dt.date(2027, 1, 5))
    return penalty_mark_notice_sent(penalty=default.penalty, now=NOW)


def _payment(ctx: dict) -> None:
    penalty = _penalty_with_notice(ctx)
    ctx["decide"] = lambda: penalty_record_payment(
        penalty=penalty, paid_at=NOW, reference="WIRE-77", actor=ctx["administrator"]
    )


def _waiver(ctx: dict) -> None:
    penalty = _penalty_with_notice(ctx)
    ctx["decide"] = lambda: penalty_waive(
        penalty=penalty, reason="Board waiver", actor=ctx["administrator"]
    )


DECISIONS: dict[str, Callable[[dict], None]] = {
    "plan decision": _plan_decision,
    "extension decision": _extension,
    "flexibility decision": _flexibility,
    "completion report decision": _completion,
    "default confirmed": _confirmation,
    "default dismissed": _dismissal,
    "penalty payment": _payment,
    "penalty waiver": _waiver,
}


@pytest.mark.parametrize("decision", DECISIONS)
def test_every_decision_a_port_cares_about_mails_its_staff_through_the_outbox_with_site_links(
    request, settings, decision, django_capture_on_commit_callbacks
):
    settings.SITE_URL = SITE
    ctx = {
        name: request.getfixturevalue(name)
        for name in ("pola", "pola_staff", "polb_staff", "reviewer", "administrator", "phase1")
    }
    with time_machine.travel(NOW, tick=False):
        DECISIONS[decision](ctx)
        before = set(OutboxMessage.objects.values_list("pk", flat=True))
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            ctx["decide"]()
    rows = list(OutboxMessage.objects.exclude(pk__in=before))
    to_port = [r for r in rows if r.recipient_id == ctx["pola_staff"].pk]
    assert to_port, f"{decision}: nothing in the outbox for the port's staff"
    assert all(r.status == OutboxStatus.SENT for r in to_port)
    assert not [r for r in rows if r.recipient_id == ctx["polb_staff"].pk]
    # What went out is exactly what the outbox holds: nothing was sent around it.
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == sorted(
        (r.to_email, r.subject) for r in rows
    )
    for message in mail.outbox:
        links = re.findall(r"https?://\S+", str(message.body))
        assert links, f"{decision}: no link in {message.subject!r}"
        assert all(link.startswith(SITE + "/") for link in links), links


@pytest.fixture
def phase1(agreement):
    from agreement.models import Phase

    return Phase.objects.get(number=1)


# --- One module sends mail -----------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
SKIPPED = {".venv", "node_modules", "tests", "migrations", "var", "locale", "static", ".git"}
MAIL_NAMES = {
    "send_mail",
    "send_mass_mail",
    "mail_admins",
    "mail_managers",
    "EmailMessage",
    "EmailMultiAlternatives",
    "get_connection",
}


def _application_modules() -> list[Path]:
    return [
        path
        for path in ROOT.rglob("*.py")
        if not SKIPPED & set(path.relative_to(ROOT).parts[:-1])
        and not path.name.startswith("test_")
    ]


def _mail_uses(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("django.core"):
            names = {alias.name for alias in node.names}
            if node.module == "django.core.mail" or "mail" in names:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} from {node.module} import")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("django.core.mail") or alias.name == "smtplib":
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} import {alias.name}")
        elif isinstance(node, ast.Attribute) and node.attr in MAIL_NAMES:
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} .{node.attr}")
        elif isinstance(node, ast.Name) and node.id in MAIL_NAMES:
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.id}")
        elif isinstance(node, ast.Constant) and node.value == "django.utils.log.AdminEmailHandler":
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} AdminEmailHandler")
    return found


def test_no_module_other_than_the_outbox_sends_mail():
    modules = _application_modules()
    assert ROOT / "core" / "outbox.py" in modules and len(modules) > 50
    senders = {str(path.relative_to(ROOT)): uses for path in modules if (uses := _mail_uses(path))}
    assert set(senders) == {"core/outbox.py"}, senders
