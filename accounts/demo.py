"""Demo users for ``make run`` and the browser tests."""

from __future__ import annotations

import os
from dataclasses import dataclass

from django.db import transaction

from agreement.models import Party

from .models import Role, User

DEFAULT_DEMO_PASSWORD = "demo-password"


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    port: str | None
    first_name: str
    last_name: str


DEMO_USERS = [
    DemoUser("pola.staff", Role.PORT_STAFF, "POLA", "Pat", "Planner (Port of Los Angeles)"),
    DemoUser("polb.staff", Role.PORT_STAFF, "POLB", "Lee", "Planner (Port of Long Beach)"),
    DemoUser("aqmd.reviewer", Role.AQMD_REVIEWER, None, "Robin", "Reviewer (AQMD)"),
    DemoUser("aqmd.admin", Role.AQMD_ADMIN, None, "Alex", "Administrator (AQMD)"),
    DemoUser("board.member", Role.BOARD_MEMBER, None, "Blair", "Board member"),
]


def demo_password() -> str:
    return os.environ.get("DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD


@transaction.atomic
def seed_demo_users() -> list[tuple[User, bool]]:
    """Create the demo users that are missing; return (user, created) for each."""
    password = demo_password()
    result = []
    for demo in DEMO_USERS:
        party = Party.objects.get(code=demo.port) if demo.port else None
        user, created = User.objects.get_or_create(
            username=demo.username,
            defaults={
                "role": demo.role,
                "party": party,
                "first_name": demo.first_name,
                "last_name": demo.last_name,
                "email": f"{demo.username}@demo.example",
            },
        )
        if created:
            user.set_password(password)
            user.save(update_fields=["password"])
        result.append((user, created))
    return result
