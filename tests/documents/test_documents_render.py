"""HTML, PDF and Excel of the three reports, for a district, a network and the municipality:
the content is checked, not only that a file appears."""

from __future__ import annotations

import html as html_lib
import io
import re
from pathlib import Path

import openpyxl
import pytest
from documents_samples import NAMES, context, follow_up_figures, licence_figures
from pypdf import PdfReader

from bbic_core.documents.excel import sheet_name, write_excel
from bbic_core.documents.html import render_html
from bbic_core.documents.labels import format_number_sv
from bbic_core.documents.pdf import RefusedURLError, SafeURLFetcher, check_url, render_pdf
from bbic_core.figures.disclosure import apply_disclosure
from bbic_core.figures.figure import SUPPRESSED, Figure, ReportKind

SCOPES = ("bromma", "vasterort", "0180")
HIERARCHY = {"natverk:vasterort": ["stadsdel:bromma", "stadsdel:rinkeby_kista"],
             "natverk:sydost": ["stadsdel:farsta", "stadsdel:skarpnack"],
             "kommun:0180": ["natverk:vasterort", "natverk:sydost"]}


def visible_text(page: str) -> str:
    """The text a reader sees: no style, no tags, entities decoded."""
    page = re.sub(r"<style.*?</style>", " ", page, flags=re.S)
    page = re.sub(r"<[^>]+>", " ", page)
    return " ".join(html_lib.unescape(page).split())


def figures_for(report: ReportKind, scope: str) -> list[Figure]:
    if report == ReportKind.LICENS:
        return licence_figures(scope)
    return follow_up_figures(report)


def one(figures: list[Figure], scope: str, measure: str, breakdown: str) -> Figure:
    return next(f for f in figures if f.scope.endswith(f":{scope}") and f.measure == measure
                and f.breakdown == breakdown)


@pytest.mark.parametrize("scope", SCOPES)
def test_verksamhet_html_shows_labels_and_exact_figures(scope: str) -> None:
    figures = figures_for(ReportKind.VERKSAMHET, scope)
    page = render_html(figures, context(ReportKind.VERKSAMHET, scope))
    text = visible_text(page)
    assert NAMES[scope] in text and "Verksamhetsuppföljning" in text
    assert "Intern – exakta tal" in text and "paraply-0180-20250531-0200" in text
    for label in ("Anmälan", "Information på annat sätt", "Familjehem", "LVU 2 §", "Placering (dygnsvård)",
                  "Utredning inleds inte", "mars 2025"):
        assert label in text, label
    total = one(figures, scope, "A1.aktualiseringar", "typ=ALL")
    assert f"Totalt {format_number_sv(total.value)}" in text
    share = one(figures, scope, "A5.utr_inom_4man", "ALL")
    assert f"{format_number_sv(share.value)} %" in text
    assert f"{share.numerator} av {share.denominator}" in text
    for raw in ("FAMILJEHEM", "LVU_2", "INTE_INLEDA", "PLACERING", "ANMALAN", "typ=", "ALL"):
        assert raw not in text, raw
    assert "<svg" in page and "sida" not in text  # the page number lives in the print CSS only
    assert "@page" in page and "counter(pages)" in page


@pytest.mark.parametrize("scope", SCOPES)
def test_klientgrupp_html_labels_cross_tables(scope: str) -> None:
    figures = figures_for(ReportKind.KLIENTGRUPP, scope)
    text = visible_text(render_html(figures, context(ReportKind.KLIENTGRUPP, scope)))
    for label in ("Föräldrars missbruk", "Uppgift saknas", "Pojke", "Flicka", "Okänt", "13–15 år",
                  "Känslo- och beteendemässig utveckling", "Barnets behov", "Hem för vård eller boende (HVB)",
                  "Överförd till annan kommun", "BBIC 2006"):
        assert label in text, label
    for raw in ("FORALDRARS_MISSBRUK", "SAKNAS", "BB_KANSLOR_BETEENDE", "OVERFORD", "okant", "HVB&"):
        assert raw not in text, raw
    margin = [one(figures, scope, "B1.utredda_barn", f"alder=ALL&kon={k}").value
              for k in ("1", "2", "okant", "ALL")]
    assert "Totalt " + " ".join(format_number_sv(v) for v in margin) in text  # the cross-table's total row


