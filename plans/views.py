"""Pages of the plans workflow.  Views parse input, call one service, and render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms import BaseForm
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import policy
from agreement.models import Phase
from core.errors import Forbidden, ServiceError
from core.forms import add_service_error, form_errors
from core.page_cache import cached_page
from core.uploads import document_response
from core.views import button_action, form_action, paged, require_page

from . import selectors, services
from .diff import version_diff
from .forms import (
    CommentForm,
    DecisionForm,
    DocumentForm,
    ProjectForm,
    ProjectMilestoneForm,
    QueueFilterForm,
    TargetForm,
    VersionForm,
)
from .glance import version_at_a_glance
from .models import InfrastructureProject, PlanningTarget, PlanVersion, ProjectMilestone

# --- lists ---------------------------------------------------------------------------------


@login_required
@require_GET
@cached_page
def plan_list(request: HttpRequest) -> HttpResponse:
    require_page(request.user, policy.Action.PLAN_VIEW)
    return render(
        request,
        "plans/plan_list.html",
        {
            "rows": selectors.plans_owed(user=request.user),
            "can_start": policy.can(request.user, policy.Action.PLAN_EDIT),
        },
    )


@login_required
@require_GET
@cached_page
def review_queue(request: HttpRequest) -> HttpResponse:
    require_page(request.user, policy.Action.PLAN_REVIEW)
    form = QueueFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "party_id": data["port"].pk if data["port"] else None,
            "phase_id": data["phase"].pk if data["phase"] else None,
            "status": data["status"] or None,
        }
    return render(
        request,
        "plans/review_queue.html",
        {"form": form, **paged(request, selectors.review_queue(**filters), 25)},
    )


# --- a plan --------------------------------------------------------------------------------


@login_required
@require_POST
def plan_start(request: HttpRequest, phase_pk: int) -> HttpResponse:
    phase = get_object_or_404(Phase, pk=phase_pk)
    party = request.user.party  # type: ignore[union-attr]
    if party is None:
        raise PermissionDenied
    try:
        plan, _created = services.plan_start(party=party, phase=phase, actor=request.user)
    except Forbidden as exc:
        raise PermissionDenied(str(exc)) from exc
    latest = plan.versions.order_by("-number").first()
    if latest is not None and latest.is_editable:
        return redirect("plans:version-edit", latest.pk)
    return redirect("plans:plan", plan.pk)


@login_required
@require_GET
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_for(user=request.user, pk=pk)
    page = selectors.plan_page(user=request.user, plan=plan)
    return render(
        request,
        "plans/plan_detail.html",
        {
            "page": page,
            "plan": plan,
            "can_edit": policy.can(request.user, policy.Action.PLAN_EDIT, plan),
            "progress": selectors.target_progress_for(request.user, plan=plan),
            "may_report_actual": policy.can(request.user, policy.Action.TARGET_ACTUAL_REPORT, plan),
        },
    )


@login_required
@require_POST
def plan_revise(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_for(user=request.user, pk=pk)
    try:
        version, _created = services.plan_revise(plan=plan, actor=request.user)
    except Forbidden as exc:
        raise PermissionDenied(str(exc)) from exc
    except ServiceError as exc:
        messages.error(request, str(exc))
        return redirect("plans:plan", plan.pk)
    messages.success(request, _("Version %(n)s is a new draft.") % {"n": version.number})
    return redirect("plans:version-edit", version.pk)


# --- a version -----------------------------------------------------------------------------


def _version_page(
    request: HttpRequest,
    version: PlanVersion,
    *,
    comment_form: CommentForm | None = None,
    decision_form: DecisionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    selectors.with_content(version)
    previous = selectors.last_decided_before(version)
    diff = None
    if previous is not None:
        selectors.with_content(previous)
        diff = version_diff(previous, version)
    can_review = policy.can(user, policy.Action.PLAN_REVIEW, version)
    decision = selectors.decision_of(version)
    decision_form = decision_form or DecisionForm()
    context = {
        "version": version,
        "plan": version.plan,
        "glance": version_at_a_glance(user=user, version=version, decided=decision is not None),
        "decision_errors": form_errors(decision_form),
        "decision": decision,
        "previous": previous,
        "diff": diff,
        "can_edit": policy.can(user, policy.Action.PLAN_EDIT, version),
        "can_comment": policy.can(user, policy.Action.PLAN_COMMENT, version)
        and version.visible_beyond_port,
        "can_review": can_review,
        "comment_form": comment_form or CommentForm(version=version),
        "decision_form": decision_form,
    }
    return render(request, "plans/version_detail.html", context, status=status)


@login_required
@require_GET
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    version = selectors.version_for(user=request.user, pk=pk)
    return _version_page(request, version)


@login_required
@require_POST
def version_submit(request: HttpRequest, pk: int) -> HttpResponse:
    version = selectors.version_for(user=request.user, pk=pk)
    ok = button_action(
        request,
        lambda: services.version_submit(version=version, actor=request.user),
        _("Version %(n)s was submitted to AQMD. It is now frozen.") % {"n": version.number},
    )
    return redirect("plans:version" if ok else "plans:version-edit", version.pk)


@login_required
@require_POST
def version_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    version = selectors.version_for(user=request.user, pk=pk)
    button_action(
        request,
        lambda: services.version_withdraw(version=version, actor=request.user),
        _("Version %(n)s was withdrawn.") % {"n": version.number},
    )
    return redirect("plans:version", version.pk)


@login_required
@require_POST
def version_start_review(request: HttpRequest, pk: int) -> HttpResponse:
    version = selectors.version_for(user=request.user, pk=pk)
    button_action(
        request,
        lambda: services.version_start_review(version=version, actor=request.user),
        _("You are reviewing version %(n)s.") % {"n": version.number},
    )
    return redirect("plans:version", version.pk)


def _comments_block(
    request: HttpRequest, version: PlanVersion, form: CommentForm, status_message: str = ""
) -> HttpResponse:
    """The comments block alone, for htmx (saves reloading the whole version page)."""
    selectors.with_content(version)
    context = {
        "version": version,
        "can_comment": True,
        "comment_form": form,
        "status_message": status_message,
    }
    return render(request, "plans/_comments.html", context)


@login_required
@require_POST
def version_comment(request: HttpRequest, pk: int) -> HttpResponse:
    version = selectors.version_for(user=request.user, pk=pk)
    form = CommentForm(request.POST, version=version)
    if form.is_valid():
        try:
            services.comment_add(
                version=version,
                body=form.cleaned_data["body"],
                project=form.cleaned_data["project"],
                actor=request.user,
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            done = _("Your comment was added.")
            if request.htmx:  # type: ignore[attr-defined]
                return _comments_block(request, version, CommentForm(version=version), done)
            messages.success(request, done)
            return redirect("plans:version", version.pk)
    if request.htmx:  # type: ignore[attr-defined]
        # htmx swaps 2xx responses only: the errors come back with 200.
        return _comments_block(request, version, form, _("Your comment was not added."))
    return _version_page(request, version, comment_form=form, status=400)


@login_required
@require_POST
def version_decide(request: HttpRequest, pk: int) -> HttpResponse:
    version = selectors.version_for(user=request.user, pk=pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.version_decide(
                version=version,
                decision=form.cleaned_data["decision"],
                reasons=form.cleaned_data["reasons"],
                confirm_past_due=form.cleaned_data["confirm_past_due"],
                actor=request.user,
            )
        except ServiceError as exc:
            add_service_error(form, exc)
            version.refresh_from_db()
            status = 409 if exc.code == "conflict" else 400
            return _version_page(request, version, decision_form=form, status=status)
        messages.success(request, _("Your decision was recorded."))
        return redirect("plans:version", version.pk)
    return _version_page(request, version, decision_form=form, status=400)


@login_required
@require_GET
def document_download(request: HttpRequest, pk: int) -> FileResponse:
    attached = selectors.document_for(user=request.user, pk=pk)
    return document_response(attached.document)


# --- the draft editor ----------------------------------------------------------------------


def _editable_version(request: HttpRequest, pk: int) -> PlanVersion:
    version = selectors.version_for(user=request.user, pk=pk)
    require_page(request.user, policy.Action.PLAN_EDIT, version)
    return version


def _editor(request: HttpRequest, version: PlanVersion, status: int = 200, **forms: Any) -> Any:
    if not version.is_editable:
        messages.info(
            request,
            _("Version %(n)s was submitted and is frozen.") % {"n": version.number},
        )
        return redirect("plans:version", version.pk)
    selectors.with_content(version)
    phase = version.plan.phase
    bound_milestone = forms.pop("milestone_form", None)
    bound_for = forms.pop("milestone_project", None)
    projects = []
    for project in version.projects.all():
        if bound_milestone is not None and bound_for == project.pk:
            form = bound_milestone
        else:
            form = ProjectMilestoneForm(prefix=f"m{project.pk}")
        projects.append((project, form))
    problem = next(
        (
            (anchor, form)
            for anchor, form in (
                ("about-heading", forms.get("version_form")),
                ("add-target-heading", forms.get("target_form")),
                ("add-project-heading", forms.get("project_form")),
                ("upload-heading", forms.get("document_form")),
                (f"project-{bound_for}", bound_milestone),
            )
            if form is not None and form.errors
        ),
        None,
    )
    if problem is not None:
        _autofocus_first_error(problem[1])
    context = {
        "error_anchor": problem[0] if problem else "",
        # The editor's sections fold; the one whose form has errors opens.
        "open_project": bound_for
        if bound_milestone is not None and bound_milestone.errors
        else None,
        "version": version,
        "plan": version.plan,
        "projects": projects,
        "version_form": forms.get("version_form") or VersionForm(instance=version),
        "target_form": forms.get("target_form") or TargetForm(phase=phase, prefix="t"),
        "project_form": forms.get("project_form") or ProjectForm(phase=phase, prefix="p"),
        "document_form": forms.get("document_form") or DocumentForm(),
    }
    return render(request, "plans/version_edit.html", context, status=status)


def _autofocus_first_error(form: BaseForm) -> None:
    """Without JavaScript, put the keyboard focus on the first field with an error."""
    for name in form.fields:
        if name in form.errors:
            form.fields[name].widget.attrs["autofocus"] = True
            return


def _draft_change(
    request: HttpRequest,
    version: PlanVersion,
    section: str,
    form: BaseForm,
    *,
    action: Callable[[dict[str, Any]], Any],
    success: str,
    **editor: Any,
) -> HttpResponse:
    """One section of the draft editor posted (``section`` names its form in the editor):
    the form's data go to the service, then back to the editor, or the editor again with
    the form's errors."""
    done = form_action(
        request, form, action, success=success, then=redirect("plans:version-edit", version.pk)
    )
    return done or _editor(request, version, status=400, **{section: form}, **editor)


