from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CostRecoveryConfig(AppConfig):
    name = "cost_recovery"
    verbose_name = _("Cost recovery")
