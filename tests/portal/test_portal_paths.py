"""Paths and parameters that try to reach past the archive: refused, and no file outside is ever read."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest
from portal_http import holds_no_document, raw_get, session_cookie
from portal_server import INTERNAL_AS_OF, PortalServer

SECRET = "HEMLIGT-innehall-utanfor-arkivet"


@pytest.fixture(scope="module")
def planted(portal_server: PortalServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A secret outside the reports folder, and symlinks inside it pointing there."""
    outside = tmp_path_factory.mktemp("outside")
    (outside / "secret.html").write_text(SECRET, encoding="utf-8")
    (outside / "verksamhet_year_to_date.html").write_text(SECRET, encoding="utf-8")
    reports = portal_server.config.reports
    day = reports / INTERNAL_AS_OF
    links = [
        (day / "bromma" / "verksamhet_previous_year.pdf", outside / "secret.html"),  # a file link
        (day / "kista", outside),  # a known district's folder, linked out
        (reports / "2025-03-31", outside),  # a dated folder, linked out
    ]
    for link, target in links:
        if not link.is_symlink():
            os.symlink(target, link)
    return outside


@pytest.fixture(scope="module")
def samordnare(portal_server: PortalServer) -> httpx.Client:
    return portal_server.login("samordnare")  # may read everything: any refusal is the path's


TRICKS = [
    f"/rapporter/arkiv/{INTERNAL_AS_OF}/bromma/../../../../../../etc/passwd",
    "/rapporter/arkiv/../../../../etc/passwd",
    f"/rapporter/arkiv/{INTERNAL_AS_OF}/bromma/..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/rapporter/arkiv/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    f"/rapporter/arkiv/{INTERNAL_AS_OF}/%2e%2e/%2e%2e/secret.html",
    f"/rapporter/arkiv/{INTERNAL_AS_OF}/bromma/%252e%252e%252f%252e%252e%252fsecret.html",
    "/rapporter/arkiv/%252e%252e/%252e%252e/etc/passwd",
    "/rapporter/arkiv//etc/passwd",
    f"/rapporter/arkiv/{INTERNAL_AS_OF}/bromma//etc/passwd",
    f"/rapporter/arkiv/{INTERNAL_AS_OF}/%2Fetc/passwd",
    "/rapporter/arkiv/%2Fetc%2Fpasswd/x/y",
    f"/rapporter/arkiv/{INTERNAL_AS_OF}/bromma/verksamhet_year_to_date.html%00.pdf",
    f"/rapporter/arkiv/{INTERNAL_AS_OF}/bromma\\..\\..\\secret.html",
    f"/rapporter/zip/{INTERNAL_AS_OF}/..",
    "/rapporter/zip/..%2f..%2f/bromma",
    # symlinks planted inside the reports folder
    f"/rapporter/arkiv/{INTERNAL_AS_OF}/bromma/verksamhet_previous_year.pdf",
    f"/rapporter/arkiv/{INTERNAL_AS_OF}/kista/verksamhet_year_to_date.html",
    "/rapporter/arkiv/2025-03-31/verksamhet_year_to_date.html",
    "/rapporter/arkiv/2025-03-31/kista/verksamhet_year_to_date.html",
    f"/rapporter/zip/{INTERNAL_AS_OF}/kista",
    "/rapporter/zip/2025-03-31/kista",
    # `latest` is a symlink the pipeline keeps; the portal names every set by its date
    "/rapporter/arkiv/latest/bromma/verksamhet_year_to_date.html",
    # guessed names
    f"/rapporter/arkiv/{INTERNAL_AS_OF}/bromma/index.html",
    f"/rapporter/arkiv/{INTERNAL_AS_OF}/index.html/x/y",
    f"/rapporter/arkiv/{INTERNAL_AS_OF}/bromma/figures.xlsx",
    f"/rapporter/arkiv/{INTERNAL_AS_OF}/bromma/verksamhet_year_to_date.HTML",
    f"/rapporter/arkiv/{INTERNAL_AS_OF}/bromma/verksamhet_2025.html",
    f"/rapporter/arkiv/{INTERNAL_AS_OF}/bromma/verksamhet_year_to_date.pdf.bak",
    f"/rapporter/arkiv/{INTERNAL_AS_OF}/bromma/licens_kontrolldag.xlsx.tmp",
    f"/rapporter/arkiv/{INTERNAL_AS_OF}/stadsdel:bromma/verksamhet_year_to_date.html",
    f"/rapporter/arkiv/{INTERNAL_AS_OF}/atlantis/verksamhet_year_to_date.html",
    "/rapporter/arkiv/2025-02-30/bromma/verksamhet_year_to_date.html",
    "/rapporter/arkiv/1999-01-01/bromma/verksamhet_year_to_date.html",
    f"/rapporter/arkiv/{INTERNAL_AS_OF}/BROMMA/verksamhet_year_to_date.html",
]


@pytest.mark.parametrize("path", TRICKS)
def test_path_tricks_are_refused(
    path: str, portal_server: PortalServer, planted: Path, samordnare: httpx.Client
) -> None:
    status, _, body = raw_get(portal_server.base_url, path, session_cookie(samordnare))
    assert status in (400, 403, 404), (path, status)
    assert SECRET.encode() not in body and b"root:" not in body
    assert holds_no_document(body)


def test_the_same_file_by_its_plain_name_is_served(
    portal_server: PortalServer, planted: Path, samordnare: httpx.Client
) -> None:
    """The refusals above come from the tricks, not from a broken route."""
    path = f"/rapporter/arkiv/{INTERNAL_AS_OF}/bromma/verksamhet_year_to_date.html"
    status, headers, body = raw_get(portal_server.base_url, path, session_cookie(samordnare))
    assert status == 200 and b"report-header" in body
    assert "script-src 'none'" in headers["content-security-policy"]


def test_listing_leaves_symlinked_folders_out(
    portal_server: PortalServer, planted: Path, samordnare: httpx.Client
) -> None:
    page = samordnare.get("/rapporter").text
    assert "2025-03-31" not in page and "/kista/" not in page


@pytest.mark.parametrize(
    "query",
    [
        "omrade=../../etc&rapport=verksamhet&lage=internal&format=html",
        "omrade=stadsdel:spanga&rapport=verksamhet&lage=internal&format=html",
        "omrade=spanga%00&rapport=verksamhet&lage=internal&format=html",
        "omrade=atlantis&rapport=verksamhet&lage=internal&format=html",
        "omrade=bromma&rapport=../licens&lage=internal&format=html",
        "omrade=bromma&rapport=verksamhet&lage=intern&format=html",
        "omrade=bromma&rapport=verksamhet&lage=internal&format=../../etc/passwd",
        "omrade=bromma&rapport=verksamhet&lage=internal&format=html&period=egen&fran=2025-01-01&till=nej",
    ],
)
def test_bad_parameters_of_an_on_demand_report_are_refused(query: str, portal_server: PortalServer) -> None:
    client = portal_server.login("lasare")
    response = client.get(f"/ny-rapport/dokument?{query}")
    assert response.status_code == 400
    assert holds_no_document(response.content)
    assert 'role="alert"' in response.text


def test_a_guessed_scope_for_a_reader_gives_only_the_published_version(portal_server: PortalServer) -> None:
    client = portal_server.login("kista")
    response = client.get("/ny-rapport/dokument?omrade=0180&rapport=licens&lage=internal&format=csv")
    assert response.status_code == 200 and "handlaggare_id=" not in response.text
