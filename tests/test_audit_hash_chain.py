"""The audit trail is a hash chain: editing, deleting or inserting an event behind the
application's back (trigger disabled) is found, and the first broken event is named."""

from __future__ import annotations

import itertools
import threading
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections, transaction

from agreement.models import Party
from audit import chain
from audit.models import AuditChainHead, AuditEvent
from audit.services import audit_record
from audit.tasks import verify_chain
from tests.factories import UserFactory


def _events(pola: Party, n: int) -> list[AuditEvent]:
    return [
        audit_record(actor=None, action="test.step", obj=pola, after={"n": i, "amount": "50000.00"})
        for i in range(n)
    ]


def _broken(result: chain.Verification) -> chain.Break:
    assert result.broken is not None, "the chain verified"
    return result.broken


def _tamper(sql: str, params: list[Any]) -> None:
    """What someone with database rights could do: lift the trigger, change a row."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # settle the test's own inserts first
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_no_update")
        cursor.execute(sql, params)
        cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_no_update")


def test_each_event_links_to_the_one_before_and_the_head_to_the_last(pola):
    events = _events(pola, 3)
    assert events[1].prev_hash == events[0].hash
    assert events[2].prev_hash == events[1].hash
    assert all(len(e.hash) == 64 for e in events)
    head = AuditChainHead.objects.get()
    assert head.last_event_id == events[-1].pk and head.last_hash == events[-1].hash
    stored = AuditEvent.objects.get(pk=events[1].pk)
    assert chain.event_hash(stored) == stored.hash  # the hash survives the round trip


def test_an_intact_chain_verifies_and_the_command_says_so(pola, capsys):
    _events(pola, 5)
    result = chain.verify()
    assert result.ok and result.checked == AuditEvent.objects.count()
    call_command("verify_audit_log")
    assert f"Audit log chain intact: {result.checked} events verified." in capsys.readouterr().out


def test_a_changed_event_is_named_and_the_command_exits_1(pola):
    events = _events(pola, 4)
    _tamper("UPDATE audit_auditevent SET note = 'nothing to see' WHERE id = %s", [events[2].pk])
    result = chain.verify()
    assert not result.ok
    assert _broken(result).event_id == events[2].pk
    assert "content does not match its hash" in _broken(result).reason
    with pytest.raises(CommandError) as error:
        call_command("verify_audit_log")
    assert error.value.returncode == 1
    assert f"BROKEN at audit event #{events[2].pk}" in str(error.value)


def test_a_changed_amount_inside_the_json_is_found(pola):
    events = _events(pola, 2)
    _tamper(
        """UPDATE audit_auditevent SET after = jsonb_set(after, '{amount}', '"5.00"')
           WHERE id = %s""",
        [events[0].pk],
    )
    assert _broken(chain.verify()).event_id == events[0].pk


def test_a_deleted_event_breaks_the_link_of_the_next(pola):
    events = _events(pola, 4)
    _tamper("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
    result = chain.verify()
    assert _broken(result).event_id == events[2].pk
    assert f"does not follow #{events[0].pk}" in _broken(result).reason


def test_deleting_the_last_events_is_found_by_the_head(pola):
    events = _events(pola, 3)
    _tamper("DELETE FROM audit_auditevent WHERE id = %s", [events[-1].pk])
    result = chain.verify()
    assert _broken(result).event_id is None
    assert "chain head" in str(result.broken)


def test_a_rehashed_forgery_still_breaks_at_the_next_event(pola):
    """Recomputing the forged row's own hash does not help: the next event links the old one."""
    events = _events(pola, 3)
    forged = AuditEvent.objects.get(pk=events[1].pk)
    forged.note = "forged"
    new_hash = chain.event_hash(forged)
    _tamper(
        "UPDATE audit_auditevent SET note = 'forged', hash = %s WHERE id = %s",
        [new_hash, events[1].pk],
    )
    assert _broken(chain.verify()).event_id == events[2].pk


def test_an_event_saved_without_the_chain_is_refused(pola):
    with pytest.raises(RuntimeError, match=r"audit\.chain\.append"):
        AuditEvent(action="x", object_type="a", object_id="1", object_repr="x").save()


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_chain_correctly(agreement):
    pola = Party.objects.get(code="POLA")
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            start.wait()
            for i in range(10):
                with transaction.atomic():
                    audit_record(actor=None, action=f"writer.{n}", obj=pola, note=str(i))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    result = chain.verify()
    assert result.ok, result.broken
    assert AuditEvent.objects.filter(action__startswith="writer.").count() == 40


def test_the_daily_check_mails_aqmd_administrators_when_the_chain_is_broken(
    pola, administrator, django_capture_on_commit_callbacks
):
    UserFactory.create(username="second.admin", role="aqmd_admin", email="second@aqmd.example")
    events = _events(pola, 2)
    assert verify_chain() is True
    assert mail.outbox == []
    _tamper("UPDATE audit_auditevent SET actor_label = 'someone' WHERE id = %s", [events[0].pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert verify_chain() is False
        assert verify_chain() is False  # the same break, the same day: nobody is told twice
    assert sorted(m.to[0] for m in mail.outbox) == [
        "administrator@example.test",
        "second@aqmd.example",
    ]
    message = mail.outbox[0]
    assert message.subject == "Audit log integrity check FAILED"
    assert f"audit event #{events[0].pk}" in message.body


def test_the_daily_check_is_scheduled(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["audit.verify_chain"]
    assert entry["task"] == "audit.verify_chain"


def test_a_bulk_append_links_each_event_and_moves_the_head_once(pola):
    first = _events(pola, 2)
    bulk = [
        AuditEvent(
            actor_label="system",
            action="test.bulk",
            object_type="agreement.party",
            object_id=str(pola.pk),
            object_repr="POLA",
            party=pola,
            after={"n": i},
        )
        for i in range(7)
    ]
    assert chain.append_many(bulk, batch_size=3) == 7
    assert bulk[0].prev_hash == first[-1].hash
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(bulk))
    assert [e.pk for e in bulk] == sorted(e.pk for e in bulk)
    head = AuditChainHead.objects.get()
    assert (head.last_event_id, head.last_hash, head.length) == (bulk[-1].pk, bulk[-1].hash, 9)
    _events(pola, 1)
    assert chain.verify().ok
