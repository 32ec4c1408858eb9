"""Reports 1–2 with the same period one year earlier beside each figure (and the change), so that no
reader needs two documents to see a trend; without the earlier figures the column is not shown."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import openpyxl
from documents_samples import PERIOD, context, follow_up_figures
from test_documents_render import visible_text

from bbic_core.documents.excel import write_excel
from bbic_core.documents.html import render_html
from bbic_core.documents.labels import format_number_sv, signed
from bbic_core.documents.tables import written_change, year_before
from bbic_core.figures.figure import SUPPRESSED, Figure, ReportKind

EARLIER = (dt.date(2024, 1, 1), dt.date(2024, 5, 31))


def _earlier(report: ReportKind) -> list[Figure]:
    """Another year's figures (another seed) over P′ = 2024-01-01 – 2024-05-31, the same A."""
    return [dataclasses.replace(f, period_from=EARLIER[0], period_to=EARLIER[1])
            for f in follow_up_figures(report, seed=11, scopes=["bromma"])]


def _one(figures: list[Figure], measure: str, breakdown: str = "ALL") -> Figure:
    return next(f for f in figures if f.measure == measure and f.breakdown == breakdown)


def _row(page: str, label: str) -> str:
    found = re.search(rf'<tr[^>]*>\s*<th scope="row">{re.escape(label)}</th>(.*?)</tr>', page, re.S)
    assert found is not None, label
    return visible_text(found.group(1))


def test_the_earlier_period_is_p_prime() -> None:
    assert (year_before(context(ReportKind.VERKSAMHET, "bromma")).start,
            year_before(context(ReportKind.VERKSAMHET, "bromma")).end) == EARLIER
    assert PERIOD.end == dt.date(2025, 5, 31)


def test_key_figures_show_last_year_and_the_change() -> None:
    now = follow_up_figures(ReportKind.VERKSAMHET, scopes=["bromma"])
    before = _earlier(ReportKind.VERKSAMHET)
    page = render_html(now + before, context(ReportKind.VERKSAMHET, "bromma"))
    assert "Jämförs med" in visible_text(page) and "2024-01-01 – 2024-05-31" in visible_text(page)
    for measure, title in (("A5.utr_inom_4man", "Utredningar avslutade inom fyra månader"),
                           ("A4.utr_inledda", "Inledda utredningar"),
                           ("A5.utr_median_dagar", "Utredningstid, median i dagar")):
        a, b = _one(now, measure), _one(before, measure)
        change = written_change(a.value, b.value)
        if a.value and b.value:
            assert Decimal(change) == Decimal(a.value) - Decimal(b.value)
        cells = _row(page, title)
        shown_before = format_number_sv(b.value) if b.value else "–"
        assert f"{shown_before}" in cells and cells.endswith(signed(change)), (title, cells)
    # a list table: every row, its total too
    total_now = _one(now, "A1.aktualiseringar", "typ=ALL").value
    total_before = _one(before, "A1.aktualiseringar", "typ=ALL").value
    assert _row(page, "Totalt").startswith(f"{format_number_sv(total_now)} {format_number_sv(total_before)} ")
    box = page[page.index('<section class="summary'):]
    assert "året innan" in box[:box.index("</section>")]


def test_explicit_previous_gives_the_same_page() -> None:
    now = follow_up_figures(ReportKind.KLIENTGRUPP, scopes=["bromma"])
    before = _earlier(ReportKind.KLIENTGRUPP)
    ctx = context(ReportKind.KLIENTGRUPP, "bromma")
    assert render_html(now, ctx, previous=before) == render_html(now + before, ctx)


def test_without_earlier_figures_there_is_no_column() -> None:
    page = render_html(follow_up_figures(ReportKind.VERKSAMHET, scopes=["bromma"]),
                       context(ReportKind.VERKSAMHET, "bromma"))
    assert "Året innan" not in page and "Jämförs med" not in page and "året innan" not in page


def test_a_hidden_figure_hides_the_change() -> None:
    now = follow_up_figures(ReportKind.VERKSAMHET, scopes=["bromma"])
    before = [dataclasses.replace(f, value=SUPPRESSED, numerator=SUPPRESSED, denominator=SUPPRESSED)
              if f.measure == "A5.utr_inom_4man" else f for f in _earlier(ReportKind.VERKSAMHET)]
    page = render_html(now + before, context(ReportKind.VERKSAMHET, "bromma", mode="published"))
    assert _row(page, "Utredningar avslutade inom fyra månader").endswith(".. ..")
    assert written_change("12", "..") == SUPPRESSED and written_change("", "3") == ""
    assert written_change("50.0", "50.0") == "0.0" and written_change("7", "9") == "-2"


def test_excel_has_last_year_and_the_change_as_numbers(tmp_path: Path) -> None:
    now = follow_up_figures(ReportKind.VERKSAMHET, scopes=["bromma"])
    before = _earlier(ReportKind.VERKSAMHET)
    target = tmp_path / "v.xlsx"
    write_excel(now, context(ReportKind.VERKSAMHET, "bromma"), target, previous=before)
    book = openpyxl.load_workbook(target)
    sheet = book["Nyckeltal"]
    headers = [c.value for c in sheet[3]]
    assert headers[-2:] == ["Året innan", "Förändring"]
    rows = {r[1]: r for r in sheet.iter_rows(min_row=4, values_only=True)}
    a, b = _one(now, "A5.utr_inom_4man"), _one(before, "A5.utr_inom_4man")
    row = rows["Utredningar avslutade inom fyra månader"]
    assert row[-2] == float(b.value) and row[-1] == float(written_change(a.value, b.value))
    count = rows["Inledda utredningar"]
    assert count[-2] == int(_one(before, "A4.utr_inledda").value)
    assert isinstance(count[-1], int)
    a1 = {r[0]: r for r in book["A1.aktualiseringar"].iter_rows(min_row=4, values_only=True)}
    assert a1["Totalt"][-2] == int(_one(before, "A1.aktualiseringar", "typ=ALL").value)
    assert [c.value for c in book["A1.aktualiseringar"][3]][-1] == "Förändring"
