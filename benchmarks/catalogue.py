"""Every list page and list endpoint, per role: what ``make bench`` measures and what the
query-count test (``tests/test_query_counts.py``) pins.

``None`` as the role is the public (anonymous).  The usernames are the demo users of
``seed_demo`` (``accounts/demo.py``); the tests map them to their own cast.
"""

from __future__ import annotations

PUBLIC = None
STAFF = "pola.staff"
REVIEWER = "aqmd.reviewer"
ADMIN = "aqmd.admin"
BOARD = "board.member"

# (role, path): pages first, then API lists.
PAGES: list[tuple[str | None, str]] = [
    (PUBLIC, "/"),
    (PUBLIC, "/status/"),
    (PUBLIC, "/agreement/"),
    (PUBLIC, "/milestones/"),
    (PUBLIC, "/penalties/"),
    (PUBLIC, "/penalties/penalties/"),
    (PUBLIC, "/penalties/fund/"),
    (PUBLIC, "/public/plans/"),
    (STAFF, "/"),
    (STAFF, "/milestones/"),
    (STAFF, "/plans/"),
    (STAFF, "/penalties/"),
    (STAFF, "/penalties/milestones/"),
    (STAFF, "/penalties/requests/"),
    (REVIEWER, "/"),
    (REVIEWER, "/milestones/"),
    (REVIEWER, "/plans/"),
    (REVIEWER, "/plans/review/"),
    (REVIEWER, "/penalties/"),
    (REVIEWER, "/penalties/penalties/"),
    (REVIEWER, "/penalties/milestones/"),
    (REVIEWER, "/penalties/requests/"),
    (REVIEWER, "/penalties/fund/"),
    (REVIEWER, "/reports/"),
    (REVIEWER, "/reports/emissions/"),
    (ADMIN, "/"),
    (BOARD, "/"),
]

API_LISTS: list[tuple[str | None, str]] = [
    (PUBLIC, "/api/v1/milestones/"),
    (PUBLIC, "/api/v1/defaults/"),
    (PUBLIC, "/api/v1/penalties/"),
    (PUBLIC, "/api/v1/fund/entries/"),
    (STAFF, "/api/v1/milestones/"),
    (STAFF, "/api/v1/plans/"),
    (REVIEWER, "/api/v1/milestones/"),
    (REVIEWER, "/api/v1/defaults/"),
    (REVIEWER, "/api/v1/penalties/"),
    (REVIEWER, "/api/v1/plans/"),
    (REVIEWER, "/api/v1/plan-review-queue/"),
    (REVIEWER, "/api/v1/audit-events/"),
    (REVIEWER, "/api/v1/extension-requests/"),
    (REVIEWER, "/api/v1/report-runs/"),
    (REVIEWER, "/api/v1/emissions-inventories/"),
]
