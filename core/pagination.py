"""Keyset (cursor) pages for the API's tables that only grow (the audit trail).

In ``core`` so that the foundation apps (``audit``) use it without importing the ``api`` app.
"""

from __future__ import annotations

from typing import Any

from rest_framework.pagination import CursorPagination


class KeysetPagination(CursorPagination):
    """Keyset (cursor) pages for tables that only grow, like the audit trail:
    ``?cursor=...`` from ``next``/``previous``, ``?page_size=`` up to 500.  Each page is an
    indexed range scan from where the last one ended, not an OFFSET past every row before
    it, and no COUNT of the table.

    The order is ``?ordering=`` when it names one of ``ORDERINGS`` (``at``, ``-at``, ``id``,
    ``-id``), else newest first; ties are broken by the id.
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = ("-at", "-id")
    ORDERINGS = {
        "at": ("at", "id"),
        "-at": ("-at", "-id"),
        "id": ("id",),
        "-id": ("-id",),
    }

    def get_ordering(self, request: Any, queryset: Any, view: Any) -> tuple[str, ...]:
        chosen = (request.query_params.get("ordering") or "").split(",")[0].strip()
        return self.ORDERINGS.get(chosen, self.ordering)