@login_required
def version_edit(request: HttpRequest, pk: int) -> HttpResponse:
    version = _editable_version(request, pk)
    if request.method != "POST":
        return _editor(request, version)
    return _draft_change(
        request,
        version,
        "version_form",
        VersionForm(request.POST, instance=PlanVersion(plan=version.plan)),
        action=lambda data: services.version_update(version=version, actor=request.user, **data),
        success=_("Saved."),
    )


@login_required
@require_POST
def target_add(request: HttpRequest, pk: int) -> HttpResponse:
    version = _editable_version(request, pk)
    return _draft_change(
        request,
        version,
        "target_form",
        TargetForm(request.POST, phase=version.plan.phase, prefix="t"),
        action=lambda data: services.target_add(version=version, data=data, actor=request.user),
        success=_("Planning target added."),
    )


@login_required
@require_POST
def project_add(request: HttpRequest, pk: int) -> HttpResponse:
    version = _editable_version(request, pk)
    return _draft_change(
        request,
        version,
        "project_form",
        ProjectForm(request.POST, phase=version.plan.phase, prefix="p"),
        action=lambda data: services.project_add(version=version, data=data, actor=request.user),
        success=_("Project added."),
    )


@login_required
@require_POST
def project_milestone_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(InfrastructureProject.objects.select_related("version"), pk=pk)
    version = _editable_version(request, project.version_id)
    return _draft_change(
        request,
        version,
        "milestone_form",
        ProjectMilestoneForm(request.POST, prefix=f"m{project.pk}"),
        milestone_project=project.pk,
        action=lambda data: services.project_milestone_add(
            project=project, data=data, actor=request.user
        ),
        success=_("Milestone added to %(name)s.") % {"name": project.name},
    )