@pytest.mark.parametrize("scope", SCOPES)
def test_licens_html_status_words_and_marks(scope: str) -> None:
    figures = licence_figures(scope)
    text = visible_text(render_html(figures, context(ReportKind.LICENS, scope)))
    assert "Licenskontroll" in text and "✔ Uppfyllt" in text
    assert "R4 Alla BBIC-användare har grundutbildning" in text
    assert "Prövolicens" in text or scope == "bromma"
    if scope != "bromma":
        assert "✘ Ej uppfyllt" in text and "Krav per stadsdel" in text
        assert "RK1000" in text  # internal: the user ids are listed
    for raw in ("EJ_UPPFYLLT", "UNDERLAG_SAKNAS", "PROVOLICENS", "stadsdel=", "krav="):
        assert raw not in text, raw


def test_published_licence_lists_no_ids_and_says_published() -> None:
    figures = apply_disclosure(licence_figures("vasterort"))
    text = visible_text(render_html(figures, context(ReportKind.LICENS, "vasterort", mode="published")))
    assert "Publicerad – röjandekontroll tillämpad" in text and "RK1000" not in text


def test_names_are_escaped() -> None:
    names = {**NAMES, "bromma": "<script>alert('x')</script>"}
    figures = licence_figures("bromma")
    page = render_html(figures, context(ReportKind.LICENS, "bromma", names=names))
    assert "<script>" not in page
    assert "&lt;script&gt;" in page


def test_html_is_self_contained() -> None:
    page = render_html(follow_up_figures(ReportKind.VERKSAMHET), context(ReportKind.VERKSAMHET, "0180"))
    assert not re.search(r"(https?:)?//[a-z]", page.replace("://", "§"))  # no address at all
    assert "http" not in page and "<script" not in page and "<link" not in page
    again = render_html(follow_up_figures(ReportKind.VERKSAMHET), context(ReportKind.VERKSAMHET, "0180"))
    assert again == page  # deterministic (pygal's random chart ids are replaced)


def test_published_html_shows_two_dots_for_hidden_cells() -> None:
    figures = apply_disclosure(follow_up_figures(ReportKind.KLIENTGRUPP), hierarchy=HIERARCHY)
    hidden = [f for f in figures if f.scope == "stadsdel:bromma" and f.value == SUPPRESSED]
    assert hidden
    text = visible_text(render_html(figures, context(ReportKind.KLIENTGRUPP, "bromma", mode="published")))
    assert " .. " in text and "röjandeskäl" in text


