"""A port asks for an extension before the due date; a reviewer grants (the date moves,
recorded) or refuses; while the request is pending the sweep waits for the decision."""

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from agreement.models import MilestoneDateChange
from audit.models import AuditEvent
from core.errors import Conflict, Forbidden, ServiceError
from penalties.milestone_requests import request_decide, request_file
from penalties.models import Default, RequestStatus
from penalties.sweep import sweep_deadlines
from tests.factories import MilestoneFactory
from tests.pdfs import pdf_upload

from .conftest import pacific

DUE = dt.date(2027, 6, 30)


@pytest.fixture
def milestone(pola):
    return MilestoneFactory.create(party=pola, title="Shore power berth 4", due_date=DUE)


def _file(milestone, actor, **kw):
    return request_file(
        kind="extension",
        milestone=milestone,
        requested_due_date=kw.pop("requested_due_date", dt.date(2027, 9, 30)),
        reason=kw.pop("reason", "Transformer delivery slipped"),
        actor=actor,
        **kw,
    )


@time_machine.travel(pacific(2027, 6, 30, 23, 59, 59), tick=False)
def test_staff_ask_until_the_last_second_with_pdf_documents(milestone, pola_staff):
    request = _file(milestone, pola_staff, uploads=[pdf_upload("vendor-letter.pdf")])
    assert request.status == RequestStatus.PENDING
    assert request.current_due_date == DUE
    assert [d.original_name for d in request.documents.all()] == ["vendor-letter.pdf"]
    assert AuditEvent.objects.filter(action="extension.filed").count() == 1


@time_machine.travel(pacific(2027, 7, 1, 0, 0, 0), tick=False)
def test_asking_after_the_deadline_is_refused(milestone, pola_staff):
    with pytest.raises(ServiceError, match="must be asked for before the due date"):
        _file(milestone, pola_staff)


@time_machine.travel(pacific(2027, 6, 1), tick=False)
def test_bad_requests_get_clear_errors(milestone, pola_staff, polb_staff, reviewer):
    with pytest.raises(ServiceError, match="after the current due date"):
        _file(milestone, pola_staff, requested_due_date=DUE)
    with pytest.raises(ServiceError, match="Say why"):
        _file(milestone, pola_staff, reason="  ")
    with pytest.raises(ServiceError, match="not a PDF"):
        _file(
            milestone,
            pola_staff,
            uploads=[SimpleUploadedFile("x.pdf", b"hello", content_type="application/pdf")],
        )
    for outsider in (polb_staff, reviewer):
        with pytest.raises(Forbidden):
            _file(milestone, outsider)
    _file(milestone, pola_staff)
    with pytest.raises(Conflict, match="already waiting"):
        _file(milestone, pola_staff)


@time_machine.travel(pacific(2027, 6, 1), tick=False)
def test_a_grant_moves_the_due_date_through_the_recorded_change(milestone, pola_staff, reviewer):
    request = _file(milestone, pola_staff)
    request_decide(request=request, accept=True, note="", actor=reviewer)
    milestone.refresh_from_db()
    assert milestone.due_date == dt.date(2027, 9, 30)
    change = MilestoneDateChange.objects.get(milestone=milestone)
    assert change.kind == "extension"
    assert change.old_due_date == DUE and change.actor == reviewer
    request.refresh_from_db()
    assert request.status == RequestStatus.GRANTED and request.decided_by == reviewer
    # deciding the same way again changes nothing; the other way is refused
    request_decide(request=request, accept=True, note="", actor=reviewer)
    assert MilestoneDateChange.objects.filter(milestone=milestone).count() == 1
    with pytest.raises(Conflict, match="already decided"):
        request_decide(request=request, accept=False, note="No", actor=reviewer)


@time_machine.travel(pacific(2027, 6, 1), tick=False)
def test_a_refusal_needs_a_note_and_leaves_the_date(milestone, pola_staff, reviewer):
    request = _file(milestone, pola_staff)
    with pytest.raises(ServiceError, match="Say why"):
        request_decide(request=request, accept=False, note="", actor=reviewer)
    request_decide(request=request, accept=False, note="Not justified", actor=reviewer)
    milestone.refresh_from_db()
    assert milestone.due_date == DUE
    assert not MilestoneDateChange.objects.filter(milestone=milestone).exists()


@time_machine.travel(pacific(2027, 6, 1), tick=False)
def test_port_staff_cannot_decide(milestone, pola_staff):
    request = _file(milestone, pola_staff)
    with pytest.raises(Forbidden):
        request_decide(request=request, accept=True, note="", actor=pola_staff)


def test_the_sweep_waits_for_a_pending_request_then_follows_the_decision(
    milestone, pola_staff, reviewer
):
    with time_machine.travel(pacific(2027, 6, 29), tick=False):
        request = _file(milestone, pola_staff)
    after = pacific(2027, 7, 2, 9)
    with time_machine.travel(after, tick=False):
        sweep_deadlines(after)
        assert not Default.objects.filter(milestone=milestone).exists()
        request_decide(request=request, accept=False, note="Refused", actor=reviewer)
        sweep_deadlines(after)
    assert Default.objects.filter(milestone=milestone).count() == 1


def test_a_grant_after_the_old_date_avoids_the_default(milestone, pola_staff, reviewer):
    with time_machine.travel(pacific(2027, 6, 29), tick=False):
        request = _file(milestone, pola_staff)
    after = pacific(2027, 7, 2, 9)
    with time_machine.travel(after, tick=False):
        request_decide(request=request, accept=True, note="", actor=reviewer)
        sweep_deadlines(after)
    assert not Default.objects.filter(milestone=milestone).exists()
