"""The archive's pages in a real headless Chromium: the index and one report of each kind, rendered
from the figures' hand-made snapshot (tests/figures/figures_fixture.py) in internal mode.

Chromium is Debian's package (scripts/ensure-chromium.sh); without it these tests fail, they do not skip.
"""

from __future__ import annotations

import importlib
import re
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import ModuleType
from urllib.parse import unquote, urljoin, urlparse

import duckdb
import pytest
from browser_chromium import (
    Dom,
    Opened,
    distinct_colours,
    ink_share,
    off_machine,
    open_page,
    pixels,
    require_chromium,
    solid_blocks,
)
from pypdf import PdfReader

from bbic_core.documents import archive
from bbic_core.documents.charts import BLUE
from bbic_core.figures import Scope, ScopeLevel

FIGURES_TESTS = Path(__file__).resolve().parents[1] / "figures"
SCOPES = {"0999": ScopeLevel.MUNICIPALITY, "testnat": ScopeLevel.NETWORK, "norr": ScopeLevel.DISTRICT}
PERIOD_NAMES = ("year_to_date", "previous_year", "latest_tertial")
KINDS = ("verksamhet", "klientgrupp", "licens")
FILES = {"verksamhet": "norr/verksamhet_year_to_date.html",
         "klientgrupp": "norr/klientgrupp_year_to_date.html",
         "licens": "norr/licens_kontrolldag.html"}
# the klientgrupp's charts (B3) come after long tables: a taller window reaches them
HEIGHTS = {"verksamhet": 2000, "klientgrupp": 6000, "licens": 2000}
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
        archive.render_standard_set(con, fixture.fixture_register(), root, as_of=fixture.A,
                                    export_id=fixture.EXPORT_ID, formats=("html", "csv"), mode="internal",
                                    scopes=[Scope(level, code) for code, level in SCOPES.items()], workers=1)
    finally:
        con.close()
    return root


@pytest.fixture(scope="module")
def opened(reports: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Opened]:
    """Each report kind opened once: DOM, screenshot and print-to-PDF from one Chromium launch each,
    the three side by side (a launch mostly waits on its own start-up)."""
    work = tmp_path_factory.mktemp("chromium")

    def one(kind: str) -> Opened:
        return open_page(reports / "latest" / FILES[kind], work, screenshot=True, pdf=True,
                         height=HEIGHTS[kind])

    with ThreadPoolExecutor(max_workers=len(KINDS)) as pool:
        return dict(zip(KINDS, pool.map(one, KINDS), strict=True))


def assert_stays_on_machine(result: Opened, dom: Dom) -> None:
    assert result.page_requests == [], "the page asked for network addresses"
    assert [a for a in dom.addresses if off_machine(a)] == []
    assert "http:" not in result.dom and "https:" not in result.dom


def test_index_links_every_report_and_every_link_resolves(reports: Path, tmp_path: Path) -> None:
    index = reports / "latest" / "index.html"  # the address the README tells people to open
    result = open_page(index, tmp_path)
    dom = Dom.parse(result.dom)

    expected = {f"{folder}/{report}_{period}.html" for folder in SCOPES
                for report in ("verksamhet", "klientgrupp") for period in PERIOD_NAMES}
    expected |= {f"{folder}/licens_kontrolldag.html" for folder in SCOPES}
    expected |= {f"{folder}/arsrapport_{year}.html" for folder in SCOPES
                 for year in ("previous_year", "current_year")}
    expected |= {f"{folder}/jamforelse_{period}.html" for folder, level in SCOPES.items()
                 if level != ScopeLevel.DISTRICT for period in PERIOD_NAMES}
    expected |= {f"{folder}/figures.csv" for folder in SCOPES}
    hrefs = [href for href, _ in dom.links]
    assert sorted(hrefs) == sorted(expected)  # every scope × report × period once, nothing else
    for href, text in dom.links:
        target = Path(unquote(urlparse(urljoin(index.absolute().as_uri(), href)).path))
        assert target.is_file(), href
        assert text == ("figures.csv" if href.endswith(".csv") else "Webbsida")

    # Swedish text survives the trip through the browser (no mojibake from a wrong charset)
    for words in ("Rapporter per 15 juni 2025", "Föregående år", "Nätverk", "Testnätverket",
                  "Verksamhetsuppföljning", "Senaste hela tertialet", "Licenskontrollens kontrolldag",
                  "Testkommun", "Norr"):
        assert words in dom.text
    assert "Ã" not in dom.text
    assert dom.tags.get("script", 0) == 0
    assert_stays_on_machine(result, dom)


@pytest.mark.parametrize("kind", KINDS)
def test_report_page_has_its_header_facts_and_charts(kind: str, opened: dict[str, Opened],
                                                     reports: Path) -> None:
    result = opened[kind]
    dom = Dom.parse(result.dom)
    header = dom.header_text
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
    assert dom.tags.get("svg", 0) == source.count("<svg") == CHARTS[kind]
    assert dom.tags.get("figure", 0) == CHARTS[kind]
    assert dom.tags.get("script", 0) == 0
    assert_stays_on_machine(result, dom)


@pytest.mark.parametrize("kind", KINDS)
def test_report_screenshot_is_painted(kind: str, opened: dict[str, Opened]) -> None:
    png = opened[kind].screenshot
    assert png is not None
    rgb = pixels(png)
    assert rgb.shape == (HEIGHTS[kind], 1280, 3)
    assert distinct_colours(rgb) > 500  # text antialiasing, tables, the header's colours
    assert ink_share(rgb) > 0.02
    # the charts' bars are painted, not only present in the DOM; the licence check has none
    bars = solid_blocks(rgb, BLUE, BAR)
    assert bars > 0 if CHARTS[kind] else bars == 0


@pytest.mark.parametrize("kind", KINDS)
def test_print_to_pdf_numbers_its_pages(kind: str, opened: dict[str, Opened]) -> None:
    pdf = opened[kind].pdf
    assert pdf is not None
    pages = PdfReader(pdf).pages
    if kind != "licens":  # a district's licence check may fit on one page
        assert len(pages) > 1
    for number, page in enumerate(pages, start=1):
        assert f"sida {number} av {len(pages)}" in page.extract_text()
    assert "Stadsdel Norr" in pages[0].extract_text()


def test_the_network_checks_see_a_page_that_goes_online(tmp_path: Path) -> None:
    """The guard of the tests above: a page with outside addresses is caught by both checks."""
    page = tmp_path / "online.html"
    page.write_text('<!DOCTYPE html><html><head><meta charset="utf-8">'
                    '<link rel="stylesheet" href="https://cdn.example.org/site.css"></head>'
                    '<body><p>Över</p><img src="http://example.com/logo.png" alt=""></body></html>',
                    encoding="utf-8")
    result = open_page(page, tmp_path)
    dom = Dom.parse(result.dom)
    assert "http://example.com/logo.png" in result.page_requests
    assert [a for a in dom.addresses if off_machine(a)] == ["https://cdn.example.org/site.css",
                                                            "http://example.com/logo.png"]
    assert not off_machine("norr/verksamhet_year_to_date.html") and not off_machine("data:image/png;base64,")


def test_a_missing_browser_fails_with_the_way_to_install_it(tmp_path: Path) -> None:
    with pytest.raises(pytest.fail.Exception, match=re.escape("Run scripts/ensure-chromium.sh")):
        require_chromium(tmp_path / "chromium")
