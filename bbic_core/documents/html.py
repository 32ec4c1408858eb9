"""HTML of one report (Jinja2, autoescaped, StrictUndefined): a self-contained printable page.

The style sheet is inlined and charts are inline SVG, so the file opens anywhere and names no
external address; WeasyPrint prints the same page to PDF (pdf.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from bbic_core.documents import comparison, labels
from bbic_core.documents.charts import render_chart, render_trend
from bbic_core.documents.document_context import DocumentContext
from bbic_core.documents.licence_tables import REQUIREMENT_ORDER, LicenceDocument, build_licence, status_mark
from bbic_core.documents.tables import (
    Section,
    Table,
    build_sections,
    earlier_figures,
    make_cell,
    select,
    written_change,
    year_before,
)
from bbic_core.figures.figure import Figure, ReportKind
from bbic_core.scopes import Period, ScopeLevel

# The report templates and their print style sheet live in the package, so an installed wheel carries them.
TEMPLATE_PACKAGE, TEMPLATE_FOLDER = "bbic_core.documents", "templates"
TEMPLATE_DIR = Path(__file__).resolve().parent / TEMPLATE_FOLDER  # WeasyPrint's base URL and allowed root

TEMPLATES = {
    ReportKind.VERKSAMHET: "verksamhet.html.j2",
    ReportKind.KLIENTGRUPP: "klientgrupp.html.j2",
    ReportKind.LICENS: "licens.html.j2",
    ReportKind.JAMFORELSE: "jamforelse.html.j2",
    ReportKind.ARSRAPPORT: "arsrapport.html.j2",
}

# The summary box: the figures a reader looks for first (measure, label in the box).
SUMMARY_MEASURES: dict[ReportKind, tuple[tuple[str, str], ...]] = {
    ReportKind.VERKSAMHET: (
        ("A1.aktualiseringar", "aktualiseringar"),
        ("A4.utr_inledda", "inledda utredningar"),
        ("A4.utr_avslutade", "avslutade utredningar"),
        ("A4.utr_pagaende", "pågående utredningar vid periodens slut"),
        ("A3.fhb_inom_14d", "förhandsbedömningar beslutade inom 14 dagar"),
        ("A5.utr_inom_4man", "utredningar avslutade inom fyra månader"),
        ("A8.placerade_barn", "placerade barn"),
        ("A9.overvagande_i_tid", "övervägande/omprövning i tid"),
    ),
    ReportKind.KLIENTGRUPP: (
        ("B1.utredda_barn", "utredda barn"),
        ("B4.barn_med_insats", "barn med pågående insats"),
        ("B4.placeringar", "pågående placeringar"),
        ("B6.tidigare_aktualiserade", "av de utredda barnen hade aktualiserats tidigare"),
    ),
}


@dataclass(frozen=True, slots=True)
class SummaryItem:
    label: str
    text: str
    basis: str = ""
    status: str = ""  # a requirement status code, for its colour and mark
    before: str = ""  # "året innan 12 (+3)": the same figure one year earlier and the change


@dataclass(frozen=True, slots=True)
class RequirementStatus:
    """One requirement in the licence report's summary box: `R4 Grundutbildning ✘ Ej uppfyllt`."""

    code: str
    label: str
    status: str
    text: str


@dataclass(slots=True)
class LicenceSummary:
    warnings: list[str]  # C1.provolicens_slut with uppgift=varning = J, first and in bold
    items: list[SummaryItem]
    requirements: list[RequirementStatus]  # R1–R5 of a single district

    def __bool__(self) -> bool:
        return bool(self.warnings or self.items or self.requirements)


@dataclass(frozen=True, slots=True)
class RenderedChart:
    svg: Markup
    title: str
    caption: str


@dataclass(slots=True)
class RenderedSection:
    group: str
    title: str
    tables: list[Table]
    charts: list[RenderedChart] = field(default_factory=list)


def report_template_loader() -> PackageLoader:
    """The loader of the report templates (the portal extends them with its own pages)."""
    return PackageLoader(TEMPLATE_PACKAGE, TEMPLATE_FOLDER)


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=report_template_loader(),
        autoescape=True,  # names and labels come from registers edited by hand: always escape
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["mark"] = status_mark
    env.filters["signed"] = labels.signed
    return env


@lru_cache(maxsize=1)
def stylesheet() -> str:
    return (TEMPLATE_DIR / "print.css").read_text(encoding="utf-8")


