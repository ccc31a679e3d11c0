"""Tell AQMD administrators that the audit chain is broken.

One small function so the sending can later go through the project's outbox; for now it is
Django's ``send_mail`` to every active AQMD administrator (and superuser) with an email.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import Role, User

from .chain import Verification

logger = logging.getLogger(__name__)


def administrators_to_alert() -> list[str]:
    return sorted(
        User.objects.filter(Q(role=Role.AQMD_ADMIN) | Q(is_superuser=True), is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )


def alert_chain_broken(result: Verification) -> int:
    """Mail the break to the administrators; returns how many were told."""
    recipients = administrators_to_alert()
    logger.error("Audit log chain broken: %s", result.broken)
    if not recipients:
        logger.error("No AQMD administrator with an email to alert about the audit chain.")
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Audit log integrity check FAILED")
        body = _(
            "The daily check of the compliance tracker's audit log found a break in its hash "
            "chain at %(where)s.\n\n"
            "%(checked)s events before it verified. An event was changed, deleted or inserted "
            "outside the application (the database refuses this unless its trigger is "
            "disabled). Investigate before relying on the audit trail; run\n"
            "    python manage.py verify_audit_log\n"
            "to see the current state.\n"
        ) % {"where": result.broken, "checked": result.checked}
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    return len(recipients)
