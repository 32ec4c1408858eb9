"""The archive's pages in a real headless Chromium (Playwright on Debian's Chromium): the index and one
report of each kind, rendered from the figures' hand-made snapshot (tests/figures/figures_fixture.py)
in internal mode.

Chromium is Debian's package (scripts/ensure-chromium.sh); without it these tests fail, they do not skip.
"""

from __future__ import annotations

import importlib
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from urllib.parse import unquote, urljoin, urlparse

import duckdb
import pytest
from chromium_launch import Traffic, addresses, off_machine, require_chromium
from playwright.sync_api import Browser, Page
from pypdf import PdfReader
from screen_pixels import distinct_colours, ink_share, pixels, solid_blocks

from bbic_core.documents import report_set
from bbic_core.documents.charts import BLUE
from bbic_core.scopes import Scope, ScopeLevel

FIGURES_TESTS = Path(__file__).resolve().parents[1] / "figures"
SCOPES = {"0999": ScopeLevel.MUNICIPALITY, "testnat": ScopeLevel.NETWORK, "norr": ScopeLevel.DISTRICT}
PERIOD_NAMES = ("year_to_date", "previous_year", "latest_tertial")
KINDS = ("verksamhet", "klientgrupp", "licens")
FILES = {"verksamhet": "norr/verksamhet_year_to_date.html",
         "klientgrupp": "norr/klientgrupp_year_to_date.html",
         "licens": "norr/licens_kontrolldag.html"}
# the klientgrupp's charts (B3) come after long tables: a taller window reaches them
HEIGHTS = {"verksamhet": 2000, "klientgrupp": 6000, "licens": 2000}
WIDTH = 1280
CHARTS = {"verksamhet": 3, "klientgrupp": 2, "licens": 0}  # A1 and A4 months, A5 times; B3 2006 and 2016
BAR = 12  # a chart bar holds a solid square of this many pixels; a rule or a letter does not


def figures_fixture() -> ModuleType:
    """The figures' key-test snapshot and register (a sibling test folder, not a package)."""
    if str(FIGURES_TESTS) not in sys.path:
        sys.path.insert(0, str(FIGURES_TESTS))
    return importlib.import_module("figures_fixture")


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`REPORTS/` with one small set: html and csv for the municipality, the network and one district."""
    require_chromium()  # fail before rendering anything when the browser is not there
    fixture = figures_fixture()
    root = tmp_path_factory.mktemp("browser") / "REPORTS"
    con = duckdb.connect()
    try:
        fixture.load_fixture(con)
        report_set.render_standard_set(con, fixture.fixture_register(), root, as_of=fixture.A,
                                    export_id=fixture.EXPORT_ID, formats=("html", "csv"), mode="internal",
                                    scopes=[Scope(level, code) for code, level in SCOPES.items()], workers=1)
    finally:
        con.close()
    return root


@dataclass(frozen=True)
class Opened:
    """What Chromium made of one page."""

    dom: str  # the DOM after rendering, serialised
    header_text: str
    tags: dict[str, int]  # how many of a few elements the rendered DOM holds
    traffic: Traffic
    screenshot: Path
    pdf: Path


def _text(page: Page, selector: str) -> str:
    return " ".join(" ".join(page.locator(selector).all_inner_texts()).split())


def open_report(browser: Browser, page_file: Path, out: Path, height: int) -> Opened:
    """Load `page_file` by its `file://` URL in a fresh context; screenshot the window and print to PDF
    with the page's own @page boxes."""
    context = browser.new_context(viewport={"width": WIDTH, "height": height})
    traffic = Traffic.watch(context)
    try:
        page = context.new_page()
        page.goto(page_file.absolute().as_uri(), wait_until="load")  # as given: `latest/` stays `latest/`
        png, printed = out / f"{page_file.stem}.png", out / f"{page_file.stem}.pdf"
        page.screenshot(path=png)
        page.pdf(path=printed, prefer_css_page_size=True)
        tags = {tag: page.locator(tag).count() for tag in ("svg", "figure", "script")}
        return Opened(page.content(), _text(page, "header"), tags, traffic, png, printed)
    finally:
        context.close()


@pytest.fixture(scope="module")
def opened(reports: Path, chromium: Browser, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Opened]:
    """Each report kind opened once: DOM, screenshot and print-to-PDF."""
    out = tmp_path_factory.mktemp("chromium")
    return {kind: open_report(chromium, reports / "latest" / FILES[kind], out, HEIGHTS[kind])
            for kind in KINDS}


def assert_stays_on_machine(dom: str, traffic: Traffic) -> None:
    assert traffic.urls, "the browser saw no request at all: the watch is broken"
    assert traffic.off_machine == [], "the page asked for network addresses"
    assert [a for a in addresses(dom) if off_machine(a)] == []
    assert "http:" not in dom and "https:" not in dom


