"""The pages in Swedish: Översikt, Rapporter, Ny rapport, Licenskontroll, Status, Logg, the statement."""

from __future__ import annotations

import re

import httpx
import pytest
from portal_server import INTERNAL_AS_OF, PortalServer


@pytest.fixture(scope="module")
def coordinator(portal_server: PortalServer) -> httpx.Client:
    return portal_server.login("samordnare")


def test_every_page_is_swedish_with_a_skip_link_and_the_statement_link(coordinator: httpx.Client) -> None:
    for path in (
        "/",
        "/rapporter",
        "/ny-rapport",
        "/licenskontroll",
        "/status",
        "/logg",
        "/tillganglighet",
        "/logga-in",
    ):
        page = coordinator.get(path)
        assert page.status_code == 200, path
        assert '<html lang="sv">' in page.text
        assert 'href="#innehall"' in page.text and 'id="innehall"' in page.text
        assert 'href="/tillganglighet"' in page.text
        assert "<script" not in page.text  # no inline script (the CSP would refuse it anyway)


def test_overview_for_the_coordinator_shows_every_scope_internal(coordinator: httpx.Client) -> None:
    page = coordinator.get("/").text
    assert "export <strong>E2</strong>" in page and INTERNAL_AS_OF in page
    for name in (
        "Kommunen Stockholm",
        "Nätverk Västerort",
        "Stadsdel Bromma",
        "Stadsdel Spånga",
        "Stadsdel Kista",
    ):
        assert name in page
    assert "Publicerad (röjandekontroll)" not in page
    assert '<th scope="col">Aktualiseringar</th>' in page


def test_overview_for_a_district_puts_its_own_first_and_others_published(portal_server: PortalServer) -> None:
    page = portal_server.login("bromma").get("/").text
    rows = re.findall(r'<tr( class="own")?><th scope="row">([^<]+)</th>\s*<td>([^<]+)</td>', page)
    assert rows[0] == (' class="own"', "Stadsdel Bromma", "Intern (exakta tal)")
    others = {name: mode for _, name, mode in rows[1:]}
    assert others["Kommunen Stockholm"] == "Publicerad (röjandekontroll)"
    assert others["Stadsdel Spånga"] == "Publicerad (röjandekontroll)"


def test_overview_hand_computed_figures(coordinator: httpx.Client) -> None:
    """Report 4's D1 for the year to date. The tiny export: K1 (bromma, ANMALAN), K2 (spanga, ANSOKAN) in
    January–February 2024 are before 2025: no aktualisering and no investigation in 2025 to date, so A1
    and A4 are 0 and A2 (a share of nothing) is empty, with the status SAKNAS against its target."""
    page = coordinator.get("/").text
    bromma = re.search(r'Stadsdel Bromma</th>\s*<td>[^<]+</td>\s*((?:<td class="num[^"]*">.*?</td>)+)', page)
    assert bromma is not None
    cells = re.findall(r'<td class="num([^"]*)">([^<]*)(?:<span class="status">([^<]*)</span>)?</td>',
                       bromma.group(1))
    assert len(cells) == 11
    a1, a2, _, a4 = cells[:4]
    assert a1 == ("", "0", "") and a4 == ("", "0", "")  # volumes: no target, no status
    assert a2 == (" status-saknas", "– ", "– saknas")
    assert '<th scope="col">Skyddsbedömning inom 1 dag (%)</th>' in page


def test_licence_page_warns_of_the_trial_licence_first(coordinator: httpx.Client) -> None:
    page = coordinator.get("/licenskontroll").text
    names = re.findall(r'<tr><th scope="row">([^<]+)</th>', page)
    assert (
        names[0] == "Spånga"
    )  # its trial licence (2023-04-15, two years) ends 2025-04-15, no application sent
    assert "⚠" in page and "Provlicensen upphör" in page
    assert set(names) == {"Bromma", "Spånga", "Kista"}
    assert "✔ Uppfyllt" in page or "✘ Ej uppfyllt" in page
    assert "rapport=licens" in page and "format=pdf" in page


def test_licence_page_at_another_date(coordinator: httpx.Client) -> None:
    page = coordinator.get("/licenskontroll?datum=2024-07-01")
    assert page.status_code == 200 and 'value="2024-07-01"' in page.text
    assert coordinator.get("/licenskontroll?datum=igår").status_code == 400


def test_status_page(coordinator: httpx.Client) -> None:
    page = coordinator.get("/status").text
    assert "export <strong>E2</strong>" in page and "✔ Godkänd" in page
    assert "Nästa schemalagda körning" in page and "02:30" in page
    assert "✔ Giltigt" in page


def test_new_report_form_is_labelled(coordinator: httpx.Client) -> None:
    page = coordinator.get("/ny-rapport").text
    for field in ("omrade", "rapport", "period", "fran", "till", "datum"):
        assert f'<label for="{field}">' in page and f'id="{field}"' in page
    assert "<legend>Version</legend>" in page and "<legend>Format</legend>" in page


def test_new_report_in_each_format(coordinator: httpx.Client) -> None:
    base = "/ny-rapport/dokument?omrade=bromma&rapport=klientgrupp&lage=internal&period=previous_year"
    html = coordinator.get(base + "&format=html")
    assert (html.status_code == 200 and "Klientgrupp" in html.text) or "klientgrupp" in html.text
    xlsx = coordinator.get(base + "&format=xlsx")
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK\x03\x04")
    assert "attachment" in xlsx.headers["content-disposition"]
    csv_text = coordinator.get(base + "&format=csv").text
    assert ";2024-01-01;2024-12-31;" in csv_text
    again = coordinator.get(base + "&format=csv").text
    assert again == csv_text  # from the cache, the same file


def test_healthz_shows_no_data(portal_server: PortalServer) -> None:
    response = portal_server.client().get("/healthz")
    assert response.text == "ok" and "E2" not in response.text
