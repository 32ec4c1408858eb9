"""The access matrix over HTTP: every role × every kind of document and page, served or refused.

Outcomes: `I` the internal document itself, `P` the published version (an archived internal file
answers with a redirect to the published one made from the snapshot), `F` a file of the archive
served as it is (published set, zip, figures.csv), `R` refused (403/404) with no part of a document.
"""

from __future__ import annotations

import httpx
import pytest
from portal_http import INTERNAL_LABEL, PUBLISHED_LABEL, holds_no_document
from portal_server import INTERNAL_AS_OF, PUBLISHED_AS_OF, PortalServer

I_SET = f"/rapporter/arkiv/{INTERNAL_AS_OF}"
P_SET = f"/rapporter/arkiv/{PUBLISHED_AS_OF}"
USERS = ("samordnare", "bromma", "vasterort", "kista", "lasare")


def _on_demand(scope: str, report: str, mode: str, fmt: str = "html") -> str:
    return (
        f"/ny-rapport/dokument?omrade={scope}&rapport={report}&lage={mode}&format={fmt}&period=year_to_date"
    )


# what: (path, {user: outcome}) in the order of USERS
MATRIX: dict[str, tuple[str, str]] = {
    "internal file, bromma": (f"{I_SET}/bromma/verksamhet_year_to_date.html", "IIIPP"),
    "internal file, spanga": (f"{I_SET}/spanga/klientgrupp_previous_year.html", "IPIPP"),
    "internal file, network": (f"{I_SET}/vasterort/verksamhet_latest_tertial.html", "IPIPP"),
    "internal file, city": (f"{I_SET}/0180/verksamhet_year_to_date.html", "IPPPP"),
    "internal licence check, bromma": (f"{I_SET}/bromma/licens_kontrolldag.html", "IIPPP"),
    "internal licence check, spanga": (f"{I_SET}/spanga/licens_kontrolldag.html", "IPPPP"),
    "internal licence check, city": (f"{I_SET}/0180/licens_kontrolldag.html", "IPPPP"),
    "published file, bromma": (f"{P_SET}/bromma/verksamhet_year_to_date.html", "FFFFF"),
    "published file, spanga": (f"{P_SET}/spanga/licens_kontrolldag.html", "FFFFF"),
    "published file, city": (f"{P_SET}/0180/klientgrupp_year_to_date.html", "FFFFF"),
    "internal figures.csv, bromma": (f"{I_SET}/bromma/figures.csv", "FRRRR"),
    "internal figures.csv, network": (f"{I_SET}/vasterort/figures.csv", "FRRRR"),
    "internal zip, bromma": (f"/rapporter/zip/{INTERNAL_AS_OF}/bromma", "FRRRR"),
    "internal zip, spanga": (f"/rapporter/zip/{INTERNAL_AS_OF}/spanga", "FRRRR"),
    "internal zip, city": (f"/rapporter/zip/{INTERNAL_AS_OF}/0180", "FRRRR"),
    "published zip, city": (f"/rapporter/zip/{PUBLISHED_AS_OF}/0180", "FFFFF"),
    "on demand internal, spanga": (_on_demand("spanga", "verksamhet", "internal"), "IPIPP"),
    "on demand internal, city": (_on_demand("0180", "klientgrupp", "internal"), "IPPPP"),
    "on demand internal, kista": (_on_demand("kista", "verksamhet", "internal"), "IPPIP"),
    "on demand published, bromma": (_on_demand("bromma", "verksamhet", "published"), "PPPPP"),
    "on demand licence internal, bromma": (_on_demand("bromma", "licens", "internal"), "IIPPP"),
    "on demand licence internal, network": (_on_demand("vasterort", "licens", "internal"), "IPPPP"),
    "Status": ("/status", "FRRRR"),
    "Logg": ("/logg", "FRRRR"),
    "Logg as CSV": ("/logg.csv", "FRRRR"),
}
CASES = [(what, user, outcomes[i]) for what, (_, outcomes) in MATRIX.items() for i, user in enumerate(USERS)]


@pytest.fixture(scope="module")
def clients(portal_server: PortalServer) -> dict[str, httpx.Client]:
    return {user: portal_server.login(user) for user in USERS}


