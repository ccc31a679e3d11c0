"""``seed_demo --scale large``: the large illustrative data set, scaled down here."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from accounts import demo_large
from agreement.models import Milestone, MilestoneStatus
from audit import chain
from audit.models import AuditEvent
from penalties.models import Default, FundEntry, MitigationFund, Penalty
from penalties.sweep import missed_milestones
from plans.models import Comment, PlanVersion
from reports.models import FigureBasis, InventoryFigure


@pytest.fixture
def small_scale(monkeypatch):
    monkeypatch.setattr(demo_large, "MILESTONES", 600)
    monkeypatch.setattr(demo_large, "PLAN_VERSIONS", 60)
    monkeypatch.setattr(demo_large, "AUDIT_EVENTS", 3000)


def _seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", "--scale", "large", stdout=out)
    return out.getvalue()


def test_the_large_demo_is_labelled_chained_and_created_once(agreement, small_scale):
    output = _seed()
    assert "audit events (hash-chained): 3000" in output
    large = Milestone.objects.filter(title__startswith=demo_large.LABEL)
    assert large.count() == 600
    assert PlanVersion.objects.filter(summary__startswith=demo_large.LABEL).count() == 60
    assert Comment.objects.filter(body__startswith=demo_large.LABEL).count() == 600
    assert AuditEvent.objects.filter(note=demo_large.LABEL).count() == 3000
    assert chain.verify().ok
    counts = (
        Milestone.objects.count(),
        Default.objects.count(),
        Penalty.objects.count(),
        AuditEvent.objects.count(),
        InventoryFigure.objects.count(),
    )

    _seed()

    assert (
        Milestone.objects.count(),
        Default.objects.count(),
        Penalty.objects.count(),
        AuditEvent.objects.count(),
        InventoryFigure.objects.count(),
    ) == counts
    assert chain.verify().ok


def test_past_large_milestones_are_met_or_defaulted_and_future_ones_open(agreement, small_scale):
    _seed()
    large = Milestone.objects.filter(title__startswith=demo_large.LABEL)
    past_open = large.filter(status=MilestoneStatus.OPEN, due_date__lt="2026-01-01")
    assert past_open.exists()
    assert not past_open.filter(defaults__isnull=True).exists()
    assert large.filter(status=MilestoneStatus.OPEN, due_date__gt="2030-01-01").count() > 300
    assert Default.objects.filter(milestone__in=large).exists()
    # Nothing is left for the deadline sweep: every miss is already flagged.
    assert not missed_milestones(demo_large.timezone.now()).filter(pk__in=large).exists()


def test_the_fund_balance_matches_its_ledger_after_the_large_demo(agreement, small_scale):
    _seed()
    last = FundEntry.objects.order_by("id").last()
    assert last is not None
    assert MitigationFund.objects.get(pk=1).balance == last.balance_after
    assert (
        not InventoryFigure.objects.filter(source__startswith=demo_large.LABEL)
        .exclude(basis=FigureBasis.ILLUSTRATIVE)
        .exists()
    )
