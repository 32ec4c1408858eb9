"""WCAG 2.1 A and AA in a real browser: axe-core (axe-playwright-python) on every page of the portal,
signed in as each role, and on the pages one sees before signing in. Zero violations is the bar.

A page is checked as the user meets it: reached through the portal's own links and forms where a
person would, in states that matter (a form with its error messages, a refusal, a page not found).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page
from portal_pages import Violation, axe_violations, sign_in
from portal_server import INTERNAL_AS_OF, PUBLISHED_AS_OF, PortalServer

# one account per kind of role (portal_server.ACCOUNTS); kista is a district without reports
ROLES = {"samordnare": "samordnare", "bromma": "stadsdel:bromma", "vasterort": "natverk:vasterort",
         "kista": "stadsdel:kista", "lasare": "lasare"}


@pytest.fixture
def context(portal_server: PortalServer, chromium: Browser) -> Iterator[BrowserContext]:
    # the portal (its deployment runs the pipeline) starts before the browser's event loop does
    context = chromium.new_context(locale="sv-SE")
    try:
        yield context
    finally:
        context.close()



def check(page: Page, found: dict[str, list[Violation]], label: str) -> None:
    page.wait_for_load_state("load")
    assert page.locator("html").get_attribute("lang") == "sv", label
    found[f"{label} ({page.url})"] = axe_violations(page)


def report(found: dict[str, list[Violation]]) -> str:
    return "\n".join(f"{page}: {violation}" for page, violations in found.items() for violation in violations)


def test_axe_finds_what_it_should(context: BrowserContext) -> None:
    """The guard of the tests below: a page with known faults gives exactly those rule ids."""
    page = context.new_page()
    page.set_content('<!DOCTYPE html><html><head><meta charset="utf-8"><title>t</title></head><body><main>'
                     '<h1>Fel</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
                     '<label>Namn</label><input id="n"><p style="color:#bbb">grå text</p>'
                     '</main></body></html>')
    rules = {v.rule for v in axe_violations(page)}
    assert rules == {"html-has-lang", "image-alt", "label", "color-contrast"}


def test_pages_before_signing_in(portal_server: PortalServer, context: BrowserContext) -> None:
    base = portal_server.base_url
    page = context.new_page()
    found: dict[str, list[Violation]] = {}
    page.goto(f"{base}/")  # the start page sends one to sign in
    check(page, found, "inloggning")
    page.get_by_label("Användarnamn").fill("lasare")
    page.get_by_label("Lösenord").fill("fel lösenord, fel")
    page.get_by_role("button", name="Logga in").click()
    check(page, found, "inloggning med felmeddelande")
    page.get_by_role("link", name="Tillgänglighetsredogörelse").click()
    check(page, found, "tillgänglighetsredogörelse")
    assert report(found) == ""


@pytest.mark.parametrize("user", list(ROLES), ids=[f"{u}={r}" for u, r in ROLES.items()])
def test_every_page_of_the_menu(user: str, portal_server: PortalServer, context: BrowserContext) -> None:
    """Each role's menu, every page of it reached through the menu: what each role sees differs (the
    scopes, the versions, the coordinator's Status and Logg)."""
    base = portal_server.base_url
    page = context.new_page()
    sign_in(page, base, user, portal_server.passwords[user])
    found: dict[str, list[Violation]] = {}
    labels = page.get_by_role("navigation", name="Huvudmeny").get_by_role("link").all_inner_texts()
    assert labels[:4] == ["Översikt", "Rapporter", "Ny rapport", "Licenskontroll"]
    assert ("Status" in labels and "Logg" in labels) == (ROLES[user] == "samordnare")
    for label in labels:
        page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name=label, exact=True).click()
        check(page, found, label)
    assert report(found) == ""


def test_pages_in_their_other_states(portal_server: PortalServer, context: BrowserContext) -> None:
    """The same pages after a person has used their forms: another date, error messages, a filter."""
    base = portal_server.base_url
    page = context.new_page()
    sign_in(page, base, "samordnare", portal_server.passwords["samordnare"])
    found: dict[str, list[Violation]] = {}

    page.goto(f"{base}/rapporter")  # the archive of the other date (a published set), by its own form
    page.get_by_label("Uppgifter per").select_option(PUBLISHED_AS_OF)
    page.get_by_role("button", name="Visa").click()
    check(page, found, f"Rapporter {PUBLISHED_AS_OF}")

    page.goto(f"{base}/ny-rapport")  # the form with its error messages: a date typed by hand, wrong
    page.evaluate("document.getElementById('datum').type = 'text'")
    page.get_by_label("Kontrolldag för licenskontrollen", exact=False).fill("30/2 2025")
    page.get_by_role("button", name="Ta fram rapporten").click()
    assert page.get_by_role("alert").count() == 1
    check(page, found, "Ny rapport med felmeddelanden")

    page.goto(f"{base}/licenskontroll?datum={PUBLISHED_AS_OF}")
    check(page, found, f"Licenskontroll {PUBLISHED_AS_OF}")
    page.goto(f"{base}/logg?anvandare=samordnare")
    check(page, found, "Logg, filtrerad")
    assert report(found) == ""


def test_a_refusal_and_a_missing_file_are_pages_too(portal_server: PortalServer,
                                                    context: BrowserContext) -> None:
    base = portal_server.base_url
    page = context.new_page()
    sign_in(page, base, "lasare", portal_server.passwords["lasare"])
    found: dict[str, list[Violation]] = {}
    assert page.goto(f"{base}/status").status == 403  # type: ignore[union-attr]
    check(page, found, "Status, nekad")
    assert page.goto(f"{base}/rapporter/arkiv/{INTERNAL_AS_OF}/finns-inte/verksamhet_year_to_date.pdf"
                     ).status in (403, 404)  # type: ignore[union-attr]
    check(page, found, "arkivfil som inte finns")
    assert report(found) == ""


def test_a_report_page_served_by_the_portal(portal_server: PortalServer, context: BrowserContext) -> None:
    """The archive's own web pages reach the user through the portal: they are held to the same bar."""
    base = portal_server.base_url
    page = context.new_page()
    sign_in(page, base, "bromma", portal_server.passwords["bromma"])
    found: dict[str, list[Violation]] = {}
    for name in ("verksamhet_year_to_date", "klientgrupp_year_to_date", "licens_kontrolldag"):
        page.goto(f"{base}/rapporter/arkiv/{INTERNAL_AS_OF}/bromma/{name}.html")
        assert page.locator("h1").count() == 1
        check(page, found, name)
    assert report(found) == ""
