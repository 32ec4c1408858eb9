"""Layout defects seen in printed reports, each with the check that would have caught it: the city's
licence summary past the page's edge, requirement rows among a district's facts, the needs profile's
sides interleaved, and a header of the archive index broken inside its word."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import pytest
from documents_samples import AS_OF, NAMES, PERIOD, context, follow_up_figures, licence_figures
from layout_boxes import broken_header_words, overflow
from test_documents_render import visible_text

from bbic_core import codes
from bbic_core.documents import report_set
from bbic_core.documents.html import render_html
from bbic_core.documents.labels import parse_breakdown
from bbic_core.documents.tables import chart_data
from bbic_core.figures.figure import Figure, ReportKind

# The longest names of Stockholm's districts, on the four sample districts.
LONG_NAMES = {**NAMES, "bromma": "Hägersten-Liljeholmen", "rinkeby_kista": "Enskede-Årsta-Vantör",
              "farsta": "Hässelby-Vällingby", "skarpnack": "Skarpnäck"}


def _block(page: str, heading: str) -> str:
    start = page.index(f"<h3>{heading}</h3>")
    return page[start:page.index("</section>", start)]


def test_city_licence_summary_fits_the_page() -> None:
    """Six status columns ("✘ Ej uppfyllt", "– Underlag saknas") beside a long district name."""
    figures = [dataclasses.replace(f, value="UNDERLAG_SAKNAS")
               if f.measure == "C.krav" and "stadsdel=farsta&krav=R5" in f.breakdown else f
               for f in licence_figures("0180")]
    page = render_html(figures, context(ReportKind.LICENS, "0180", names=LONG_NAMES))
    assert "Underlag saknas" in visible_text(_block(page, "Sammanfattning: krav per stadsdel"))
    assert overflow(page) == []


def test_district_facts_hold_no_requirement_rows() -> None:
    page = render_html(licence_figures("bromma"), context(ReportKind.LICENS, "bromma"))
    facts = _block(page, "Uppgifter – Bromma")
    labels = re.findall(r'<th scope="row">([^<]*)</th>', facts)
    assert labels and "Licenskrav" not in labels
    assert len(labels) == len(set(labels))  # every fact says what it is
    requirements = visible_text(_block(page, "Krav för licensen – Bromma"))
    for code in ("R1", "R2", "R3", "R4", "R5"):
        assert f"{code} " in requirements


def _needs_figures(version: str) -> list[Figure]:
    """B3 rows of one version in the order of the shared code list (2006 areas first)."""
    own = {"2006": codes.TRIANGEL_OMRADE_2006, "2016": codes.TRIANGEL_OMRADE_2016}[version].values()
    areas = [a for a in codes.TRIANGEL_OMRADE_ALLA.values() if a in own]
    others = [f for f in follow_up_figures(ReportKind.KLIENTGRUPP, scopes=["bromma"])
              if not f.measure.startswith("B3.")]
    rows = [Figure("klientgrupp", "stadsdel:bromma", PERIOD.start, PERIOD.end, AS_OF, "B3.behov",
                   f"version={version}&omrade={a}", "50.0", "5", "10") for a in reversed(areas)]
    return others + rows


def test_needs_profile_2016_keeps_each_side_together() -> None:
    page = render_html(_needs_figures("2016"), context(ReportKind.KLIENTGRUPP, "bromma"))
    block = _block(page, "Behov enligt BBIC-triangeln")
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", block, re.S)[1:]
    sides = [re.findall(r'<th scope="row">([^<]*)</th>', r)[1] for r in rows]
    sides = [s for s in sides if s]  # a side is written once, on its first row
    assert sides == ["Barnets utveckling", "Föräldrarnas förmåga", "Familj och miljö"]
    areas = [visible_text(re.findall(r'<th scope="row">([^<]*)</th>', r)[2]) for r in rows]
    assert areas == [c.label_sv for c in codes.TRIANGEL_OMRADE_2016.codes]
    rows_b3 = [f for f in _needs_figures("2016") if f.measure == "B3.behov"]
    (chart,) = chart_data("B3.behov", [(parse_breakdown(f.breakdown), f) for f in rows_b3])
    assert chart.labels == [c.label_sv for c in codes.TRIANGEL_OMRADE_2016.codes]  # the chart likewise


def test_needs_profile_2006_keeps_its_list_order() -> None:
    page = render_html(_needs_figures("2006"), context(ReportKind.KLIENTGRUPP, "bromma"))
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", _block(page, "Behov enligt BBIC-triangeln"), re.S)[1:]
    areas = [re.findall(r'<th scope="row">([^<]*)</th>', r)[2] for r in rows]
    assert areas == [c.label_sv for c in codes.TRIANGEL_OMRADE_2006.codes]


def test_index_headers_do_not_break_inside_a_word(tmp_path: Path) -> None:
    """Six period columns squeeze the first one: "Omfattning" must move whole, not split."""
    documents = [report_set.Document(context(kind, code), (), code, period)
                 for code in NAMES
                 for period in ("year_to_date", "previous_year", "latest_tertial", "kontrolldag", "ar_2024",
                                "ar_2025")
                 for kind in (ReportKind.VERKSAMHET, ReportKind.KLIENTGRUPP)]
    report_set.write_index(documents, tmp_path, as_of=dt.date(2025, 5, 31), export_id="e",
                        formats=report_set.FORMATS, mode="internal")
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert ">Omfattning</th>" in page
    assert broken_header_words(page) == []
    assert overflow(page) == []


def _any_report(report: ReportKind) -> str:
    """The city's report of each kind, with the longest district names."""
    from comparison_samples import comparison_context, comparison_figures, year_figures

    if report == ReportKind.LICENS:
        return render_html(licence_figures("0180"), context(report, "0180", names=LONG_NAMES))
    if report in (ReportKind.VERKSAMHET, ReportKind.KLIENTGRUPP):
        figures = follow_up_figures(report, scopes=["0180"])  # with the year before beside each figure
        earlier = [dataclasses.replace(f, period_from=dt.date(2024, 1, 1), period_to=dt.date(2024, 5, 31))
                   for f in follow_up_figures(report, seed=11, scopes=["0180"])]
        return render_html(figures, context(report, "0180", names=LONG_NAMES), previous=earlier)
    figures = comparison_figures("0180") if report == ReportKind.JAMFORELSE else year_figures("0180")
    ctx = dataclasses.replace(comparison_context("0180", report=report), names=LONG_NAMES)
    return render_html(figures, ctx)


@pytest.mark.parametrize("report", list(ReportKind))
def test_no_table_of_any_report_is_wider_than_its_page(report: ReportKind) -> None:
    """Every box of the printed report, tables included, stays inside its page's content box (a
    landscape page for the comparison's wide tables), and no column header breaks inside a word."""
    page = _any_report(report)
    assert "<table" in page
    assert overflow(page) == []
    assert broken_header_words(page) == []
