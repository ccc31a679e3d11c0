from django.urls import path

from core.urls import export_path

from . import views

urlpatterns = [
    path("status/", views.public_status, name="public-status"),
    path("agreement/", views.terms, name="agreement-terms"),
    path("agreement/amendments/<int:pk>/", views.amendment_detail, name="agreement-amendment"),
    path("agreement/withdrawal/", views.withdrawal_notices, name="withdrawal-notices"),
    path(
        "agreement/withdrawal/<int:pk>/rescind/",
        views.withdrawal_notice_rescind,
        name="withdrawal-notice-rescind",
    ),
    path(
        "agreement/withdrawal/<int:pk>/notice.pdf",
        views.withdrawal_notice_document,
        name="withdrawal-notice-document",
    ),
    path("milestones/", views.milestone_list, name="milestone-list"),
    export_path("milestones", views.milestone_export, name="milestone-export"),
]
