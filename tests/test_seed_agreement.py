"""The agreement's seeded terms: phases, categories, milestones, provisional flags, idempotence."""

import datetime as dt

from django.core.management import call_command

from accounts.models import User
from agreement.models import (
    AgreementTerm,
    Approval,
    EmissionCategory,
    Milestone,
    MilestoneKind,
    Party,
    Phase,
)
from agreement.seed import seed_agreement
from audit.models import AuditEvent
from penalties.models import PenaltySchedule, PenaltyTier


def _counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            Party,
            Approval,
            AgreementTerm,
            Phase,
            EmissionCategory,
            Milestone,
            PenaltySchedule,
            PenaltyTier,
        )
    }


def test_three_parties_with_short_codes(agreement):
    assert dict(Party.objects.values_list("code", "kind")) == {
        "AQMD": "regulator",
        "POLA": "port",
        "POLB": "port",
    }


def test_six_categories_in_their_phases(agreement):
    by_phase = {
        p.number: sorted(p.categories.values_list("code", flat=True)) for p in Phase.objects.all()
    }
    assert by_phase == {
        1: ["che_container", "drayage"],
        2: ["che_noncontainer", "harbor_craft", "switcher_locomotives"],
        3: ["ogv"],
    }


def test_approved_plan_dates_are_fixed_and_draft_dates_provisional(agreement):
    for port in ("POLA", "POLB"):
        finals = Milestone.objects.filter(party__code=port, kind=MilestoneKind.FINAL_PLAN)
        assert {(m.phase and m.phase.number, m.due_date, m.is_provisional) for m in finals} == {
            (1, dt.date(2027, 12, 31), False),
            (2, dt.date(2028, 12, 31), False),
            (3, dt.date(2029, 12, 31), False),
        }
        first_draft = Milestone.objects.get(
            party__code=port, kind=MilestoneKind.DRAFT_PLAN, phase__number=1
        )
        assert first_draft.due_date == dt.date(2027, 5, 31)
        drafts = Milestone.objects.filter(party__code=port, kind=MilestoneKind.DRAFT_PLAN)
        assert all(m.is_provisional for m in drafts)


def test_annual_reports_due_march_31_of_the_next_year_provisional(agreement):
    report = Milestone.objects.get(
        party__code="POLB", kind=MilestoneKind.ANNUAL_REPORT, reporting_year=2027
    )
    assert report.due_date == dt.date(2028, 3, 31)
    assert report.is_provisional


def test_approvals_and_withdrawal_notice(agreement):
    assert agreement.withdrawal_notice_days == 45
    assert list(agreement.approvals.values_list("party__code", "approved_on")) == [
        ("AQMD", dt.date(2025, 11, 7)),
        ("POLB", dt.date(2025, 11, 10)),
        ("POLA", dt.date(2025, 11, 20)),
    ]
    assert all(t.is_provisional for t in agreement.terms.all())


def test_seeding_twice_creates_nothing_new(agreement):
    before = _counts()
    seed_agreement()
    call_command("load_agreement", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert _counts() == before


def test_seeding_again_keeps_an_edited_date(agreement):
    milestone = Milestone.objects.get(
        party__code="POLA", kind=MilestoneKind.DRAFT_PLAN, phase__number=1
    )
    Milestone.objects.filter(pk=milestone.pk).update(due_date=dt.date(2027, 5, 15))
    seed_agreement()
    milestone.refresh_from_db()
    assert milestone.due_date == dt.date(2027, 5, 15)


def test_seed_demo_creates_the_five_demo_users_once(agreement, capsys):
    call_command("seed_demo")
    call_command("seed_demo")
    users = {u.username: (u.role, u.party.code if u.party else None) for u in User.objects.all()}
    assert users == {
        "pola.staff": ("port_staff", "POLA"),
        "polb.staff": ("port_staff", "POLB"),
        "aqmd.reviewer": ("aqmd_reviewer", None),
        "aqmd.admin": ("aqmd_admin", None),
        "board.member": ("board_member", None),
    }
    assert User.objects.get(username="aqmd.admin").check_password("demo-password")
    assert "pola.staff" in capsys.readouterr().out


def test_demo_password_comes_from_the_environment(agreement, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "another-secret-1")
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert User.objects.get(username="board.member").check_password("another-secret-1")


def test_loading_the_agreement_audits_what_it_created_and_nothing_when_complete(db):
    call_command("load_agreement", stdout=open("/dev/null", "w"))  # noqa: SIM115
    loaded = AuditEvent.objects.get(action="agreement.terms_loaded")
    assert loaded.actor_label == "load_agreement"
    assert "agreement_milestone" in loaded.note and "penalties_penaltytier" in loaded.note
    call_command("load_agreement", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert AuditEvent.objects.filter(action="agreement.terms_loaded").count() == 1
    Milestone.objects.filter(kind=MilestoneKind.ANNUAL_REPORT, reporting_year=2026).delete()
    call_command("load_agreement", stdout=open("/dev/null", "w"))  # noqa: SIM115
    again = AuditEvent.objects.filter(action="agreement.terms_loaded").latest("id")
    assert again.pk != loaded.pk and again.note.endswith("in agreement_milestone")
