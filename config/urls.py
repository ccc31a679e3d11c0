from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from core.health import healthz
from core.views import choose_language
from dashboard import views as dashboard_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", dashboard_views.home, name="home"),
    path("healthz/", healthz, name="healthz"),  # readiness: database and broker
    path("", include("agreement.urls")),
    path("accounts/", include("accounts.urls")),
    path("plans/", include("plans.urls")),
    path("public/plans/", include("plans.public_urls")),  # public input, no login
    path("penalties/", include("penalties.urls")),
    path("reports/", include("reports.urls")),
    path("cost-recovery/", include("cost_recovery.urls")),
    path("", include("api.urls")),  # /api/v1/, /api/schema/, /api/docs/, tokens, calendar
    path("i18n/<str:code>/", choose_language, name="choose-language"),
    path("admin/", admin.site.urls),
]

# A dropped database connection answers 503 "try again" (core/errors_views.py).
handler500 = "core.errors_views.server_error"

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
