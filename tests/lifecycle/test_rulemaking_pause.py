"""The pause of Proposed Rule 2304: five years from 2025-11-07, ending early if the agreement
ends."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from agreement.models import RulemakingPause
from agreement.seed import seed_agreement
from agreement.withdrawal import rulemaking_pauses, withdrawal_notice_record
from tests.pdfs import pdf_upload

from .test_withdrawal import EFFECTIVE, RECEIVED, at

pytestmark = pytest.mark.django_db


def test_the_pause_is_seeded_as_data_for_five_years_and_seeding_again_keeps_it(agreement):
    pause = RulemakingPause.objects.get()
    assert "Proposed Rule 2304" in pause.rule
    assert (pause.starts_on, pause.planned_end_on) == (dt.date(2025, 11, 7), dt.date(2030, 11, 7))
    seed_agreement()
    assert RulemakingPause.objects.count() == 1


def test_the_terms_page_shows_start_and_planned_end_and_no_early_end(client, agreement):
    page = client.get(reverse("agreement-terms")).text
    assert 'datetime="2025-11-07"' in page and 'datetime="2030-11-07"' in page
    assert "Not ended early" in page


def test_an_edited_planned_end_is_what_the_page_shows(client, agreement):
    RulemakingPause.objects.update(planned_end_on=dt.date(2030, 12, 1))
    assert 'datetime="2030-12-01"' in client.get(reverse("agreement-terms")).text


def test_the_pause_ends_early_on_the_withdrawal_effective_date(
    client, agreement, pola, administrator, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(at(RECEIVED), tick=False):
        withdrawal_notice_record(
            agreement=agreement,
            party=pola,
            received_on=RECEIVED,
            document=pdf_upload(),
            actor=administrator,
        )
        # Notice given, not in effect yet: the pause still runs.
        assert rulemaking_pauses()[0].actual_end is None
    with time_machine.travel(at(EFFECTIVE), tick=False):
        (status,) = rulemaking_pauses()
        assert status.actual_end == EFFECTIVE
        page = client.get(reverse("agreement-terms")).text
    assert f'datetime="{EFFECTIVE.isoformat()}"' in page and "Not ended early" not in page


def test_aqmd_resuming_early_ends_the_pause(agreement):
    RulemakingPause.objects.update(resumed_on=dt.date(2028, 1, 10))
    assert rulemaking_pauses()[0].actual_end == dt.date(2028, 1, 10)
