"""The portal in a real browser (Playwright on Debian's Chromium) against the running portal of
tests/portal/portal_server.py: sign in, Översikt, a report of the archive with its PDF and Excel, a
report made on demand, sign out; and the keyboard alone signing in and making a report.

The deployment: the current snapshot is export E2 as of 2025-02-28 with an internal report set for
the municipality, the network `vasterort` and the districts `bromma` and `spanga`.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from chromium_launch import Traffic
from playwright.sync_api import Browser, BrowserContext, Download, Page
from portal_pages import FocusWalk, sign_in, sign_out
from portal_server import INTERNAL_AS_OF, PortalServer
from pypdf import PdfReader

EXPORT = "E2"


@pytest.fixture
def context(portal_server: PortalServer, chromium: Browser) -> Iterator[BrowserContext]:
    # the portal (its deployment runs the pipeline) starts before the browser's event loop does
    context = chromium.new_context(accept_downloads=True, locale="sv-SE")
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def traffic(context: BrowserContext) -> Traffic:
    return Traffic.watch(context)


@pytest.fixture
def page(context: BrowserContext, traffic: Traffic) -> Page:
    return context.new_page()


def words(page: Page, selector: str = "body") -> str:
    return " ".join(" ".join(page.locator(selector).all_inner_texts()).split())


def saved(download: Download, folder: Path) -> Path:
    assert download.failure() is None
    target = folder / download.suggested_filename
    download.save_as(target)
    return target


def pdf_text(path: Path) -> tuple[int, str]:
    reader = PdfReader(path)
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def xlsx_rows(path: Path) -> dict[str, list[list[object]]]:
    """The non-empty cells of every row of every sheet, by sheet name."""
    workbook = openpyxl.load_workbook(io.BytesIO(path.read_bytes()), read_only=True)
    try:
        return {sheet.title: [[value for value in row if value is not None]
                              for row in sheet.iter_rows(values_only=True)]
                for sheet in workbook.worksheets}
    finally:
        workbook.close()


def test_sign_in_oversikt_and_sign_out(portal_server: PortalServer, page: Page, context: BrowserContext,
                                       chromium: Browser, traffic: Traffic) -> None:
    base = portal_server.base_url
    page.goto(f"{base}/")
    assert "/logga-in" in page.url  # the start page asks for a sign-in first
    assert page.locator("h1").inner_text() == "Logga in"

    sign_in(page, base, "samordnare", portal_server.passwords["samordnare"])
    assert page.url == f"{base}/"
    assert page.locator("h1").inner_text() == "Översikt"
    text = words(page)
    assert f"Uppgifter per {INTERNAL_AS_OF}, export {EXPORT}" in text
    assert "Inloggad som samordnare" in text
    # the key figures: a row per scope the coordinator may read, with header cells
    table = page.locator("table.data")
    assert table.locator("thead th").first.inner_text() == "Område"
    areas = [" ".join(t.split()) for t in table.locator("tbody th[scope=row]").all_inner_texts()]
    for area in ("Bromma", "Spånga", "Kista", "Västerort"):
        assert any(area in a for a in areas), (area, areas)
    menu = page.get_by_role("navigation", name="Huvudmeny").get_by_role("link").all_inner_texts()
    assert menu == ["Översikt", "Rapporter", "Ny rapport", "Licenskontroll", "Status", "Logg"]
    session = next(c for c in context.cookies() if c["name"] == "bbic_session")
    assert session["httpOnly"] and session["sameSite"] == "Lax"

    sign_out(page)
    assert page.url == f"{base}/logga-in" and page.locator("h1").inner_text() == "Logga in"
    assert not [c for c in context.cookies() if c["name"] == "bbic_session"]
    page.goto(f"{base}/")
    assert "/logga-in" in page.url
    # the old cookie, kept by someone else, is dead on the server too
    other = chromium.new_context()
    try:
        other.add_cookies([{**session}])  # type: ignore[list-item]
        stolen = other.new_page()
        stolen.goto(f"{base}/")
        assert "/logga-in" in stolen.url
    finally:
        other.close()
    assert traffic.urls and traffic.off_machine == []


def test_a_district_opens_its_report_and_downloads_pdf_and_excel(portal_server: PortalServer, page: Page,
                                                                 tmp_path: Path, traffic: Traffic) -> None:
    base = portal_server.base_url
    sign_in(page, base, "bromma", portal_server.passwords["bromma"])
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Rapporter").click()
    assert page.locator("h1").inner_text() == "Rapporter"
    assert page.get_by_label("Uppgifter per").input_value() == INTERNAL_AS_OF
    archive = f"/rapporter/arkiv/{INTERNAL_AS_OF}/bromma/verksamhet_year_to_date"

    # the web page of the report, in the browser
    page.locator(f'a[href="{archive}.html"]').click()
    page.wait_for_load_state("load")
    assert page.url == f"{base}{archive}.html"
    header = words(page, "header")
    assert "Verksamhetsuppföljning Stadsdel Bromma" in header
    assert f"Export {EXPORT}" in header and "Rapporttyp Intern – exakta tal" in header
    assert "Period Hittills i år: 2025-01-01 – 2025-02-28" in header
    page.go_back()

    # its PDF and its workbook, downloaded as a person clicks them
    with page.expect_download() as pdf_download:
        page.locator(f'a[href="{archive}.pdf"]').click()
    pdf = saved(pdf_download.value, tmp_path)
    assert pdf.read_bytes().startswith(b"%PDF")
    pages, text = pdf_text(pdf)
    assert "Stadsdel Bromma" in text and EXPORT in text and "Intern – exakta tal" in text
    assert f"sida {pages} av {pages}" in text

    with page.expect_download() as xlsx_download:
        page.locator(f'a[href="{archive}.xlsx"]').click()
    sheets = xlsx_rows(saved(xlsx_download.value, tmp_path))
    facts = {str(row[0]): row[1] for row in sheets["Rapport"] if len(row) == 2}
    assert facts["Rapport"] == "Verksamhetsuppföljning" and facts["Omfattning"] == "Stadsdel Bromma"
    assert facts["Period"] == "Hittills i år: 2025-01-01 – 2025-02-28"
    assert facts["Uppgifter per"] == INTERNAL_AS_OF and facts["Export"] == EXPORT
    assert facts["Rapporttyp"] == "Intern – exakta tal"
    key_figures = sheets["Nyckeltal"]
    header = next(row for row in key_figures if row[:1] == ["Måttgrupp"])
    assert header[:5] == ["Måttgrupp", "Mått", "Värde", "Täljare", "Nämnare"] and "Året innan" in header
    a1 = next(row for row in key_figures if row[:2] == ["A1 Aktualiseringar", "Barn med aktualisering"])
    assert isinstance(a1[2], int)  # an exact count in an internal workbook, a number and not text
    assert traffic.off_machine == []


def test_a_report_made_on_demand(portal_server: PortalServer, page: Page, tmp_path: Path,
                                 traffic: Traffic) -> None:
    base = portal_server.base_url
    sign_in(page, base, "samordnare", portal_server.passwords["samordnare"])
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Ny rapport").click()
    assert page.locator("h1").inner_text() == "Ny rapport"
    assert f"export {EXPORT}, uppgifter per {INTERNAL_AS_OF}" in words(page)

    page.get_by_label("Område").select_option("spanga")
    page.get_by_label("Rapport", exact=True).select_option("klientgrupp")
    page.get_by_label("Från (vid egen period, ÅÅÅÅ-MM-DD)").fill("2025-01-01")
    page.get_by_label("Till (vid egen period, ÅÅÅÅ-MM-DD)").fill("2025-02-15")
    page.get_by_label("Period", exact=True).select_option(index=page.get_by_label(
        "Period", exact=True).locator("option").count() - 1)  # the last preset: an own period
    page.get_by_role("radio", name="Publicerad", exact=False).check()
    page.get_by_role("radio", name="PDF").check()
    with page.expect_download() as made:
        page.get_by_role("button", name="Ta fram rapporten").click()
    pdf = saved(made.value, tmp_path)
    pages, text = pdf_text(pdf)
    assert "Stadsdel Spånga" in text and EXPORT in text and "Publicerad" in text
    assert f"sida 1 av {pages}" in text

    # the same form as a web page, in the browser
    page.goto(f"{base}/ny-rapport")
    page.get_by_label("Område").select_option("spanga")
    page.get_by_label("Rapport", exact=True).select_option("licens")
    page.get_by_role("radio", name="Webbsida").check()
    page.get_by_role("button", name="Ta fram rapporten").click()
    page.wait_for_load_state("load")
    header = words(page, "header")
    assert "Licenskontroll Stadsdel Spånga" in header and f"Export {EXPORT}" in header
    assert traffic.off_machine == []


def test_the_keyboard_alone_signs_in(portal_server: PortalServer, page: Page) -> None:
    base = portal_server.base_url
    page.goto(f"{base}/logga-in")
    walk = FocusWalk(page)
    assert len(walk.tab_to("Hoppa till innehållet")) == 1  # the skip link comes first
    walk.tab_to("anvandare")
    page.keyboard.type("samordnare")
    walk.tab_to("losenord")
    page.keyboard.type(portal_server.passwords["samordnare"])
    walk.tab_to("Logga in")
    assert walk.unseen() == [], "the focus cannot be seen on these"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == "Översikt"
    assert "Inloggad som samordnare" in words(page)


def test_the_keyboard_alone_makes_a_report(portal_server: PortalServer, page: Page, tmp_path: Path) -> None:
    base = portal_server.base_url
    sign_in(page, base, "bromma", portal_server.passwords["bromma"])
    walk = FocusWalk(page)
    walk.tab_to("Ny rapport")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == "Ny rapport"
    walk = FocusWalk(page)
    # every field of the form on the way to its button, in reading order; a date field takes a Tab
    # per part (year, month, day) and one for its calendar button
    passed = walk.tab_to("Ta fram rapporten")
    fields = list(dict.fromkeys(f.id for f in passed if f.tag in ("select", "input")))
    assert fields == ["omrade", "rapport", "period", "fran", "till", "datum", "lage-internal", "format-pdf"]
    assert walk.unseen() == [], "the focus cannot be seen on these"
    with page.expect_download() as made:
        page.keyboard.press("Enter")
    _, text = pdf_text(saved(made.value, tmp_path))
    # the form's defaults: the municipality, internal asked for; a district gets it published
    assert "Stockholm (hela kommunen)" in text and EXPORT in text
    assert "Publicerad – röjandekontroll tillämpad" in text


def test_the_focus_check_sees_a_hidden_focus(page: Page) -> None:
    """The guard of the two tests above: a button whose focus ring is taken away is caught."""
    page.set_content('<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8"><title>t</title><style>'
                     '#dold:focus { outline: none } #synlig:focus { outline: 3px solid #d35400 }</style>'
                     '</head><body><button id="synlig">Synlig</button> <button id="dold">Dold</button>'
                     '</body></html>')
    walk = FocusWalk(page)
    walk.tab_to("dold")
    assert [(tag, name) for tag, name, _, _ in walk.unseen()] == [("button", "dold")]
