from django.urls import path, re_path

from . import views

urlpatterns = [
    path("status/", views.public_status, name="public-status"),
    path("agreement/", views.terms, name="agreement-terms"),
    path("milestones/", views.milestone_list, name="milestone-list"),
    re_path(
        r"^milestones/export\.(?P<fmt>csv|xlsx)$", views.milestone_export, name="milestone-export"
    ),
]