def render_html(figures: Sequence[Figure], ctx: DocumentContext,
                previous: Sequence[Figure] | None = None) -> str:
    """The report `ctx.report` for `ctx.scope` as one self-contained HTML page.

    Reports 1–2 show beside each figure of a one-column table the same figure one year earlier
    (`previous`: the same report over P′ with the same A; when None, the rows of P′ among `figures`),
    and the change; without such figures the column is not shown."""
    chosen = select(figures, ctx)
    earlier = earlier_figures(figures, ctx, previous)
    values: dict[str, object] = {
        "previous_period": _period_text(year_before(ctx)) if earlier else "",
        "ctx": ctx,
        "css": Markup(stylesheet()),  # our own file, not user data: inlined as it stands
        "k": ctx.k,
        "quarantined_text": _quarantined_text(ctx.quarantined_rows),
    }
    if ctx.report in (ReportKind.JAMFORELSE, ReportKind.ARSRAPPORT):
        doc = comparison.build_comparison(chosen, ctx)
        values["doc"] = doc
        values["trend_charts"] = [
            RenderedChart(Markup(render_trend(chart, f"trend-{n}")), chart.title, chart.note)
            for n, chart in enumerate(doc.trends, start=1)]
        values["statuses"] = [(s, comparison.STATUS_MARKS[s], comparison.STATUS_WORDS[s],
                               comparison.STATUS_MEANING[s]) for s in comparison.STATUS_WORDS]
        values["anomaly_mark"] = comparison.ANOMALY_MARK
        year = ctx.period.end.year
        yearly = ctx.report == ReportKind.ARSRAPPORT
        values["before_label"] = str(year - 1) if yearly else "Året innan"
        values["now_label"] = str(year) if yearly else "Perioden"
        values["licence_day"] = labels.format_date_sv(min(ctx.period.end, ctx.as_of))
        values["requirements"] = [(code, text) for code, text in labels.REQUIREMENTS.items()
                                  if code != labels.ALL]
    elif ctx.report == ReportKind.LICENS:
        licence = build_licence(chosen, ctx)
        values["licence"] = licence
        values["summary"] = licence_summary(licence, ctx)
        values["requirements"] = [(code, text) for code, text in labels.REQUIREMENTS.items()
                                  if code != labels.ALL]
    else:
        sections = build_sections(chosen, ctx, earlier)
        values["sections"] = _render_charts(sections)
        values["summary"] = summary_items(chosen, ctx.report, earlier)
    return environment().get_template(TEMPLATES[ctx.report]).render(**values)


def _quarantined_text(n: int) -> str:
    if n == 0:
        return "inga"
    return f"{labels.format_number_sv(str(n))} rader (ej medräknade)"


def _render_charts(sections: Sequence[Section]) -> list[RenderedSection]:
    rendered = []
    n = 0
    for section in sections:
        charts = []
        for chart in section.charts:
            n += 1
            charts.append(RenderedChart(Markup(render_chart(chart, f"chart-{n}")), chart.title, chart.note))
        rendered.append(RenderedSection(section.group, section.title, section.tables, charts))
    return rendered


def _total_figure(figures: Sequence[Figure], measure: str) -> Figure | None:
    for figure in figures:
        pairs = labels.parse_breakdown(figure.breakdown)
        if figure.measure == measure and all(v == labels.ALL for _, v in pairs):
            return figure
    return None


def _period_text(period: Period) -> str:
    return labels.format_period_sv(period.start, period.end)


def summary_items(figures: Sequence[Figure], report: ReportKind,
                  previous: Sequence[Figure] = ()) -> list[SummaryItem]:
    items = []
    for measure, label in SUMMARY_MEASURES.get(report, ()):
        figure = _total_figure(figures, measure)
        if figure is None:
            continue
        cell = make_cell(figure)
        before = _total_figure(previous, measure)
        earlier = ""
        if before is not None:
            change = labels.signed(written_change(figure.value, before.value))
            earlier = f"året innan {make_cell(before).text} ({change})"
        items.append(SummaryItem(label, cell.text, cell.basis, before=earlier))
    return items


def licence_summary(licence: LicenceDocument, ctx: DocumentContext) -> LicenceSummary:
    """The box a reader sees first: a trial licence about to end without an application, then for a
    district its overall status and R1–R5, for a network or the city how many districts meet all."""
    single = ctx.scope.level == ScopeLevel.DISTRICT and len(licence.districts) == 1
    warnings = [
        district.trial.warning_text if single else f"{district.name}: {district.trial.warning_text}"
        for district in licence.districts if district.trial is not None and district.trial.warning
    ]
    if single:
        district = licence.districts[0]
        items = []
        overall = district.overall
        if overall is not None:
            text = f"{status_mark(overall.value)} {overall.text}".strip()
            items.append(SummaryItem(f"{district.name}: samtliga krav", text, status=overall.value))
        requirements = [
            RequirementStatus(code, labels.REQUIREMENT_SHORT.get(code, ""), cell.value,
                              f"{status_mark(cell.value)} {cell.text}".strip())
            for code in REQUIREMENT_ORDER if code != labels.ALL and (cell := district.statuses.get(code))
        ]
        return LicenceSummary(warnings, items, requirements)
    overall_values = [d.overall.value for d in licence.districts if d.overall is not None]
    met = sum(v == "UPPFYLLT" for v in overall_values)
    items = []
    if overall_values:
        status = "UPPFYLLT" if met == len(overall_values) else "EJ_UPPFYLLT" if met == 0 else ""
        items.append(SummaryItem("stadsdelar uppfyller samtliga krav", f"{met} av {len(overall_values)}",
                                 status=status))
        missing = sum(v == "UNDERLAG_SAKNAS" for v in overall_values)
        if missing:
            items.append(SummaryItem("stadsdelar saknar underlag för något krav", str(missing),
                                     status="UNDERLAG_SAKNAS"))
    return LicenceSummary(warnings, items, [])
