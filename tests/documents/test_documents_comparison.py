"""Reports 4 (`jamforelse`) and 5 (`arsrapport`): PDF text and Excel cells against a small hand-built
figure set (comparison_samples): the status word in a D1 cell, anomalies first, the preliminary mark,
published mode's `..`, numbers as numbers and no formula from a name."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
from pathlib import Path

import openpyxl
import pytest
from comparison_samples import AS_OF, comparison_context, comparison_figures, year_figures
from documents_samples import NAMES
from pypdf import PdfReader
from test_documents_render import visible_text

from bbic_core.documents.comparison import build_comparison
from bbic_core.documents.excel import write_excel
from bbic_core.documents.html import render_html
from bbic_core.documents.labels import signed
from bbic_core.documents.pdf import render_pdf
from bbic_core.figures.figure import SUPPRESSED, Figure, ReportKind

J, Y = ReportKind.JAMFORELSE, ReportKind.ARSRAPPORT


def _pdf_pages(figures: list[Figure], ctx: object) -> list[str]:
    data = render_pdf(render_html(figures, ctx))  # type: ignore[arg-type]
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def _row(pages: list[str], unit: str) -> str:
    """A D1 row as pypdf reads it: from the unit's name to the next unit's (cells one after another)."""
    text = next(p for p in pages if "Nyckeltal per enhet" in p or "Nyckeltal 2025" in p)
    start = text.index(f"\n{unit} ")
    after = [text.find(f"\n{name} ", start + 1) for name in NAMES.values()]
    ends = [i for i in after if i > start]
    return text[start:min(ends) if ends else len(text)]


def _figure(figures: list[Figure], measure: str, breakdown: str) -> Figure:
    return next(f for f in figures if f.measure == measure and f.breakdown == breakdown)


def test_jamforelse_pdf_shows_d1_values_with_status_words() -> None:
    figures = comparison_figures("vasterort")
    pages = _pdf_pages(figures, comparison_context("vasterort"))
    assert "Jämförelse" in pages[0] and "Nätverk Västerort" in pages[0] and "sida 1 av" in pages[0]
    row = _row(pages, "Rinkeby-Kista")
    # the planted fall: 10 of 20 within four months, below the limit of 75 %: red, in a word and a mark
    assert "50,0 %\n✘ röd" in row
    for nyckeltal in ("A2.skydd_inom_1dag", "A3.fhb_inom_14d", "A8.vardplan"):
        cell = _figure(figures, "D1.nyckeltal", f"enhet=rinkeby_kista&nyckeltal={nyckeltal}")
        status = _figure(figures, "D1.status", f"enhet=rinkeby_kista&nyckeltal={nyckeltal}").value
        word = {"GRON": "✔ grön", "GUL": "! gul", "ROD": "✘ röd"}[status]
        assert f"{cell.value.replace('.', ',')} %\n{word}" in row
    text = "\n".join(pages)
    assert "✔ grön" in text and "målet är nått" in text  # the legend says what each word means
    for raw in ("GRON", "ROD", "SAKNAS", "enhet=", "nyckeltal=", "A5.utr_inom_4man"):
        assert raw not in text, raw


def test_jamforelse_lists_anomalies_first() -> None:
    figures = comparison_figures("vasterort")
    doc = build_comparison(figures, comparison_context("vasterort"))
    flags = [c.anomaly for c in doc.changes]
    assert "J" in flags and "N" in flags
    assert flags == sorted(flags, key=lambda f: f != "J")  # every J before the first N
    page = render_html(figures, comparison_context("vasterort"))
    first = visible_text(page[page.index('id="D3-avvikelser"'):])
    assert first.index("Avvikelser mot året innan") < first.index("Nyckeltal per enhet")
    planted = ("Rinkeby-Kista ⚑ Utredningar avslutade inom fyra månader 80,0 % 50,0 % −30,0")
    assert planted in first[:first.index("Nyckeltal per enhet")]


def test_excel_of_jamforelse_numbers_statuses_and_anomalies_first(tmp_path: Path) -> None:
    figures = comparison_figures("vasterort")
    target = tmp_path / "j.xlsx"
    write_excel(figures, comparison_context("vasterort"), target)
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["Rapport", "D1.nyckeltal", "D2.trend", "D3.forandring"]
    d1 = list(book["D1.nyckeltal"].iter_rows(min_row=3, values_only=True))
    assert d1[0] == ("Enhet", "Nyckeltal", "Värde", "Täljare", "Nämnare", "Status")
    rows = {(r[0], r[1]): r for r in d1[1:]}
    assert rows[("Rinkeby-Kista", "Utredningar avslutade inom fyra månader")][2:] == (50, 10, 20, "Röd")
    count = _figure(figures, "D1.nyckeltal", "enhet=bromma&nyckeltal=A1.aktualiseringar")
    assert rows[("Bromma", "Aktualiseringar")][2:] == (int(count.value), None, None, None)
    median = rows[("Stockholm", "Utredningstid, median i dagar")]
    assert isinstance(median[2], float) and isinstance(median[4], int)
    d3 = list(book["D3.forandring"].iter_rows(min_row=4, values_only=True))
    flags = [r[5] for r in d3]
    assert flags.index("Nej") > max(i for i, f in enumerate(flags) if f == "Ja")
    assert ("Rinkeby-Kista", "Utredningar avslutade inom fyra månader", 80, 50, -30, "Ja") in d3
    trend = list(book["D2.trend"].iter_rows(min_row=4, values_only=True))
    assert len(trend) == 4 * 12 * 6 and trend[0][:3] == ("Bromma", "Aktualiseringar", "T3 2023")
    cells = [c for ws in book.worksheets[1:] for row in ws.iter_rows(min_row=4) for c in row]
    assert not [c for c in cells if isinstance(c.value, str) and re.fullmatch(r"-?\d+(\.\d+)?", c.value)]


def test_names_never_become_formulas(tmp_path: Path) -> None:
    names = {**NAMES, "bromma": '=HYPERLINK("http://x","y")', "vasterort": "+1+2"}
    ctx = dataclasses.replace(comparison_context("vasterort"), names=names)
    target = tmp_path / "j.xlsx"
    write_excel(comparison_figures("vasterort"), ctx, target)
    book = openpyxl.load_workbook(target)
    found = [c for ws in book.worksheets for row in ws.iter_rows() for c in row
             if isinstance(c.value, str) and c.value.startswith(("=", "+"))]
    assert {c.value for c in found} >= {'=HYPERLINK("http://x","y")', "+1+2"}
    assert all(c.data_type == "s" for c in found)
    page = render_html(comparison_figures("vasterort"), ctx)
    assert "<script" not in page


def test_published_comparison_shows_two_dots_and_saknas(tmp_path: Path) -> None:
    figures = comparison_figures("vasterort")  # Bromma's care plans are suppressed (planted)
    ctx = comparison_context("vasterort", mode="published")
    assert _figure(figures, "D1.nyckeltal", "enhet=bromma&nyckeltal=A8.vardplan").value == SUPPRESSED
    assert _figure(figures, "D3.forandring", "enhet=bromma&nyckeltal=A8.vardplan").value == SUPPRESSED
    pages = _pdf_pages(figures, ctx)
    assert "Publicerad – röjandekontroll tillämpad" in pages[0]
    assert "..\n– saknas" in _row(pages, "Bromma")
    target = tmp_path / "p.xlsx"
    write_excel(figures, ctx, target)
    book = openpyxl.load_workbook(target)
    d1 = {(r[0], r[1]): r for r in book["D1.nyckeltal"].iter_rows(min_row=4, values_only=True)}
    assert d1[("Bromma", "Placeringar med vårdplan")][2:] == (SUPPRESSED, SUPPRESSED, SUPPRESSED, "Saknas")
    d3 = {(r[0], r[1]): r for r in book["D3.forandring"].iter_rows(min_row=4, values_only=True)}
    assert d3[("Bromma", "Placeringar med vårdplan")][2:] == (SUPPRESSED, SUPPRESSED, SUPPRESSED, SUPPRESSED)


def test_arsrapport_is_preliminary_before_the_year_ends() -> None:
    figures = year_figures("0180")
    pages = _pdf_pages(figures, comparison_context("0180", report=Y))
    assert "Årsrapport till nämnden 2025" in pages[0] and "PRELIMINÄR" in pages[0]
    assert "Preliminär: året är inte slut" in pages[0]
    assert all("Preliminär" in page for page in pages)  # the running header of every page
    assert 4 <= len(pages) <= 8
    text = "\n".join(pages)
    assert "Prövolicenser som upphör inom 90 dagar" in text and "Rinkeby-Kista 2025-07-15 45 Nej" in text
    assert "Behov av grundutbildning" in text and "V004 Flera rader har samma nyckel" in text
    assert "Licenskontrollen per 31 maj 2025." in text
    summary = pages[0]
    assert "stadsdelar uppfyller samtliga licenskrav" in summary and "Datakvalitet: 9 rader" in summary


def test_arsrapport_of_an_ended_year_is_not_preliminary(tmp_path: Path) -> None:
    later = dt.date(2026, 1, 15)
    figures = [dataclasses.replace(f, as_of=later) if f.as_of == AS_OF else f for f in year_figures("bromma")]
    ctx = comparison_context("bromma", report=Y, as_of=later)
    text = visible_text(render_html(figures, ctx))
    assert "preliminär" not in text.lower()
    target = tmp_path / "y.xlsx"
    write_excel(figures, ctx, target)
    sheet = openpyxl.load_workbook(target)["Rapport"]
    facts = {r[0]: r[1] for r in sheet.iter_rows(values_only=True) if r[0]}
    assert "Preliminär" not in facts


def test_arsrapport_excel_holds_every_part(tmp_path: Path) -> None:
    target = tmp_path / "y.xlsx"
    write_excel(year_figures("vasterort"), comparison_context("vasterort", report=Y), target)
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["Rapport", "D1.nyckeltal", "D2.trend", "D3.forandring", "C.krav",
                               "C1.provolicens_slut", "C7.utbildningsbehov", "E1.karantan",
                               "E2.okand_handlaggare"]
    facts = {r[0]: r[1] for r in book["Rapport"].iter_rows(values_only=True) if r[0]}
    assert facts["Preliminär"].startswith("Ja")
    trials = list(book["C1.provolicens_slut"].iter_rows(min_row=4, values_only=True))
    assert trials == [("Rinkeby-Kista", dt.datetime(2025, 7, 15), 45, "Nej")]
    training = list(book["C7.utbildningsbehov"].iter_rows(min_row=4, values_only=True))
    assert training[-1] == ("Totalt", 2, 1, 3)
    quarantine = {r[0][:4]: r[1] for r in book["E1.karantan"].iter_rows(min_row=4, values_only=True)}
    assert quarantine["V004"] == 7 and quarantine["Rade"] == 9
    assert next(book["E2.okand_handlaggare"].iter_rows(min_row=4, values_only=True))[1] == 4


@pytest.mark.parametrize(("change", "shown"), [("-3.5", "−3,5"), ("12", "+12"), ("0.0", "0,0"), ("0", "0"),
                                               ("", "–"), ("..", ".."), ("1234", "+1234")])
def test_changes_are_signed_the_swedish_way(change: str, shown: str) -> None:
    assert signed(change) == shown