@login_required
@require_POST
def document_add(request: HttpRequest, pk: int) -> HttpResponse:
    version = _editable_version(request, pk)
    return _draft_change(
        request,
        version,
        "document_form",
        DocumentForm(request.POST, request.FILES),
        action=lambda data: services.version_document_add(
            version=version, upload=data["file"], actor=request.user
        ),
        success=_("Document uploaded."),
    )


def _item_edit(
    request: HttpRequest,
    *,
    instance: PlanningTarget | InfrastructureProject,
    form_class: type[TargetForm] | type[ProjectForm],
    update: Callable[..., Any],
    title: str,
) -> HttpResponse:
    version = _editable_version(request, instance.version_id)
    if not version.is_editable:
        return redirect("plans:version", version.pk)
    phase = version.plan.phase
    if request.method == "POST":
        form = form_class(request.POST, instance=type(instance)(), phase=phase)
        done = form_action(
            request,
            form,
            lambda data: update(instance, data),
            success=_("Saved."),
            then=redirect("plans:version-edit", version.pk),
        )
        if done is not None:
            return done
        status = 400
    else:
        form = form_class(instance=instance, phase=phase)
        status = 200
    return render(
        request,
        "plans/item_edit.html",
        {"form": form, "version": version, "plan": version.plan, "title": title},
        status=status,
    )