def test_index_links_every_report_and_every_link_resolves(reports: Path, chromium: Browser) -> None:
    index = reports / "latest" / "index.html"  # the address the README tells people to open
    context = chromium.new_context()
    traffic = Traffic.watch(context)
    try:
        page = context.new_page()
        page.goto(index.absolute().as_uri(), wait_until="load")
        found = page.eval_on_selector_all("a", "as => as.map(a => [a.getAttribute('href'), a.textContent])")
        links = [(str(href), " ".join(str(text).split())) for href, text in found]
        text = _text(page, "body")
        scripts = page.locator("script").count()
        dom = page.content()
    finally:
        context.close()

    expected = {f"{folder}/{report}_{period}.html" for folder in SCOPES
                for report in ("verksamhet", "klientgrupp") for period in PERIOD_NAMES}
    expected |= {f"{folder}/licens_kontrolldag.html" for folder in SCOPES}
    expected |= {f"{folder}/arsrapport_{year}.html" for folder in SCOPES
                 for year in ("previous_year", "current_year")}
    expected |= {f"{folder}/jamforelse_{period}.html" for folder, level in SCOPES.items()
                 if level != ScopeLevel.DISTRICT for period in PERIOD_NAMES}
    expected |= {f"{folder}/figures.csv" for folder in SCOPES}
    hrefs = [href for href, _ in links]
    assert sorted(hrefs) == sorted(expected)  # every scope × report × period once, nothing else
    for href, link_text in links:
        target = Path(unquote(urlparse(urljoin(index.absolute().as_uri(), href)).path))
        assert target.is_file(), href
        assert link_text == ("figures.csv" if href.endswith(".csv") else "Webbsida")

    # Swedish text survives the trip through the browser (no mojibake from a wrong charset)
    for words in ("Rapporter per 15 juni 2025", "Föregående år", "Nätverk", "Testnätverket",
                  "Verksamhetsuppföljning", "Senaste hela tertialet", "Licenskontrollens kontrolldag",
                  "Testkommun", "Norr"):
        assert words in text
    assert "Ã" not in text
    assert scripts == 0
    assert_stays_on_machine(dom, traffic)


@pytest.mark.parametrize("kind", KINDS)
def test_report_page_has_its_header_facts_and_charts(kind: str, opened: dict[str, Opened],
                                                     reports: Path) -> None:
    result = opened[kind]
    header = result.header_text
    title = {"verksamhet": "Verksamhetsuppföljning", "klientgrupp": "Klientgruppen",
             "licens": "Licenskontroll"}[kind]
    assert f"{title} Stadsdel Norr" in header
    assert "Export EXP-0999-20250615" in header and "Rapporttyp Intern – exakta tal" in header
    if kind == "licens":
        assert "Kontrolldag 15 juni 2025 (2025-06-15)" in header
        assert "Tolv månader bakåt 2024-06-16 – 2025-06-15" in header
    else:
        assert "Period Hittills i år: 2025-01-01 – 2025-06-15" in header
        assert "Uppgifter per 15 juni 2025 (2025-06-15)" in header

    # the inline charts are in the DOM Chromium built, as many as the file holds
    source = (reports / "latest" / FILES[kind]).read_text(encoding="utf-8")
    assert result.tags["svg"] == source.count("<svg") == CHARTS[kind]
    assert result.tags["figure"] == CHARTS[kind]
    assert result.tags["script"] == 0
    assert_stays_on_machine(result.dom, result.traffic)


@pytest.mark.parametrize("kind", KINDS)
def test_report_screenshot_is_painted(kind: str, opened: dict[str, Opened]) -> None:
    rgb = pixels(opened[kind].screenshot)
    assert rgb.shape == (HEIGHTS[kind], WIDTH, 3)
    assert distinct_colours(rgb) > 500  # text antialiasing, tables, the header's colours
    assert ink_share(rgb) > 0.02
    # the charts' bars are painted, not only present in the DOM; the licence check has none
    bars = solid_blocks(rgb, BLUE, BAR)
    assert bars > 0 if CHARTS[kind] else bars == 0


@pytest.mark.parametrize("kind", KINDS)
def test_print_to_pdf_numbers_its_pages(kind: str, opened: dict[str, Opened]) -> None:
    pages = PdfReader(opened[kind].pdf).pages
    if kind != "licens":  # a district's licence check may fit on one page
        assert len(pages) > 1
    for number, page in enumerate(pages, start=1):
        assert f"sida {number} av {len(pages)}" in page.extract_text()
    assert "Stadsdel Norr" in pages[0].extract_text()


def test_the_network_checks_see_a_page_that_goes_online(tmp_path: Path, chromium: Browser) -> None:
    """The guard of the tests above: a page with outside addresses is caught by both checks."""
    page_file = tmp_path / "online.html"
    page_file.write_text('<!DOCTYPE html><html><head><meta charset="utf-8">'
                         '<link rel="stylesheet" href="https://cdn.example.org/site.css"></head>'
                         '<body><p>Över</p><img src="http://example.com/logo.png" alt=""></body></html>',
                         encoding="utf-8")
    context = chromium.new_context()
    traffic = Traffic.watch(context)
    try:
        page = context.new_page()
        page.goto(page_file.as_uri(), wait_until="load")
        dom = page.content()
        assert page.inner_text("p") == "Över"
    finally:
        context.close()
    assert "http://example.com/logo.png" in traffic.off_machine
    assert [a for a in addresses(dom) if off_machine(a)] == ["https://cdn.example.org/site.css",
                                                             "http://example.com/logo.png"]
    assert not off_machine("norr/verksamhet_year_to_date.html") and not off_machine("data:image/png;base64,")
    assert not off_machine("http://127.0.0.1:8000/rapporter") and off_machine("http://127.0.0.2.example.org/")


def test_a_missing_browser_fails_with_the_way_to_install_it(tmp_path: Path) -> None:
    with pytest.raises(pytest.fail.Exception, match=re.escape("Run scripts/ensure-chromium.sh")):
        require_chromium(tmp_path / "chromium")
