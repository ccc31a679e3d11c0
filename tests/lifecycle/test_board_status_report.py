"""The Governing Board status report, read back from the real PDF: each port's plan
status, determinations, penalties and cost recovery, the rulemaking pause and a withdrawal
notice."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from io import BytesIO

import pytest
import time_machine
from django.urls import reverse
from pypdf import PdfReader

from agreement.withdrawal import withdrawal_notice_record
from cost_recovery.services import invoice_issue, payment_record
from tests.pdfs import pdf_upload
from tests.penalties.helpers import flagged_default

from .test_withdrawal import RECEIVED, at

pytestmark = pytest.mark.django_db

NOW = at(RECEIVED + dt.timedelta(days=2))


def _text(response) -> str:
    reader = PdfReader(BytesIO(response.content))
    # One space for any run of whitespace: extracted lines wrap anywhere.
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in reader.pages))


@pytest.fixture
def recorded(agreement, pola, polb, administrator, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(NOW, tick=False):
        withdrawal_notice_record(
            agreement=agreement,
            party=polb,
            received_on=RECEIVED,
            document=pdf_upload(),
            actor=administrator,
        )
        invoice = invoice_issue(
            party=pola,
            period_start=dt.date(2026, 7, 1),
            period_end=dt.date(2026, 12, 31),
            amount=Decimal("18000.00"),
            due_on=dt.date(2027, 4, 30),
            actor=administrator,
        )
        payment_record(
            invoice=invoice,
            amount=Decimal("5000.00"),
            received_on=RECEIVED,
            actor=administrator,
        )
    flagged_default(pola, dt.date(2027, 2, 1))


def test_the_board_report_pdf_lists_lifecycle_plans_determinations_and_cost_recovery(
    client, recorded, board_member
):
    with time_machine.travel(NOW, tick=False):
        client.force_login(board_member)
        text = _text(client.get(reverse("reports:board-status")))
    assert (
        "Withdrawal notice: Port of Long Beach, received 2027-03-01; "
        "the agreement ends on 2027-04-15." in text
    )
    assert "Proposed Rule 2304" in text and "2025-11-07" in text and "2030-11-07" in text
    assert "Plan status by phase" in text and "Not submitted" in text
    assert "Confirmed defaults" in text
    # The board does not see misses AQMD has not determined.
    assert "Flagged, awaiting AQMD's determination" not in text
    assert "$18,000.00" in text and "$5,000.00" in text and "$13,000.00" in text
    assert "No penalty has been assessed this year." in text


def test_aqmd_sees_the_flagged_misses_counted(client, recorded, reviewer):
    with time_machine.travel(NOW, tick=False):
        client.force_login(reviewer)
        text = _text(client.get(reverse("reports:board-status")))
    assert "Flagged, awaiting AQMD's determination 1" in text


def test_once_the_withdrawal_takes_effect_the_report_says_the_agreement_ended(
    client, recorded, board_member
):
    with time_machine.travel(at(dt.date(2027, 4, 20)), tick=False):
        client.force_login(board_member)
        text = _text(client.get(reverse("reports:board-status")))
    assert "The agreement ended on 2027-04-15: Port of Long Beach withdrew." in text


def test_the_ports_own_staff_see_their_undetermined_misses_and_the_board_no_unconfirmed_withdrawal(
    pola, polb, pola_staff, board_member, reviewer
):
    from penalties.models import DefaultStatus
    from penalties.services import default_withdraw_with_penalty
    from reports.board_sections import determinations

    flagged = flagged_default(pola)
    withdrawn = flagged_default(pola, due=dt.date(2027, 1, 12))
    default_withdraw_with_penalty(default=withdrawn, actor=reviewer, reason="Claim accepted.")
    withdrawn.refresh_from_db()
    assert withdrawn.status == DefaultStatus.WITHDRAWN and withdrawn.confirmed_at is None

    staff = determinations(parties=[pola, polb], viewer=pola_staff)
    assert staff[pola.pk].flagged == 1 and staff[pola.pk].withdrawn == 1
    assert staff[polb.pk].flagged is None  # not their port's
    board = determinations(parties=[pola], viewer=board_member)[pola.pk]
    assert board.flagged is None and board.withdrawn == 0
    assert flagged.status == DefaultStatus.FLAGGED