@pytest.mark.parametrize(("what", "user", "outcome"), CASES, ids=[f"{w}-{u}" for w, u, _ in CASES])
def test_access_matrix(what: str, user: str, outcome: str, clients: dict[str, httpx.Client]) -> None:
    path = MATRIX[what][0]
    client = clients[user]
    first = client.get(path, follow_redirects=False)
    if outcome == "R":
        assert first.status_code in (403, 404), first.status_code
        assert holds_no_document(first.content)
        return
    if outcome == "P" and first.status_code == 303:
        # an archived internal file: never a byte of it, a redirect to the published version
        assert holds_no_document(first.content)
        assert "lage=published" in first.headers["location"]
        first = client.get(first.headers["location"])
    assert first.status_code == 200, (first.status_code, first.text[:300])
    if outcome == "I":
        assert INTERNAL_LABEL in first.text and PUBLISHED_LABEL not in first.text
    elif outcome == "P":
        assert PUBLISHED_LABEL in first.text and INTERNAL_LABEL not in first.text
    elif path.startswith(P_SET):
        assert PUBLISHED_LABEL in first.text
    elif "/zip/" in path:
        assert first.content.startswith(b"PK\x03\x04")
    elif path.endswith("figures.csv"):
        assert first.text.startswith("report;scope;")


def test_a_district_reads_its_internal_licence_check_with_staff_ids_and_others_do_not(
    clients: dict[str, httpx.Client],
) -> None:
    """The internal licence check lists users without training by id (H1 of bromma has none)."""
    own = clients["bromma"].get(_on_demand("bromma", "licens", "internal", "csv"))
    assert own.status_code == 200 and "handlaggare_id=" in own.text
    for user in ("vasterort", "kista", "lasare"):
        other = clients[user].get(_on_demand("bromma", "licens", "internal", "csv"))
        assert other.status_code == 200 and "handlaggare_id=" not in other.text


def test_archived_pdf_and_excel_are_served_to_the_district(clients: dict[str, httpx.Client]) -> None:
    pdf = clients["bromma"].get(f"{I_SET}/bromma/licens_kontrolldag.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"
    assert "attachment" in pdf.headers["content-disposition"]
    xlsx = clients["bromma"].get(f"{I_SET}/bromma/verksamhet_year_to_date.xlsx")
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK\x03\x04")


def test_listing_shows_only_what_the_user_may_open(clients: dict[str, httpx.Client]) -> None:
    page = clients["bromma"].get(f"/rapporter?datum={INTERNAL_AS_OF}").text
    assert f"{I_SET}/bromma/verksamhet_year_to_date.html" in page
    # the district's set holds its year's report, whose internal version is the coordinator's alone
    assert f"/rapporter/zip/{INTERNAL_AS_OF}/bromma" not in page
    assert f"{I_SET}/spanga/" not in page and f"{I_SET}/0180/" not in page
    assert f"/rapporter/zip/{INTERNAL_AS_OF}/spanga" not in page
    assert "omrade=spanga" in page and "lage=published" in page  # the published versions instead
    reader = clients["lasare"].get(f"/rapporter?datum={INTERNAL_AS_OF}").text
    assert f"{I_SET}/" not in reader and "/rapporter/zip/" not in reader
    published = clients["lasare"].get(f"/rapporter?datum={PUBLISHED_AS_OF}").text
    assert f"{P_SET}/bromma/verksamhet_year_to_date.html" in published
    assert f"/rapporter/zip/{PUBLISHED_AS_OF}/0180" in published


def test_menu_offers_status_and_logg_to_the_coordinator_only(clients: dict[str, httpx.Client]) -> None:
    assert 'href="/status"' in clients["samordnare"].get("/rapporter").text
    for user in ("bromma", "vasterort", "kista", "lasare"):
        assert 'href="/status"' not in clients[user].get("/rapporter").text


def test_nothing_without_sign_in(portal_server: PortalServer) -> None:
    client = portal_server.client()
    for path, _ in MATRIX.values():
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/logga-in")
        assert holds_no_document(response.content)
