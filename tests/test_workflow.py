"""One way to change state (issue #10): every stateful model declares its transition table once
(``core.workflow``), an illegal move is a ``Conflict`` (409) with a message the user can act
on, a repeated move is a no-op that records nothing, and the layers stay apart (the audit app
imports no feature app; no state conflict is a 400 ``ServiceError(code="conflict")``)."""

from __future__ import annotations

import ast
import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.apps import apps
from django.utils import timezone

from audit.models import AuditEvent
from core.errors import Conflict
from core.workflow import registered_workflows, transition, workflow_of
from penalties.milestone_requests import request_file
from plans import public_services
from plans import services as plan_services
from reports.inventory_services import FigureInput, inventory_save
from reports.models import ReportRun, ReportStatus
from tests.factories import MilestoneFactory
from tests.penalties.conftest import pacific
from tests.penalties.helpers import flagged_default, recorded_default
from tests.plans.conftest import make_draft

ROOT = Path(__file__).resolve().parent.parent
NOW = pacific(2027, 2, 1, 10)

# The stateful models issue #10 names, as (app label, model name).
STATEFUL = [
    ("plans", "PlanVersion"),
    ("penalties", "Penalty"),
    ("penalties", "ExtensionRequest"),
    ("penalties", "FlexibilityClaim"),
    ("penalties", "CompletionReport"),
    ("penalties", "Default"),
    ("agreement", "Milestone"),
    ("reports", "ReportRun"),
    ("plans", "PublicComment"),
    ("reports", "EmissionsInventory"),
]


def in_sentence(label: str) -> str:
    """A state's label as a message writes it mid-sentence."""
    return label[:1].lower() + label[1:]


def _existing(label: str, name: str) -> Any:
    try:
        return apps.get_model(label, name)
    except LookupError:
        return None


@pytest.mark.parametrize(("label", "name"), STATEFUL, ids=[n for _, n in STATEFUL])
def test_every_stateful_model_of_issue_10_declares_its_transition_table(label, name):
    model = _existing(label, name)
    if model is None:
        pytest.skip(f"{label}.{name} does not exist")
    assert model in registered_workflows(), f"{label}.{name} has no declared transition table"
    flow = workflow_of(model)
    field = model._meta.get_field(flow.field)
    assert {value for value, _ in field.choices} == set(flow.states.values) == set(flow.moves)


# --- Real rows in each model: a legal move, and an illegal one from where it lands --------


class Case:
    """A row of one model and what to do with it."""

    def __init__(
        self,
        obj: Any,
        legal: str,
        changes: dict[str, Any],
        illegal: str,
        actor: Any = None,
    ) -> None:
        self.obj, self.legal, self.changes, self.illegal, self.actor = (
            obj,
            legal,
            changes,
            illegal,
            actor,
        )


def _decided(actor: Any, note: str = "No") -> dict[str, Any]:
    return {"decided_by": actor, "decided_at": timezone.now(), "decision_note": note}


def _milestone(ctx: dict) -> Case:
    milestone = MilestoneFactory.create(party=ctx["pola"])
    now = timezone.now()
    return Case(milestone, "excused", {"completed_at": now, "closed_at": now}, "met")


def _default(ctx: dict) -> Case:
    default = flagged_default(ctx["pola"])
    changes = {
        "dismissed_at": timezone.now(),
        "determined_by": ctx["reviewer"],
        "determination_reason": "Not a default",
    }
    return Case(default, "dismissed", changes, "confirmed", ctx["reviewer"])


def _penalty(ctx: dict) -> Case:
    penalty = recorded_default(ctx["pola"]).penalty
    return Case(penalty, "notice_sent", {"notice_sent_at": timezone.now()}, "assessed")


