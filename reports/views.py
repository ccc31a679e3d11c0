"""Pages of the reports app: parse the request, call a selector or a service, render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import policy
from accounts.policy import Action
from agreement.models import Party
from core.errors import Forbidden, ServiceError
from core.page_cache import cached_page
from core.views import button_action, form_action, require_page

from . import caap, inventory_services, rendering, selectors, services
from .downloads import report_run_file_response
from .forms import METRIC_FIELDS, GenerateReportForm, ImportForm, InventoryForm, ReviewForm
from .models import EmissionsInventory, ReportRun


def _actor(request: HttpRequest) -> Any:
    return request.user


# --- Report runs --------------------------------------------------------------------------


@require_GET
@cached_page
def report_list(request: HttpRequest) -> HttpResponse:
    runs_by_year = selectors.report_runs_by_year(request.user)
    context = {
        "runs_by_year": runs_by_year,
        "any_in_progress": any(r.is_in_progress for _y, runs in runs_by_year for r in runs),
        "can_generate": policy.can(request.user, Action.REPORT_GENERATE),
        "can_board_status": policy.can(request.user, Action.REPORT_VIEW),
        "generate_form": GenerateReportForm(initial={"year": timezone.localdate().year - 1}),
    }
    return render(request, "reports/report_list.html", context)


def _visible_run(request: HttpRequest, pk: int) -> ReportRun:
    return get_object_or_404(selectors.report_runs_visible_to(request.user), pk=pk)


@require_GET
def report_run_row(request: HttpRequest, pk: int) -> HttpResponse:
    """One row of the list; htmx polls it while the run is queued or rendering."""
    run = _visible_run(request, pk)
    return render(request, "reports/_run_row.html", {"run": run})


@require_POST
def report_generate(request: HttpRequest) -> HttpResponse:
    require_page(request.user, Action.REPORT_GENERATE)
    form = GenerateReportForm(request.POST)
    if form.is_valid():
        try:
            run = services.report_run_request(
                year=form.cleaned_data["year"],
                party=form.cleaned_data["party"],
                actor=_actor(request),
                executive_summary=form.cleaned_data["executive_summary"],
            )
        except ServiceError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("Report %(run)s is queued; this page updates when it is ready.") % {"run": run},
            )
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return redirect("reports:list")


def _run_button(
    request: HttpRequest, pk: int, service: Callable[..., Any], success: str
) -> HttpResponse:
    """A button on a run of the list: the service, then the list with what happened."""
    run = _visible_run(request, pk)
    button_action(request, lambda: service(run=run, actor=_actor(request)), success % {"run": run})
    return redirect("reports:list")


@require_POST
def report_run_retry(request: HttpRequest, pk: int) -> HttpResponse:
    return _run_button(request, pk, services.report_run_retry, _("Report %(run)s is queued again."))


@require_POST
def report_run_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _run_button(request, pk, services.report_run_publish, _("Report %(run)s is published."))


@require_GET
def report_run_download(request: HttpRequest, pk: int) -> FileResponse:
    run = get_object_or_404(ReportRun.objects.select_related("party"), pk=pk)
    if not selectors.report_run_downloadable(request.user, run):
        raise Http404
    return report_run_file_response(run)


@require_GET
def board_status_pdf(request: HttpRequest) -> HttpResponse:
    """The Governing Board status report, rendered on demand (one page per port)."""
    require_page(request.user, Action.REPORT_VIEW)
    scope = policy.port_scope(request.user)
    parties = list(Party.objects.ports().order_by("code"))
    if scope is not None:
        parties = [p for p in parties if p.pk == scope]
    now = timezone.now()
    pdf = rendering.html_to_pdf(
        rendering.board_status_html(parties=parties, now=now, viewer=request.user)
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="board-status-{timezone.localdate(now):%Y-%m-%d}.pdf"'
    )
    return response


# --- Emissions inventories ----------------------------------------------------------------


@require_GET
@cached_page
def emissions_list(request: HttpRequest) -> HttpResponse:
    require_page(request.user, Action.EMISSIONS_VIEW)
    inventories = list(selectors.inventories_visible_to(request.user))
    ports = list(Party.objects.ports())
    accepted = caap.accepted_inventories(parties=ports)
    context = {
        "inventories": inventories,
        "by_category": caap.emissions_by_category(parties=ports, inventories=accepted),
        "caap_progress": caap.caap_progress(parties=ports, inventories=accepted),
        "metrics": [m for _n, m, _l in METRIC_FIELDS],
        "can_edit": policy.can(request.user, Action.EMISSIONS_EDIT),
        "can_review": policy.can(request.user, Action.EMISSIONS_REVIEW),
    }
    return render(request, "reports/emissions_list.html", context)


def _inventory_field(key: str) -> str | None:
    """The form field of a service's field key (``DPM.value`` is the DPM field)."""
    if key in ("year", "source", "precision"):
        return key
    metric = key.split(".")[0]
    name = next((n for n, m, _l in METRIC_FIELDS if m == metric), None)
    return name if name and key.endswith(".value") else None


