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

        holds.register("plans.final_plan_under_review", selectors.final_plan_under_review)
        visibility.register(AuditEvent, "plans.draft_work", selectors.without_draft_work)
        visibility.register(models.Plan, "plans.unsubmitted", selectors.without_unsubmitted_plans)
        visibility.register(
            models.PlanVersion, "plans.drafts", models.PlanVersionQuerySet.submitted
        )
