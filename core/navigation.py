"""The site's navigation: a few sections per role, grouped by what people come to do.

Built from the one role policy (``accounts.policy.can``), nothing else: a section shows when
the user may open at least one of its pages, and each page link when the policy allows it.
The section holding the current page is marked, and so is the current page's own link
(``aria-current``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts import policy
from accounts.policy import Action


def _signed_in(user: Any) -> bool:
    return policy.role_of(user) is not None


def _may(action: Action) -> Callable[[Any], bool]:
    return lambda user: policy.can(user, action)


def _port_staff(user: Any) -> bool:
    return _signed_in(user) and policy.port_scope(user) is not None


def _everyone(user: Any) -> bool:
    return True


@dataclass(frozen=True)
class Page:
    """One link of a section: a named URL, shown when ``show(user)`` says so."""

    url_name: str
    label: str | Promise
    show: Callable[[Any], bool] = _everyone


@dataclass(frozen=True)
class Section:
    """A top-level entry. ``owns`` lists URL names (``ns:name``, or ``ns:`` for a whole
    namespace) of pages that belong here without a link of their own (detail pages)."""

    key: str
    label: str | Promise
    pages: tuple[Page, ...]
    owns: tuple[str, ...] = ()


SECTIONS: tuple[Section, ...] = (
    Section(
        "home",
        _("Home"),
        (
            Page("home", _("Dashboard"), _signed_in),
            Page("public-status", _("Public status")),
            Page("agreement-terms", _("The agreement")),
            Page("withdrawal-notices", _("Withdrawal notices"), _may(Action.WITHDRAWAL_VIEW)),
        ),
        owns=("home", "withdrawal-notice-rescind", "withdrawal-notice-document"),
    ),
    Section(
        "plans",
        _("Plans"),
        (
            Page("plans:list", _("Port plans"), _may(Action.PLAN_VIEW)),
            Page("plans:review-queue", _("Review queue"), _may(Action.PLAN_REVIEW)),
            Page("public-plans:list", _("Published plans and public comment")),
            Page(
                "public-plans:moderation",
                _("Public comments to moderate"),
                _may(Action.PUBLIC_COMMENT_MODERATE),
            ),
        ),
        owns=("plans:", "public-plans:"),
    ),
    Section(
        "deadlines",
        _("Deadlines & requests"),
        (
            Page("penalties:milestones", _("Our deadlines"), _port_staff),
            Page("milestone-list", _("All milestones")),
            Page("penalties:requests", _("Requests to AQMD"), _may(Action.EXTENSION_VIEW)),
        ),
        owns=(
            "milestone-export",
            "penalties:extension",
            "penalties:extension-new",
            "penalties:extension-document",
            "penalties:flexibility",
            "penalties:flexibility-new",
            "penalties:flexibility-document",
            "penalties:completion",
            "penalties:completion-new",
            "penalties:completion-document",
        ),
    ),
    Section(
        "penalties",
        _("Penalties & fund"),
        (
            Page("penalties:defaults", _("Defaults"), _may(Action.DEFAULT_VIEW)),
            Page("penalties:penalties", _("Penalties"), _may(Action.DEFAULT_VIEW)),
            Page("penalties:fund", _("Mitigation fund"), _may(Action.FUND_VIEW)),
            Page("cost-recovery:list", _("Cost recovery"), _may(Action.COST_RECOVERY_VIEW)),
        ),
        owns=("penalties:", "cost-recovery:"),
    ),
    Section(
        "reports",
        _("Reports"),
        (
            Page("reports:list", _("Annual reports")),
            Page("reports:emissions", _("Emissions"), _may(Action.EMISSIONS_VIEW)),
        ),
        owns=("reports:",),
    ),
    Section(
        "account",
        _("Account"),
        (
            Page("api-tokens", _("API and calendar"), _may(Action.CREDENTIALS_MANAGE)),
            Page("password_change", _("Password"), _signed_in),
        ),
        owns=(
            "login",
            "api-token-create",
            "password_change_done",
            "mfa-setup",
            "mfa-verify",
            "mfa-recovery-codes",
            "password_reset",
            "password_reset_done",
            "password_reset_confirm",
            "password_reset_complete",
            "logout",
        ),
    ),
    Section(
        "admin",
        _("Admin"),
        (Page("admin:index", _("Administration"), _may(Action.ADMINISTER)),),
        owns=("admin:",),
    ),
)


@dataclass(frozen=True)
class NavLink:
    label: str | Promise
    url: str
    current: bool  # the page shown is this link's page


@dataclass(frozen=True)
class NavSection:
    key: str
    label: str | Promise
    url: str  # the section's first page the user may open
    current: bool  # the page shown belongs to this section
    links: list[NavLink]

    @property
    def aria_current(self) -> str:
        """ "page" on the section's own first page, "true" elsewhere in the section."""
        if not self.current:
            return ""
        return "page" if self.links and self.links[0].current else "true"


def _owned(section: Section, view_name: str) -> bool:
    for owned in section.owns:
        if owned.endswith(":") and view_name.startswith(owned):
            return True
        if owned == view_name:
            return True
    return False


def navigation_for(user: Any, view_name: str | None) -> list[NavSection]:
    """The sections ``user`` may use, the one of ``view_name`` (``ns:name``) marked current.

    A page linked from a section belongs to it first; otherwise the first section that
    ``owns`` the name (so a namespace like ``penalties:`` can be shared, detail pages first).
    """
    view_name = view_name or ""
    shown = []
    for section in SECTIONS:
        pages = [page for page in section.pages if page.show(user)]
        if pages:
            shown.append((section, pages))
    current_key = next(
        (s.key for s, pages in shown if any(p.url_name == view_name for p in pages)), None
    )
    if current_key is None:
        current_key = next((s.key for s, _pages in shown if _owned(s, view_name)), None)
    result = []
    for section, pages in shown:
        links = [
            NavLink(label=p.label, url=reverse(p.url_name), current=p.url_name == view_name)
            for p in pages
        ]
        result.append(
            NavSection(
                key=section.key,
                label=section.label,
                url=links[0].url,
                current=section.key == current_key,
                links=links,
            )
        )
    return result
