"""Everything the ``api`` app serves, mounted by one line in ``config/urls.py``.

- ``/api/v1/``: the resources; each app lists its operations in its ``api.py``
  (``urlpatterns``) and is included below, all under the ``api`` namespace.
- ``/api/schema/`` (OpenAPI 3) and ``/api/docs/`` (Swagger UI, assets served locally).
- ``/accounts/tokens/``: the user's API tokens and calendar address.
- ``/calendar/<secret>.ics``: the private deadline feed.
"""

from __future__ import annotations

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import URLPattern, URLResolver, include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import calendar, errors, pages

v1: list[URLPattern | URLResolver] = [
    path("", include("agreement.api")),
    path("", include("penalties.api")),
    path("", include("audit.api")),
    path("", include("reports.api")),
    path("", include("plans.api")),
    path("", include("cost_recovery.api")),
]

urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v1/", include((v1, "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI's script is a file (the split view), but it sets inline styles: allowed on
    # this page only; scripts stay 'self' everywhere.
    path(
        "api/docs/",
        csp_update({"style-src": [UNSAFE_INLINE]})(
            SpectacularSwaggerSplitView.as_view(url_name="api-schema")
        ),
        name="api-docs",
    ),
    path("accounts/tokens/", pages.tokens, name="api-tokens"),
    path("accounts/tokens/new/", pages.token_create, name="api-token-create"),
    path("accounts/tokens/<int:pk>/revoke/", pages.token_revoke, name="api-token-revoke"),
    path(
        "accounts/calendar/regenerate/",
        pages.calendar_feed_regenerate,
        name="calendar-feed-regenerate",
    ),
    path("calendar/<str:secret>.ics", calendar.calendar_feed, name="calendar-feed"),
    # Any other address under /api/ answers 404 in the API's error shape, not an HTML page.
    re_path(r"^api/", errors.not_found),
]
