"""The sweep flags misses in batches: one default and one notice per miss, the audit chain
intact, and a batch costs the same queries whatever its size."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreement.models import Milestone, MilestoneKind
from audit import chain
from audit.models import AuditEvent
from core.models import OutboxMessage
from penalties.determinations import default_flag, default_flag_many
from penalties.models import Default, Notice, NoticeKind
from penalties.sweep import sweep_deadlines

from .conftest import pacific


def _missed(party, n: int) -> list[int]:
    rows = Milestone.objects.bulk_create(
        Milestone(
            party=party,
            kind=MilestoneKind.PROJECT,
            title=f"Batch test milestone {i}",
            due_date=dt.date(2027, 1, 5) + dt.timedelta(days=i % 7),
        )
        for i in range(n)
    )
    return [m.pk for m in rows]


NOW = pacific(2027, 2, 1, 9)


def test_batches_flag_each_miss_once_with_its_notice_and_audit_events(
    pola, polb, pola_staff, polb_staff, settings
):
    settings.SWEEP_BATCH_SIZE = 7
    ids = _missed(pola, 16) + _missed(polb, 15)
    with time_machine.travel(NOW, tick=False):
        sweep_deadlines(NOW)
        assert sweep_deadlines(NOW) == 0
    defaults = Default.objects.filter(milestone_id__in=ids)
    assert sorted(defaults.values_list("milestone_id", flat=True)) == sorted(ids)
    notices = Notice.objects.filter(milestone_id__in=ids, kind=NoticeKind.POTENTIAL_DEFAULT)
    assert notices.count() == len(ids)
    assert notices.filter(recipients="").count() == 0
    assert AuditEvent.objects.filter(action="default.flagged").count() >= len(ids)
    assert chain.verify().ok


def test_a_batch_costs_the_same_queries_for_10_and_60_misses(pola, polb, pola_staff):
    counts = []
    for n, day in ((10, 1), (60, 2)):
        _missed(pola, n)
        now = NOW + dt.timedelta(days=day)
        with time_machine.travel(now, tick=False), CaptureQueriesContext(connection) as ctx:
            sweep_deadlines(now)
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


def test_a_batch_records_what_flagging_one_miss_records(pola, pola_staff, polb_staff):
    """The batch writes plain values in one statement per table: the same default, audit
    events (payloads, reprs), notice and mail text as :func:`default_flag` for one miss."""
    one, many = Milestone.objects.bulk_create(
        Milestone(
            party=pola,
            kind=MilestoneKind.PROJECT,
            title=f"Parity milestone {name}",
            due_date=dt.date(2027, 1, 5),
        )
        for name in ("one", "many")
    )
    one = Milestone.objects.select_related("party").get(pk=one.pk)
    many = Milestone.objects.select_related("party").get(pk=many.pk)
    with time_machine.travel(NOW, tick=False):
        default_flag(milestone=one, now=NOW)
        (many_id,) = default_flag_many(milestones=[many], now=NOW)
    assert chain.verify().ok

    def recorded(milestone: Milestone) -> dict[str, object]:
        default = Default.objects.get(milestone=milestone)
        notice = Notice.objects.get(milestone=milestone, kind=NoticeKind.POTENTIAL_DEFAULT)

        def same(text: str) -> str:
            """The text with this miss's title and default id made the other's."""
            return text.replace(milestone.title, "<title>").replace(
                f"/defaults/{default.pk}/", "/defaults/<id>/"
            )

        events = []
        for obj in (default, notice):
            event = AuditEvent.objects.for_object(obj).get()
            after = dict(event.after or {})
            for key in ("id", "milestone"):
                after.pop(key, None)
            events.append(
                (
                    event.action,
                    event.actor_id,
                    event.actor_label,
                    same(event.object_repr),
                    event.party_id,
                    event.before,
                    after,
                    event.note,
                )
            )
        mails = sorted(
            (m.recipient_id, m.to_email, same(m.subject), same(m.body), m.hook, m.status)
            for m in OutboxMessage.objects.filter(event_key=f"notice.{notice.pk}")
        )
        assert all(
            m.hook_arg == notice.pk
            for m in OutboxMessage.objects.filter(event_key=f"notice.{notice.pk}")
        )
        return {
            "default": (
                default.status,
                default.due_date,
                default.detected_at,
                default.proposed_amount,
                default.proposed_schedule_id,
                default.party_id,
                default.ordinal,
                default.determination_reason,
            ),
            "notice": (notice.party_id, notice.due_date, notice.created_at, notice.recipients),
            "events": events,
            "mails": mails,
        }

    assert Default.objects.get(milestone=many).pk == many_id
    batch, single = recorded(many), recorded(one)
    assert batch["mails"], "the port's staff are mailed"
    assert batch == single
