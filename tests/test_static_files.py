"""Under gunicorn (DEBUG off) the application serves its collected static files itself."""

from django.core.management import call_command
from django.test import Client


def test_collected_static_files_are_served_without_debug(settings, tmp_path, db):
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path
    call_command("collectstatic", interactive=False, verbosity=0)
    response = Client().get("/static/css/site.css")
    assert response.status_code == 200
    assert b"--brand" in response.getvalue()
