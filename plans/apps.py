from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = _("Zero-emission infrastructure plans")

    def ready(self) -> None:
        from agreement import holds
        from audit import visibility

        from . import selectors, workflow  # noqa: F401  (declares the version workflow)

        holds.register("plans.final_plan_under_review", selectors.final_plan_under_review)
        visibility.register("plans.draft_work", selectors.without_draft_work)
