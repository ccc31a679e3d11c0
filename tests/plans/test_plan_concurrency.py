"""Two reviewers deciding at once, for real: two threads, two PostgreSQL connections."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from accounts.models import Role
from agreement.models import Phase
from agreement.seed import seed_agreement
from core.errors import Conflict
from plans import services
from plans.models import ReviewDecision, VersionStatus
from tests.factories import UserFactory

from .conftest import make_draft


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_deciding_at_once_one_wins_and_the_other_gets_a_conflict():
    seed_agreement()
    from agreement.models import Party

    staff = UserFactory.create(
        username="pola.planner", role=Role.PORT_STAFF, party=Party.objects.get(code="POLA")
    )
    first = UserFactory.create(username="reviewer.one", role=Role.AQMD_REVIEWER)
    second = UserFactory.create(username="reviewer.two", role=Role.AQMD_REVIEWER)
    version = make_draft(staff, Phase.objects.get(number=1))
    services.version_submit(version=version, actor=staff)

    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def decide(reviewer, decision: str, reasons: str) -> None:
        try:
            barrier.wait(timeout=10)
            services.version_decide(
                version=version, decision=decision, reasons=reasons, actor=reviewer
            )
            outcomes[reviewer.username] = "won"
        except Conflict as exc:
            outcomes[reviewer.username] = exc
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=(first, "approved", "")),
        threading.Thread(target=decide, args=(second, "changes_requested", "Needs dates")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    winners = [name for name, result in outcomes.items() if result == "won"]
    losers = [result for result in outcomes.values() if isinstance(result, Conflict)]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    decision = ReviewDecision.objects.get()
    assert decision.reviewer.username == winners[0]
    assert f"already decided by {winners[0]}" in str(losers[0])
    version.refresh_from_db()
    assert version.status in (VersionStatus.APPROVED, VersionStatus.CHANGES_REQUESTED)
    assert version.status == decision.decision
