from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PenaltiesConfig(AppConfig):
    name = "penalties"
    verbose_name = _("Defaults, penalties and the mitigation fund")

    def ready(self) -> None:
        from agreement import holds
        from audit.models import AuditEvent
        from core import visibility

        from . import milestone_requests, notices, selectors  # noqa: F401  (registers the notice hook)

        holds.register("penalties.requests_filed_in_time", milestone_requests.pending_in_time)
        visibility.register(
            AuditEvent, "penalties.undetermined_defaults", selectors.without_undetermined_defaults
        )
