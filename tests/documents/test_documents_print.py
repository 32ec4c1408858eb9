"""What makes the PDFs cheap to print without changing what they show: charts without pygal's tooltip
data and with a print style sheet of the rules that apply."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from documents_samples import context

from bbic_core.documents import charts, report_set
from bbic_core.documents.charts import TrendChart, TrendSeries, print_svg, render_chart, render_trend
from bbic_core.documents.tables import ChartData
from bbic_core.figures.figure import ReportKind

MONTHLY = ChartData("A1.aktualiseringar_manad", "t", ["jan 2025", "feb 2025", "mar 2025"],
                    [("Aktualiseringar", [4.0, 2.0, 7.0])], "bar")
TREND = TrendChart("N1", "Andel", ["T1 2024", "T2 2024", "T3 2024"],
                   [TrendSeries("Bromma", [40.0, None, 55.0], "#0072b2"),
                    TrendSeries("Stockholm", [50.0, 52.0, 51.0], "#111111", 3.0)],
                   share=True, target=60.0)


def _tags(svg: str) -> list[str]:
    return re.findall(r"<(\w+)\b", svg)


def _rules(svg: str) -> list[str]:
    sheet = re.search(r"<style\b[^>]*>(.*?)</style>", svg, re.S)
    assert sheet is not None
    return re.findall(r"[^{}]+\{[^{}]*\}", sheet.group(1))


def _renders(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Each chart kind with the tooltip filter and without it."""
    def both() -> list[str]:
        return [render_chart(MONTHLY, "c1"), render_trend(TREND, "c2"),
                render_chart(ChartData("B3.behov", "t", ["Hälsa", "Skola"], [("Andel", [80.0, 40.0])],
                                       "needs"), "c3")]
    filtered = both()
    monkeypatch.setattr(charts, "_static", lambda plot: plot)
    return list(zip(filtered, both(), strict=True))


def test_charts_carry_no_tooltip_data_and_lose_nothing_else(monkeypatch: pytest.MonkeyPatch) -> None:
    for svg, plain in _renders(monkeypatch):
        assert "<desc" in plain and "<desc" not in svg
        # the very same chart once pygal's <desc> elements are taken out
        assert svg == re.sub(r"<desc\b[^>]*>[^<]*</desc>", "", plain)


def test_print_svg_keeps_every_element_and_drops_rules_that_cannot_apply() -> None:
    for svg in (render_chart(MONTHLY, "c1"), render_trend(TREND, "c2")):
        printed = print_svg(svg)
        assert _tags(printed) == _tags(svg)
        assert re.sub(r"<style\b.*?</style>", "", printed, flags=re.S) == re.sub(
            r"<style\b.*?</style>", "", svg, flags=re.S)
        kept, before = _rules(printed), _rules(svg)
        assert len(kept) < len(before) / 2
        used = {c for names in re.findall(r'class="([^"]*)"', svg) for c in names.split()}
        for rule in kept:
            assert ":hover" not in rule and "transition" not in rule and "user-select" not in rule
            selectors = re.sub(r":not\([^)]*\)", "", rule.split("{")[0])
            assert all(name in used for name in re.findall(r"\.([-\w]+)", selectors)), rule
        # the rules that colour the series, set the axes' type and anchor their labels stay
        assert any("stroke:#1f5a96" in r or "stroke:#0072b2" in r for r in kept)
        assert any("text-anchor:end" in r for r in kept)
        assert any("font-size:" in r and ".axis text" in r for r in kept)


def test_print_svg_keeps_a_rule_for_an_element_class_it_holds() -> None:
    svg = ('<svg class="pygal-chart"><defs><style type="text/css">#c .a .b{fill:red}#c .x,#c .a{stroke:blue;'
           "transition:150ms}#c .a:hover{fill:green}#c .a:not(.z){opacity:1}</style></defs>"
           '<g class="a"><path class="b"/></g></svg>')
    assert _rules(print_svg(svg)) == ["#c .a .b{fill:red}", "#c .a{stroke:blue}", "#c .a:not(.z){opacity:1}"]


def test_no_multi_column_layout_in_the_style_sheet() -> None:
    """WeasyPrint balances a multi-column box by laying it out again and again: the licence check's
    lists of user ids are a two-column grid instead."""
    from bbic_core.documents.html import stylesheet

    css = re.sub(r"/\*.*?\*/", "", stylesheet(), flags=re.S)
    assert not re.search(r"(?<![-\w])(columns|column-count|column-width)\s*:", css)
    items = re.search(r"ul\.items\s*\{([^}]*)\}", css)
    assert items is not None
    assert "display: grid" in items.group(1) and "grid-template-columns: 1fr 1fr" in items.group(1)


def test_render_pool_starts_with_the_longest_documents(tmp_path: Path) -> None:
    """The city's licence check (a section per district) first, then the comparisons and the year's
    reports of the widest scopes; a district's licence check (one short section) last."""
    documents = [report_set.Document(context(kind, code), (), code, "p")
                 for code in ("bromma", "vasterort", "0180")
                 for kind in (ReportKind.VERKSAMHET, ReportKind.LICENS, ReportKind.JAMFORELSE,
                              ReportKind.ARSRAPPORT)]
    jobs = [report_set.RenderJob(d, tmp_path, ("html",)) for d in documents]
    order = [(j.document.ctx.report, j.document.folder) for j in report_set.render_order(jobs)]
    assert order[0] == (ReportKind.LICENS, "0180")
    assert order[-1] == (ReportKind.LICENS, "bromma")
    assert order.index((ReportKind.JAMFORELSE, "0180")) < order.index((ReportKind.VERKSAMHET, "0180"))
    assert order.index((ReportKind.LICENS, "vasterort")) < order.index((ReportKind.VERKSAMHET, "bromma"))
    # equals keep their order: reports 1 of the three scopes as they came
    assert [f for r, f in order if r == ReportKind.VERKSAMHET] == ["bromma", "vasterort", "0180"]
    # and the pool renders in that order
    rendered: list[str] = []
    report_set._run(jobs, 1, lambda stem: rendered.append(stem))
    assert rendered == [j.document.stem for j in report_set.render_order(jobs)]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted({f"{d.stem}.html" for d in documents})


def test_pdf_takes_the_report_style_sheet_parsed_once() -> None:
    """A report page's inline style sheet is parsed once per process and still styles the page (A4,
    running header); a page with a style of its own keeps it."""
    import io

    from pypdf import PdfReader

    from bbic_core.documents import pdf
    from bbic_core.documents.html import render_html

    page = render_html((), context(ReportKind.VERKSAMHET, "bromma"))
    pdf._parsed_style.cache_clear()
    first = PdfReader(io.BytesIO(pdf.render_pdf(page)))
    second = PdfReader(io.BytesIO(pdf.render_pdf(page)))
    assert pdf._parsed_style.cache_info().hits == 1 and pdf._parsed_style.cache_info().misses == 1
    for reader in (first, second):
        box = reader.pages[0].mediabox
        assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
        assert "sida 1 av" in reader.pages[0].extract_text()
    own = PdfReader(io.BytesIO(pdf.render_pdf(
        "<html><head><style>@page { size: A5 }</style></head><body><p>Hej</p></body></html>")))
    box = own.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (420, 595)  # A5
    assert pdf._parsed_style.cache_info().misses == 1
