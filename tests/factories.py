"""Shared factories.  Agreement rows come from the real seed (see conftest)."""

from __future__ import annotations

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from accounts.models import Role, User
from agreement.models import Milestone, MilestoneKind, Party


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")
    role = Role.AQMD_REVIEWER

    @factory.post_generation
    def password(obj: User, create: bool, extracted: str | None, **kwargs: object) -> None:
        obj.set_password(extracted or "pw")
        if create:
            obj.save(update_fields=["password"])


class MilestoneFactory(DjangoModelFactory[Milestone]):
    class Meta:
        model = Milestone

    party = factory.LazyFunction(lambda: Party.objects.get(code="POLA"))
    kind = MilestoneKind.PROJECT
    title = factory.Sequence(lambda n: f"Project milestone {n}")
    due_date = dt.date(2027, 6, 30)
    status = "open"
    completed_at = None
    # A milestone made met or excused was closed in the record when the port delivered.
    closed_at = factory.LazyAttribute(lambda m: None if m.status == "open" else m.completed_at)
