"""Public input pages: plans for everyone (no login), comments, and AQMD's moderation queue.

Views parse input, call one service, and render.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import policy
from core.errors import Forbidden, ServiceError
from core.forms import add_service_error
from core.page_cache import cached_page
from core.uploads import document_response
from core.views import page_of, require_page

from . import public_selectors as selectors
from . import public_services as services
from .models import PlanVersion, PublicCommentStatus
from .public_forms import ModerationForm, PublicCommentForm

# --- the public ----------------------------------------------------------------------------


@require_GET
@cached_page
def plan_list(request: HttpRequest) -> HttpResponse:
    return render(request, "plans/public_plan_list.html", {"phases": selectors.public_plan_list()})


def _version_page(
    request: HttpRequest,
    version: PlanVersion,
    *,
    form: PublicCommentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    selectors.with_public_content(version)
    return render(
        request,
        "plans/public_version.html",
        {
            "version": version,
            "plan": version.plan,
            "standing": selectors.public_line_for(version),
            "form": form or PublicCommentForm(),
            "can_see_all_comments": policy.can(
                request.user, policy.Action.PUBLIC_COMMENT_VIEW_ALL, version
            ),
        },
        status=status,
    )


@require_GET
@cached_page
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    version = selectors.public_version_for(user=request.user, pk=pk)
    return _version_page(request, version)


@require_POST
def comment_submit(request: HttpRequest, pk: int) -> HttpResponse:
    version = selectors.public_version_for(user=request.user, pk=pk)
    form = PublicCommentForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.public_comment_submit(
                version=version,
                text=data["text"],
                name=data["name"],
                community=data["community"],
                email=data["email"],
                actor=request.user,
            )
        except Forbidden as exc:
            raise Http404 from exc
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Thank you. Your comment was received; it will appear here once AQMD has "
                    "reviewed it."
                ),
            )
            # To the top of the page, where the message is (not the form's fragment).
            return redirect(reverse("public-plans:version", args=[version.pk]) + "#main")
    return _version_page(request, version, form=form, status=400)


@require_GET
def document_download(request: HttpRequest, pk: int) -> FileResponse:
    attached = selectors.public_document_for(user=request.user, pk=pk)
    return document_response(attached.document)


# --- port staff and AQMD -------------------------------------------------------------------


@login_required
@require_GET
def version_comments(request: HttpRequest, pk: int) -> HttpResponse:
    """Every public comment on a version, pending ones included (its port and AQMD)."""
    require_page(request.user, policy.Action.PUBLIC_COMMENT_VIEW_ALL)
    version = selectors.public_version_for(user=request.user, pk=pk)
    comments = selectors.all_comments_for(user=request.user, version=version)
    return render(
        request,
        "plans/public_version_comments.html",
        {
            "version": version,
            "plan": version.plan,
            "comments": comments,
            "can_moderate": policy.can(request.user, policy.Action.PUBLIC_COMMENT_MODERATE),
        },
    )


def _queue_page(
    request: HttpRequest, *, failed: ModerationForm | None = None, failed_pk: int | None = None
) -> HttpResponse:
    page = page_of(request, selectors.moderation_queue(), 25)
    rows = [
        (c, failed if c.pk == failed_pk and failed else ModerationForm(prefix=f"c{c.pk}"))
        for c in page
    ]
    return render(
        request,
        "plans/public_moderation_queue.html",
        {"page": page, "rows": rows},
        status=400 if failed else 200,
    )


@login_required
@require_GET
def moderation_queue(request: HttpRequest) -> HttpResponse:
    require_page(request.user, policy.Action.PUBLIC_COMMENT_MODERATE)
    return _queue_page(request)


@login_required
@require_POST
def comment_moderate(request: HttpRequest, pk: int) -> HttpResponse:
    require_page(request.user, policy.Action.PUBLIC_COMMENT_MODERATE)
    comment = selectors.comment_for_moderation(user=request.user, pk=pk)
    form = ModerationForm(request.POST, prefix=f"c{comment.pk}")
    if form.is_valid():
        try:
            done = services.public_comment_moderate(
                comment=comment,
                publish=form.cleaned_data["decision"] == "publish",
                note=form.cleaned_data["note"],
                actor=request.user,
            )
        except Forbidden as exc:
            raise PermissionDenied(str(exc)) from exc
        except ServiceError as exc:
            if not exc.fields:  # e.g. already moderated by someone else: not in the queue
                messages.error(request, str(exc))
                return redirect("public-plans:moderation")
            add_service_error(form, exc)
        else:
            if done.status == PublicCommentStatus.PUBLISHED:
                messages.success(request, _("The comment is published."))
            else:
                messages.success(request, _("The comment will not be published."))
            return redirect("public-plans:moderation")
    return _queue_page(request, failed=form, failed_pk=comment.pk)
