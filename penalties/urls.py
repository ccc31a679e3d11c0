from django.urls import URLPattern, URLResolver, path, re_path

from . import views

app_name = "penalties"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.defaults_list, name="defaults"),
    re_path(r"^defaults/export\.(?P<fmt>csv|xlsx)$", views.defaults_export, name="defaults-export"),
    path("penalties/", views.penalties_list, name="penalties"),
    re_path(
        r"^penalties/export\.(?P<fmt>csv|xlsx)$", views.penalties_export, name="penalties-export"
    ),
    path("penalty/<int:pk>/", views.penalty_detail, name="penalty"),
    path("milestones/", views.milestones, name="milestones"),
    path("milestones/<int:pk>/extension/", views.extension_new, name="extension-new"),
    path("milestones/<int:pk>/flexibility/", views.flexibility_new, name="flexibility-new"),
    path("requests/", views.requests_list, name="requests"),
    path("extensions/<int:pk>/", views.extension_detail, name="extension"),
    path("flexibility/<int:pk>/", views.flexibility_detail, name="flexibility"),
    path(
        "extensions/<int:pk>/documents/<int:document_pk>/",
        views.request_document,
        {"kind": "extension"},
        name="extension-document",
    ),
    path(
        "flexibility/<int:pk>/documents/<int:document_pk>/",
        views.request_document,
        {"kind": "flexibility"},
        name="flexibility-document",
    ),
    path("fund/", views.fund, name="fund"),
    re_path(r"^fund/export\.(?P<fmt>csv|xlsx)$", views.fund_export, name="fund-export"),
]