def test_url_fetcher_refuses_the_network_and_foreign_files() -> None:
    for url in ("http://example.com/a.css", "https://cdn.example.org/x.js", "ftp://h/f", "file:///etc/passwd",
                "file://remote/share/x.css"):
        with pytest.raises(RefusedURLError):
            check_url(url)
        with pytest.raises(RefusedURLError):
            SafeURLFetcher().fetch(url)
    check_url("data:text/plain,hej")
    check_url("file:///usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def test_pdf_of_a_network_report_holds_its_text(tmp_path: Path) -> None:
    figures = follow_up_figures(ReportKind.VERKSAMHET)
    target = tmp_path / "v.pdf"
    render_pdf(render_html(figures, context(ReportKind.VERKSAMHET, "vasterort")), target)
    reader = PdfReader(target)
    text = " ".join(page.extract_text() for page in reader.pages)
    first = reader.pages[0].extract_text()
    assert "Västerort" in first and "sida 1 av" in first
    assert f"sida {len(reader.pages)} av {len(reader.pages)}" in text
    assert "Verksamhetsuppföljning" in text and "Förhandsbedömning" in text  # å ä ö survive
    total = one(figures, "vasterort", "A1.aktualiseringar", "typ=ALL")
    assert f"Totalt {format_number_sv(total.value)}" in text


def test_pdf_of_a_licence_check_with_refused_resource_fails() -> None:
    page = render_html(licence_figures("bromma"), context(ReportKind.LICENS, "bromma"))
    data = render_pdf(page)
    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert "Bromma" in text and "Licenskontroll" in text and "sida 1 av" in text
    with pytest.raises(RefusedURLError):
        render_pdf(page.replace("</body>", '<img src="http://example.com/t.png"></body>'))


@pytest.mark.parametrize("report", [ReportKind.VERKSAMHET, ReportKind.KLIENTGRUPP, ReportKind.LICENS])
def test_excel_numbers_are_numbers_and_hidden_cells_two_dots(report: ReportKind, tmp_path: Path) -> None:
    scope = "vasterort"
    figures = figures_for(report, scope)
    published = apply_disclosure(figures, hierarchy=HIERARCHY) if report != ReportKind.LICENS else figures
    target = tmp_path / "r.xlsx"
    write_excel(published, context(report, scope, mode="published"), target)
    book = openpyxl.load_workbook(target)
    assert book.sheetnames[0] == "Rapport"
    assert len(book.sheetnames) == len({n.lower() for n in book.sheetnames}) > 2
    assert all(len(n) <= 31 for n in book.sheetnames)
    facts = {row[0]: row[1] for row in book["Rapport"].iter_rows(values_only=True) if row[0]}
    assert facts["Omfattning"] == "Nätverk Västerort" and facts["Rader i karantän"] == 3
    cells = [c for ws in book.worksheets[1:] for row in ws.iter_rows(min_row=4) for c in row]
    numbers = [c for c in cells if isinstance(c.value, int | float)]
    assert numbers and not any(isinstance(c.value, str) and re.fullmatch(r"-?\d+(\.\d+)?", c.value)
                               for c in cells)
    if report == ReportKind.VERKSAMHET:
        sheet = book["A1.aktualiseringar"]
        rows = {r[0]: r[1] for r in sheet.iter_rows(min_row=4, values_only=True)}
        expected = one(published, scope, "A1.aktualiseringar", "typ=ALL").value
        assert rows["Totalt"] == (SUPPRESSED if expected == SUPPRESSED else int(expected))
        key = {r[1]: r for r in book["Nyckeltal"].iter_rows(min_row=4, values_only=True)}
        share = one(published, scope, "A5.utr_inom_4man", "ALL")
        row = key["Utredningar avslutade inom fyra månader"]
        if share.value == SUPPRESSED:
            assert row[2:5] == (SUPPRESSED, SUPPRESSED, SUPPRESSED)
        else:
            assert row[2] == pytest.approx(float(share.value)) and row[3:5] == (int(share.numerator),
                                                                                int(share.denominator))
        share_cells = [c for c in book["Nyckeltal"]["C"][3:] if isinstance(c.value, int | float)]
        assert any(c.number_format == "0.0" for c in share_cells)
    if report == ReportKind.KLIENTGRUPP:
        assert any(c.value == SUPPRESSED for c in cells)
    if report == ReportKind.LICENS:
        krav = book["C.krav"]
        assert [c.value for c in krav[3]][:2] == ["Stadsdel", "R1"]
        assert "Ej uppfyllt" in [c.value for row in krav.iter_rows(min_row=4) for c in row]


def test_sheet_names_are_short_unique_and_valid() -> None:
    taken: set[str] = set()
    names = [sheet_name("A5.utr_inom_beslutad_tid efter något långt namn", taken) for _ in range(3)]
    names.append(sheet_name("a/b:c*d?[e]", taken))
    assert all(len(n) <= 31 for n in names) and len(set(names)) == 4
    assert names[3] == "a-b-c-d--e-"


def test_pdf_draws_each_chart_as_the_same_svg_image(tmp_path: Path) -> None:
    """The PDF takes each chart as an SVG image (out of the page's parse and cascade): the page's SVG in
    its print variant, a standalone XML document, and the PDF holds the charts' text as with inline
    charts."""
    import base64
    import xml.etree.ElementTree as ET

    from bbic_core.documents.charts import print_svg
    from bbic_core.documents.pdf import charts_as_images

    figures = follow_up_figures(ReportKind.VERKSAMHET)
    page = render_html(figures, context(ReportKind.VERKSAMHET, "vasterort"))
    charts = re.findall(r'<svg\b[^>]*class="pygal-chart".*?</svg>', page, re.S)
    assert charts
    printed = charts_as_images(page)
    assert 'class="pygal-chart"' not in printed.replace('<img class="pygal-chart"', "")
    images = re.findall(r'<img class="pygal-chart" alt="" src="data:image/svg\+xml;base64,([^"]+)">', printed)
    assert len(images) == len(charts)
    for chart, data in zip(charts, images, strict=True):
        svg = base64.b64decode(data).decode("utf-8")
        assert svg == print_svg(chart).replace("<svg", '<svg xmlns="http://www.w3.org/2000/svg"', 1)
        assert ET.fromstring(svg).tag == "{http://www.w3.org/2000/svg}svg"
    # the rest of the page is untouched
    assert re.sub(r'<img class="pygal-chart"[^>]*>', "", printed) == re.sub(
        r'<svg\b[^>]*class="pygal-chart".*?</svg>', "", page, flags=re.S)
    target = tmp_path / "v.pdf"
    render_pdf(page, target)
    text = " ".join(p.extract_text() for p in PdfReader(target).pages)
    labels = {t for chart in charts for t in re.findall(r"<text[^>]*>([^<]+)</text>", chart) if t.strip()}
    assert labels and all(label in text for label in sorted(labels))
