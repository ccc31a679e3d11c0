from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = _("Zero-emission infrastructure plans")

    def ready(self) -> None:
        from agreement import holds
        from audit.models import AuditEvent
        from core import visibility

        from . import models, selectors, workflow  # noqa: F401  (workflow: the version table)

        hide_drafts, hide_plans = selectors.without_draft_work, selectors.without_unsubmitted_plans
        holds.register("plans.final_plan_under_review", selectors.final_plan_under_review)
        # AQMD and the board see none of a port's work on a plan it has not submitted yet.
        visibility.register(AuditEvent, "plans.draft_work", lambda rows, _: hide_drafts(rows))
        visibility.register(models.Plan, "plans.unsubmitted", lambda rows, _: hide_plans(rows))
        visibility.register(models.PlanVersion, "plans.drafts", lambda rows, _: rows.submitted())
