"""HTML and PDF of the reports: Django templates rendered to PDF by WeasyPrint.

The PDF is tagged (structure tags for assistive technology) and carries the document title
(``<title>``), language (``<html lang>``) and bookmarks (from the headings).
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agreement.models import Party, PartyKind
from cost_recovery import selectors as cost_recovery_selectors
from plans import selectors as plan_selectors

from . import board_sections, caap, sections
from .models import ReportRun

# WeasyPrint logs every layout step at INFO; keep worker logs readable.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
# fontTools logs each font subset (its glyph lists) at INFO: hundreds of lines per report.
logging.getLogger("fontTools.subset").setLevel(logging.WARNING)


def svg_data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _port_context(
    party: Party,
    year: int,
    cutoff: dt.datetime,
    plans: dict[int, Any],
    defaults: dict[int, Any],
    cost_recovery: dict[int, Any],
    inventories: list[Any],
    all_targets: list[plan_selectors.TargetProgress],
) -> dict[str, Any]:
    emissions = sections.emissions_section(
        party=party, year=year, cutoff=cutoff, inventories=inventories
    )
    milestones = sections.milestone_summary(party=party, year=year, cutoff=cutoff)
    targets = [t for t in all_targets if t.plan.party_id == party.pk]
    # The port's subsections with nothing recorded: folded into one line of the summary.
    empty = [
        label
        for label, is_empty in (
            (_("plan status"), plans[party.pk] is None),
            (_("milestones"), milestones.total == 0 and not milestones.extended),
            (_("progress against plan targets"), not targets),
            (_("defaults and penalties"), defaults[party.pk] is None),
            (_("emissions"), not emissions.has_data),
        )
        if is_empty
    ]
    return {
        "party": party,
        "anchor": f"port-{party.code.lower()}",
        "milestones": milestones,
        "plan_status": plans[party.pk],
        "targets": targets,
        "defaults": defaults[party.pk],
        "cost_recovery": cost_recovery[party.pk],
        "emissions": emissions,
        "chart_tons": svg_data_uri(emissions.chart_tons_svg),
        "chart_intensity": svg_data_uri(emissions.chart_intensity_svg),
        "empty": empty,
        "has_content": len(empty) < 5,
    }


def report_number(year: int, party: Party | None, version: int | None) -> str:
    """As :attr:`ReportRun.report_number` (a preview without a version has none)."""
    if version is None:
        return ""
    return ReportRun(year=year, party=party, version=version).report_number


def annual_report_context(
    *,
    year: int,
    party: Party | None,
    cutoff: dt.datetime,
    version: int | None,
    generated_at: dt.datetime | None = None,
    executive_summary: str = "",
) -> dict[str, Any]:
    all_ports = list(Party.objects.ports().order_by("code"))
    parties = [party] if party is not None else all_ports
    plans = sections.plan_status(parties=parties, cutoff=cutoff)
    defaults = sections.defaults_and_penalties(parties=parties, year=year, cutoff=cutoff)
    balances = cost_recovery_selectors.balances_at(parties=parties, cutoff=cutoff)
    # Read once for all the ports: each port's emissions and targets are its share of these.
    accepted = caap.accepted_inventories(parties=parties, cutoff=cutoff, up_to_year=year)
    targets = plan_selectors.target_progress(parties=parties, as_of=cutoff)
    ports = [
        _port_context(p, year, cutoff, plans, defaults, balances, accepted, targets)
        for p in parties
    ]
    scope = party.name if party is not None else _("Port of Los Angeles and Port of Long Beach")
    # A single-port report shows that port's share of the fund, the combined one the fund.
    fund = (
        sections.mitigation_fund(year=year, cutoff=cutoff, parties=all_ports)
        if party is None
        else None
    )
    share = (
        sections.fund_share(year=year, cutoff=cutoff, party=party, parties=all_ports)
        if party is not None
        else None
    )
    date_changes = sections.date_change_audit(parties=parties, cutoff=cutoff)
    empty = [
        _("%(port)s: %(sections)s") % {"port": p["party"].name, "sections": ", ".join(p["empty"])}
        for p in ports
        if p["empty"]
    ]
    if fund is None and share is None:
        empty.append(_("Clean Air Mitigation Fund"))
    if not date_changes:
        empty.append(_("changes to deadlines"))
    regulator = Party.objects.filter(kind=PartyKind.REGULATOR).order_by("code").first()
    aqmd = regulator.name if regulator else "South Coast Air Quality Management District"
    addressees = [p for p in ([regulator] if regulator else []) + parties]
    return {
        "year": year,
        "scope": scope,
        "version": version,
        "report_number": report_number(year, party, version),
        "aqmd": aqmd,
        "transmittal": _("Transmitted by the %(aqmd)s to: %(to)s.")
        % {
            "aqmd": aqmd,
            "to": "; ".join(f"{p.governing_body}, {p.name}" for p in addressees),
        },
        "executive_summary": executive_summary,
        "cutoff": cutoff,
        "generated_at": generated_at or timezone.now(),
        "ports": ports,
        "fund": fund,
        "fund_share": share,
        "single_port": party is not None,
        "date_changes": date_changes,
        "caap_progress": caap.caap_progress(parties=parties, inventories=accepted),
        "by_category": caap.emissions_by_category(parties=parties, inventories=accepted),
        "empty_sections": empty,
        "title": _("Annual progress report %(year)s: %(scope)s") % {"year": year, "scope": scope},
    }


def annual_report_html(**kwargs: Any) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string("reports/pdf/annual_report.html", annual_report_context(**kwargs))


def run_html(run: ReportRun) -> str:
    assert run.data_cutoff is not None
    return annual_report_html(
        year=run.year,
        party=run.party,
        cutoff=run.data_cutoff,
        version=run.version,
        executive_summary=run.executive_summary,
    )


def render_pdf(html: str) -> tuple[bytes, int | None]:
    """Render HTML to a tagged PDF (WeasyPrint) and say how many pages it has.

    The page count is that of the laid-out document (read by a finisher, which changes
    nothing in the PDF), so the PDF is not parsed again to count them.
    """
    from weasyprint import HTML

    pages: int | None = None

    def count_pages(document: Any, pdf: Any) -> None:
        nonlocal pages
        pages = len(document.pages)

    pdf = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        pdf_tags=True, finisher=count_pages
    )
    assert pdf is not None
    return bytes(pdf), pages


def html_to_pdf(html: str) -> bytes:
    """Render HTML to a tagged PDF (WeasyPrint)."""
    return render_pdf(html)[0]


def board_status_html(*, parties: list[Party], now: dt.datetime, viewer: Any = None) -> str:
    """The Governing Board status report: the agreement's lifecycle first, then one page per
    port.  ``viewer`` decides, by the policy, whether undetermined misses are counted."""
    penalties = sections.penalties_this_year(parties=parties, now=now)
    plans = board_sections.plan_status(parties=parties, now=now)
    determinations = board_sections.determinations(parties=parties, viewer=viewer)
    balances = board_sections.cost_recovery(parties=parties)
    context = {
        "agreement_page": board_sections.agreement_page(now=now),
        "illustrative_invoices": board_sections.has_illustrative_invoices(parties=parties),
        "pages": [
            {
                **sections.board_status(party=p, now=now, penalties=penalties[p.pk]),
                "plans": plans[p.pk],
                "determinations": determinations[p.pk],
                "cost_recovery": balances[p.pk],
            }
            for p in parties
        ],
        "generated_at": now,
        "title": _("Governing Board status report"),
    }
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string("reports/pdf/board_status.html", context)
