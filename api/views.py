"""Building blocks for resource views.

Each view is one operation and names its ``policy_action`` (asked by
:class:`api.permissions.PolicyPermission`); lists get filtering, ordering and pagination
from ``REST_FRAMEWORK`` in the settings.
"""

from __future__ import annotations

from typing import Any

from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.views import APIView


class DownloadView(APIView):
    """A view that answers with a file (an :class:`~django.http.HttpResponse`).

    Errors still answer in JSON, whatever ``Accept`` said: the file is not a rendering of
    data, so content negotiation has nothing to choose.
    """

    def perform_content_negotiation(
        self, request: Request, force: bool = False
    ) -> tuple[BaseRenderer, str]:
        renderer = JSONRenderer()
        return renderer, renderer.media_type

    def get_renderers(self) -> list[Any]:
        return [JSONRenderer()]
