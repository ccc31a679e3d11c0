from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementConfig(AppConfig):
    name = "agreement"
    verbose_name = _("The Cooperative Agreement")

    def ready(self) -> None:
        from . import holds, withdrawal

        # From a withdrawal's effective date the agreement has ended: no new defaults.
        holds.register("agreement.ended_by_withdrawal", withdrawal.ended_before_due)