def _extension(ctx: dict) -> Case:
    request = request_file(
        kind="extension",
        milestone=MilestoneFactory.create(party=ctx["pola"], due_date=dt.date(2027, 6, 30)),
        requested_due_date=dt.date(2027, 9, 30),
        reason="Late transformer",
        actor=ctx["pola_staff"],
    )
    return Case(request, "refused", _decided(ctx["reviewer"]), "granted", ctx["reviewer"])


def _flexibility(ctx: dict) -> Case:
    default = flagged_default(ctx["pola"])
    claim = request_file(
        kind="flexibility", milestone=default.milestone, reason="Storm", actor=ctx["pola_staff"]
    )
    return Case(claim, "rejected", _decided(ctx["reviewer"]), "accepted", ctx["reviewer"])


def _completion(ctx: dict) -> Case:
    report = request_file(
        kind="completion",
        milestone=MilestoneFactory.create(party=ctx["pola"], due_date=dt.date(2027, 6, 30)),
        reason="Energized",
        completed_on=dt.date(2027, 1, 30),
        actor=ctx["pola_staff"],
    )
    return Case(report, "rejected", _decided(ctx["reviewer"]), "accepted", ctx["reviewer"])


def _plan_version(ctx: dict) -> Case:
    version = make_draft(ctx["pola_staff"], ctx["phase1"])
    version = plan_services.version_submit(version=version, actor=ctx["pola_staff"])
    changes = {"review_started_at": timezone.now(), "reviewer": ctx["reviewer"]}
    return Case(version, "under_review", changes, "draft", ctx["reviewer"])


def _public_comment(ctx: dict) -> Case:
    version = make_draft(ctx["pola_staff"], ctx["phase1"])
    version = plan_services.version_submit(version=version, actor=ctx["pola_staff"])
    comment = public_services.public_comment_submit(version=version, text="More trucks, please")
    changes = {
        "moderated_by": ctx["reviewer"],
        "moderated_at": timezone.now(),
        "moderation_note": "Off topic",
    }
    return Case(comment, "rejected", changes, "published", ctx["reviewer"])


def _report_run(ctx: dict) -> Case:
    run = ReportRun.objects.create(
        year=2026, party=ctx["pola"], version=1, status=ReportStatus.FAILED, error="boom"
    )
    return Case(run, "queued", {}, "ready", ctx["reviewer"])


def _inventory(ctx: dict) -> Case:
    inventory, _ = inventory_save(
        party=ctx["pola"],
        year=2030,
        figures=[FigureInput(metric="DPM", value=Decimal("100"), source="port inventory")],
        actor=ctx["pola_staff"],
    )
    changes = {
        "reviewed_by": ctx["reviewer"],
        "reviewed_at": timezone.now(),
        "review_note": "Check the source",
    }
    return Case(inventory, "rejected", changes, "accepted", ctx["reviewer"])


CASES: dict[str, Callable[[dict], Case]] = {
    "Milestone": _milestone,
    "Default": _default,
    "Penalty": _penalty,
    "ExtensionRequest": _extension,
    "FlexibilityClaim": _flexibility,
    "CompletionReport": _completion,
    "PlanVersion": _plan_version,
    "PublicComment": _public_comment,
    "ReportRun": _report_run,
    "EmissionsInventory": _inventory,
}


def test_the_cases_below_cover_every_declared_table():
    assert {model.__name__ for model in registered_workflows()} <= set(CASES)


@pytest.fixture
def ctx(request, agreement) -> dict:
    from agreement.models import Phase

    names = ("pola", "pola_staff", "reviewer")
    found = {name: request.getfixturevalue(name) for name in names}
    found["phase1"] = Phase.objects.get(number=1)
    return found


def _events(obj: Any) -> int:
    return AuditEvent.objects.for_object(obj).count()


