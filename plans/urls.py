from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "plans"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.plan_list, name="list"),
    path("review/", views.review_queue, name="review-queue"),
    path("start/<int:phase_pk>/", views.plan_start, name="start"),
    path("<int:pk>/", views.plan_detail, name="plan"),
    path("<int:pk>/revise/", views.plan_revise, name="revise"),
    path("versions/<int:pk>/", views.version_detail, name="version"),
    path("versions/<int:pk>/edit/", views.version_edit, name="version-edit"),
    path("versions/<int:pk>/submit/", views.version_submit, name="submit"),
    path("versions/<int:pk>/withdraw/", views.version_withdraw, name="withdraw"),
    path("versions/<int:pk>/review/", views.version_start_review, name="start-review"),
    path("versions/<int:pk>/comment/", views.version_comment, name="comment"),
    path("versions/<int:pk>/decide/", views.version_decide, name="decide"),
    path("versions/<int:pk>/targets/", views.target_add, name="target-add"),
    path("versions/<int:pk>/projects/", views.project_add, name="project-add"),
    path("versions/<int:pk>/documents/", views.document_add, name="document-add"),
    path("projects/<int:pk>/milestones/", views.project_milestone_add, name="milestone-add"),
    path("targets/<int:pk>/edit/", views.target_edit, name="target-edit"),
    path("projects/<int:pk>/edit/", views.project_edit, name="project-edit"),
    path("<str:kind>/<int:pk>/remove/", views.item_remove, name="remove"),
    path("documents/<int:pk>/", views.document_download, name="document"),
]
