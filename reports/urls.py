from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "reports"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.report_list, name="list"),
    path("generate/", views.report_generate, name="generate"),
    path("runs/<int:pk>/row/", views.report_run_row, name="run-row"),
    path("runs/<int:pk>/download/", views.report_run_download, name="run-download"),
    path("runs/<int:pk>/publish/", views.report_run_publish, name="run-publish"),
    path("runs/<int:pk>/retry/", views.report_run_retry, name="run-retry"),
    path("board-status.pdf", views.board_status_pdf, name="board-status"),
    path("emissions/", views.emissions_list, name="emissions"),
    path("emissions/new/", views.emissions_edit, name="emissions-new"),
    path("emissions/<int:pk>/edit/", views.emissions_edit, name="emissions-edit"),
    path("emissions/<int:pk>/review/", views.emissions_review, name="emissions-review"),
    path("emissions/import/", views.emissions_import, name="emissions-import"),
]
