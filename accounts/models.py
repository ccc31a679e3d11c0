from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import port_fk


class Role(models.TextChoices):
    PORT_STAFF = "port_staff", _("Port staff")
    AQMD_REVIEWER = "aqmd_reviewer", _("AQMD reviewer")
    AQMD_ADMIN = "aqmd_admin", _("AQMD administrator")
    BOARD_MEMBER = "board_member", _("Board member")
    NONE = "", _("No role yet")


class User(AbstractUser):
    """A person who signs in.  Port staff are bound to exactly one port."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    party = port_fk(
        "staff", optional=True, help_text=_("Required for port staff, empty for everyone else.")
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                name="port_staff_has_port_others_none",
                condition=(Q(role=Role.PORT_STAFF) & Q(party__isnull=False))
                | (~Q(role=Role.PORT_STAFF) & Q(party__isnull=True)),
            )
        ]

    @property
    def display_name(self) -> str:
        """How the person is shown on every page: the full name, else the user name."""
        return self.get_full_name() or self.get_username()

    @property
    def effective_role(self) -> str:
        """The role the policy applies: a superuser counts as an AQMD administrator."""
        if self.is_superuser:
            return Role.AQMD_ADMIN
        return self.role

    @property
    def is_port_staff(self) -> bool:
        return self.effective_role == Role.PORT_STAFF

    @property
    def is_aqmd(self) -> bool:
        return self.effective_role in (Role.AQMD_REVIEWER, Role.AQMD_ADMIN)
