"""HTTP helpers of the portal tests: raw requests (no client-side path normalising) and document markers."""

from __future__ import annotations

import http.client
from urllib.parse import urlsplit

import httpx

from bbic_portal.sessions import COOKIE

INTERNAL_LABEL = "Intern – exakta tal"
PUBLISHED_LABEL = "Publicerad – röjandekontroll tillämpad"
# Strings only a document holds: the report page's header, a figures.csv header, a zip, a PDF, an xlsx.
DOCUMENT_MARKERS = ('class="report-header"', "measure;breakdown", INTERNAL_LABEL, PUBLISHED_LABEL)
BINARY_MARKERS = (b"PK\x03\x04", b"%PDF")


def raw_get(base_url: str, path: str, cookie: str | None = None) -> tuple[int, dict[str, str], bytes]:
    """GET `path` exactly as written (httpx would resolve `..` before sending)."""
    parts = urlsplit(base_url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=60)
    try:
        headers = {"Cookie": f"{COOKIE}={cookie}"} if cookie else {}
        conn.putrequest("GET", path, skip_accept_encoding=True)
        for name, value in headers.items():
            conn.putheader(name, value)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def session_cookie(client: httpx.Client) -> str:
    value = client.cookies.get(COOKIE)
    assert value
    return value


def holds_no_document(body: bytes) -> bool:
    text = body.decode("utf-8", "replace")
    return not any(m in text for m in DOCUMENT_MARKERS) and not any(
        body.startswith(m) for m in BINARY_MARKERS
    )
