"""Page-numbered lists: ``?page=2&page_size=100`` (at most 500 rows a page)."""

from __future__ import annotations

from rest_framework.pagination import PageNumberPagination

from core.pagination import KeysetPagination

__all__ = ["KeysetPagination", "PagePagination"]


class PagePagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500