@pytest.mark.parametrize("name", CASES)
def test_a_repeated_move_is_a_no_op_without_a_second_audit_event(ctx, name):
    with time_machine.travel(NOW, tick=False):
        case = CASES[name](ctx)
        flow = workflow_of(case.obj)
        before = _events(case.obj)
        first = transition(case.obj, case.legal, actor=case.actor, changes=case.changes)
        assert first.changed is True
        assert getattr(type(case.obj).objects.get(pk=case.obj.pk), flow.field) == case.legal
        assert _events(case.obj) == before + 1
        again = transition(case.obj, case.legal, actor=case.actor, changes=case.changes)
    assert again.changed is False
    assert _events(case.obj) == before + 1


@pytest.mark.parametrize("name", CASES)
def test_an_illegal_move_raises_conflict_with_an_actionable_message(ctx, name):
    with time_machine.travel(NOW, tick=False):
        case = CASES[name](ctx)
        flow = workflow_of(case.obj)
        transition(case.obj, case.legal, actor=case.actor, changes=case.changes)
        assert not flow.allows(case.legal, case.illegal)
        before = _events(case.obj)
        with pytest.raises(Conflict) as refused:
            transition(case.obj, case.illegal, actor=case.actor)
    error = refused.value
    assert error.status_code == 409 and error.code == "conflict"
    message = str(error)
    # It says where the object stands and what cannot happen, then what to do instead.
    assert in_sentence(flow.state_label(case.legal)) in message
    assert in_sentence(flow.state_label(case.illegal)) in message
    assert message.count(". ") >= 1 and message.rstrip().endswith(".")
    assert getattr(type(case.obj).objects.get(pk=case.obj.pk), flow.field) == case.legal
    assert _events(case.obj) == before


@pytest.mark.parametrize("model", list(registered_workflows()), ids=lambda m: m.__name__)
def test_every_illegal_move_of_every_table_has_a_message_naming_both_states(model):
    flow = workflow_of(model)
    for current in flow.states.values:
        for target in flow.states.values:
            if current == target or flow.allows(current, target):
                continue
            obj = model()
            setattr(obj, flow.field, current)
            for attribute, value in (("due_date", dt.date(2027, 1, 5)), ("number", 2)):
                if hasattr(obj, attribute):
                    setattr(obj, attribute, value)
            message = str(flow.conflict(obj, target))
            assert in_sentence(flow.state_label(current)) in message, (current, target)
            assert in_sentence(flow.state_label(target)) in message, (current, target)
            assert "aqmd" not in message, message  # names keep their capitals
            hint = message.split(". ", 1)[1] if ". " in message else ""
            assert hint.strip(), f"{model.__name__} {current}→{target}: no hint: {message}"


# --- The layers ----------------------------------------------------------------------------

SKIPPED = {".venv", "node_modules", "tests", "migrations", "var", "locale", "static", ".git"}
# The apps below the features: the shared core, the users and their policy, the audit trail.
FOUNDATION = {"core", "accounts", "audit", "config"}


def _local_apps() -> set[str]:
    return {config.name.split(".")[0] for config in apps.get_app_configs()} & {
        path.name for path in ROOT.iterdir() if path.is_dir()
    }


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def test_the_audit_app_imports_no_feature_app():
    features = _local_apps() - FOUNDATION
    assert {"agreement", "plans", "penalties", "reports"} <= features
    offending = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in sorted((ROOT / "audit").rglob("*.py"))
        if "migrations" not in path.parts
        for line, module in _imports(path)
        if module.split(".")[0] in features
    ]
    assert offending == []


def _application_modules() -> list[Path]:
    return [
        path for path in ROOT.rglob("*.py") if not SKIPPED & set(path.relative_to(ROOT).parts[:-1])
    ]


def test_no_state_conflict_is_a_service_error_with_code_conflict():
    """State conflicts raise ``Conflict`` (409), never ``ServiceError(code="conflict")`` (400)."""
    found = []
    for path in _application_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                for keyword in node.keywords:
                    if (
                        keyword.arg == "code"
                        and isinstance(keyword.value, ast.Constant)
                        and keyword.value.value == "conflict"
                    ):
                        found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == []
