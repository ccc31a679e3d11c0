"""Board members read extension requests and flexibility claims (and their documents) on
the pages, as in the API, but cannot decide them."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from penalties.milestone_requests import request_file
from penalties.models import RequestStatus
from tests.factories import MilestoneFactory
from tests.pdfs import pdf_upload

from .conftest import pacific

NOW = pacific(2027, 2, 1, 10)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_a_board_member_reads_requests_and_documents_but_cannot_decide(
    client, pola, pola_staff, board_member
):
    request = request_file(
        kind="extension",
        milestone=MilestoneFactory.create(
            party=pola, title="Berth 9", due_date=dt.date(2027, 3, 1)
        ),
        requested_due_date=dt.date(2027, 5, 1),
        reason="Switchgear backorder",
        uploads=[pdf_upload("backorder.pdf")],
        actor=pola_staff,
    )
    claim = request_file(
        kind="flexibility",
        milestone=MilestoneFactory.create(
            party=pola, title="Crane 2", due_date=dt.date(2027, 1, 9)
        ),
        reason="Utility delay",
        actor=pola_staff,
    )
    client.force_login(board_member)
    listing = client.get(reverse("penalties:requests"))
    assert listing.status_code == 200
    assert "Berth 9" in listing.text and "Crane 2" in listing.text
    assert 'href="/penalties/requests/"' in listing.text
    detail_url = reverse("penalties:extension", args=[request.pk])
    assert client.get(detail_url).status_code == 200
    assert client.get(reverse("penalties:flexibility", args=[claim.pk])).status_code == 200
    document = request.documents.get()
    doc_url = reverse("penalties:extension-document", args=[request.pk, document.pk])
    assert client.get(doc_url).status_code == 200
    assert client.post(detail_url, {"decision": "yes", "note": ""}).status_code == 403
    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING
