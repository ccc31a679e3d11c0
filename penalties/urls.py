from django.urls import URLPattern, URLResolver, path

from core.urls import export_path

from . import views

app_name = "penalties"

# Each kind of request on a milestone has the same four pages: file, list (shared), detail,
# documents; ``kind`` says which (see ``penalties/milestone_requests.py``).
REQUEST_PATHS = {
    "extension": "extensions",
    "flexibility": "flexibility",
    "completion": "completions",
    "target_actual": "target-actuals",
}
# What each kind is filed on: a milestone, or (target actuals) a planning target.
SUBJECT_PATHS = {"target_actual": "targets"}

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.defaults_list, name="defaults"),
    export_path("defaults", views.defaults_export, name="defaults-export"),
    path("defaults/<int:pk>/", views.default_detail, name="default"),
    path("penalties/", views.penalties_list, name="penalties"),
    export_path("penalties", views.penalties_export, name="penalties-export"),
    path("penalty/<int:pk>/", views.penalty_detail, name="penalty"),
    path("milestones/", views.milestones, name="milestones"),
    path("requests/", views.requests_list, name="requests"),
    path("fund/", views.fund, name="fund"),
    export_path("fund", views.fund_export, name="fund-export"),
]
for kind, prefix in REQUEST_PATHS.items():
    urlpatterns += [
        path(
            f"{SUBJECT_PATHS.get(kind, 'milestones')}/<int:pk>/{kind}/",
            views.request_new,
            {"kind": kind},
            name=f"{kind}-new",
        ),
        path(f"{prefix}/<int:pk>/", views.request_detail, {"kind": kind}, name=kind),
        path(
            f"{prefix}/<int:pk>/documents/<int:document_pk>/",
            views.request_document,
            {"kind": kind},
            name=f"{kind}-document",
        ),
    ]
