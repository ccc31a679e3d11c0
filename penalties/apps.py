from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PenaltiesConfig(AppConfig):
    name = "penalties"
    verbose_name = _("Defaults, penalties and the mitigation fund")

    def ready(self) -> None:
        from agreement import holds

        from . import milestone_requests, notices  # noqa: F401  (registers the notice hook)

        holds.register("penalties.requests_filed_in_time", milestone_requests.pending_in_time)
