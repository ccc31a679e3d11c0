"""Public input, mounted at /public/plans/: public pages, comments and their moderation."""

from django.urls import URLPattern, URLResolver, path

from . import public_views as views

app_name = "public-plans"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.plan_list, name="list"),
    path("versions/<int:pk>/", views.version_detail, name="version"),
    path("versions/<int:pk>/comment/", views.comment_submit, name="comment"),
    path("documents/<int:pk>/", views.document_download, name="document"),
    # Signed in: the port's staff and AQMD.
    path("versions/<int:pk>/all-comments/", views.version_comments, name="all-comments"),
    path("moderation/", views.moderation_queue, name="moderation"),
    path("comments/<int:pk>/moderate/", views.comment_moderate, name="moderate"),
]