@login_required
def target_edit(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(PlanningTarget.objects.select_related("category"), pk=pk)
    return _item_edit(
        request,
        instance=target,
        form_class=TargetForm,
        update=lambda obj, data: services.target_update(target=obj, data=data, actor=request.user),
        title=_("Edit planning target"),
    )


@login_required
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(InfrastructureProject, pk=pk)
    return _item_edit(
        request,
        instance=project,
        form_class=ProjectForm,
        update=lambda obj, data: services.project_update(
            project=obj, data=data, actor=request.user
        ),
        title=_("Edit project"),
    )


@login_required
@require_POST
def item_remove(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Remove a target, project, project milestone or document from a draft."""
    if kind == "target":
        target = get_object_or_404(PlanningTarget, pk=pk)
        version_pk = target.version_id
        action: Callable[[], Any] = lambda: services.target_remove(  # noqa: E731
            target=target, actor=request.user
        )
    elif kind == "project":
        project = get_object_or_404(InfrastructureProject, pk=pk)
        version_pk = project.version_id
        action = lambda: services.project_remove(project=project, actor=request.user)  # noqa: E731
    elif kind == "milestone":
        milestone = get_object_or_404(ProjectMilestone.objects.select_related("project"), pk=pk)
        version_pk = milestone.project.version_id
        action = lambda: services.project_milestone_remove(  # noqa: E731
            milestone=milestone, actor=request.user
        )
    elif kind == "document":
        attached = selectors.document_for(user=request.user, pk=pk)
        version_pk = attached.version_id
        action = lambda: services.version_document_remove(  # noqa: E731
            attached=attached, actor=request.user
        )
    else:
        raise Http404
    _editable_version(request, version_pk)
    button_action(request, action, _("Removed."))
    return redirect("plans:version-edit", version_pk)