@require_http_methods(["GET", "POST"])
def emissions_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Enter (or correct) one port's inventory for a year."""
    require_page(request.user, Action.EMISSIONS_EDIT)
    inventory = get_object_or_404(EmissionsInventory, pk=pk) if pk is not None else None
    if inventory is not None:
        require_page(request.user, Action.EMISSIONS_EDIT, inventory)
    user: Any = request.user
    fixed = user.party if user.is_port_staff else None
    if request.method == "POST":
        form = InventoryForm(request.POST, fixed_party=fixed)
        done = form_action(
            request,
            form,
            lambda data: inventory_services.inventory_save(
                party=data["party"],
                year=data["year"],
                figures=form.figure_inputs(),
                actor=_actor(request),
            ),
            success=lambda saved_created: (
                _("Inventory %(inv)s saved: %(status)s.")
                % {"inv": saved_created[0], "status": saved_created[0].get_status_display()}
            ),
            then=redirect("reports:emissions"),
            field_for=_inventory_field,
        )
        if done is not None:
            return done
    else:
        initial: dict[str, Any] = {"party": fixed.pk if fixed else None}
        if inventory is not None:
            figures = {f.metric: f for f in inventory.figures.all()}
            initial.update(party=inventory.party_id, year=inventory.year)
            for name, metric, _label in METRIC_FIELDS:
                fig = figures.get(metric)
                initial[name] = fig.value if fig else None
            first = next(iter(figures.values()), None)
            if first is not None:
                initial.update(source=first.source, precision=first.precision)
                if first.basis == "illustrative":
                    initial["basis"] = "illustrative"
        form = InventoryForm(initial=initial, fixed_party=fixed)
    return render(request, "reports/emissions_form.html", {"form": form, "inventory": inventory})


@require_http_methods(["GET", "POST"])
def emissions_review(request: HttpRequest, pk: int) -> HttpResponse:
    inventory = get_object_or_404(
        selectors.inventories_visible_to(request.user).select_related("party"), pk=pk
    )
    require_page(request.user, Action.EMISSIONS_REVIEW, inventory)
    form = ReviewForm(request.POST or None)
    done = form_action(
        request,
        form,
        lambda data: inventory_services.inventory_review(
            inventory=inventory,
            accept=data["decision"] == "accept",
            note=data["note"],
            actor=_actor(request),
        ),
        success=_("Decision recorded for %(inv)s.") % {"inv": inventory},
        then=redirect("reports:emissions"),
    )
    if done is not None:
        return done
    return render(request, "reports/emissions_review.html", {"form": form, "inventory": inventory})


@require_http_methods(["GET", "POST"])
def emissions_import(request: HttpRequest) -> HttpResponse:
    require_page(request.user, Action.EMISSIONS_EDIT)
    form = ImportForm(request.POST or None, request.FILES or None)
    row_errors: list[inventory_services.RowError] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            form.add_error("file", _("The file is not UTF-8 text."))
        else:
            try:
                result = inventory_services.inventory_import_csv(text=text, actor=_actor(request))
            except inventory_services.ImportRejected as exc:
                row_errors = exc.row_errors
                form.add_error(None, str(exc))
            except Forbidden as exc:
                raise PermissionDenied from exc
            else:
                messages.success(
                    request,
                    _("Imported %(n)s figure(s) into %(i)s inventory(ies).")
                    % {"n": result.figures, "i": len(result.inventories)},
                )
                return redirect("reports:emissions")
    return render(
        request, "reports/emissions_import.html", {"form": form, "row_errors": row_errors}
    )
