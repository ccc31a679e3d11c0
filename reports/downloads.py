"""A report run's PDF as a download, served the same way by the page and the API.

Callers check first that the user may download the run
(:func:`reports.selectors.report_run_downloadable`).
"""

from __future__ import annotations

from django.http import FileResponse

from .models import ReportRun


def report_run_file_response(run: ReportRun) -> FileResponse:
    scope = run.party.code if run.party is not None else "POLA-POLB"
    response = FileResponse(
        run.pdf.open("rb"),
        as_attachment=True,
        filename=f"annual-report-{run.year}-{scope}-v{run.version}.pdf",
        content_type="application/pdf",
    )
    response["X-Content-SHA256"] = run.sha256
    return response
