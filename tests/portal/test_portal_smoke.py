"""The running portal answers: health without sign-in, the start page after it."""

from __future__ import annotations

from portal_server import PortalServer


def test_healthz_needs_no_sign_in_and_shows_no_data(portal_server: PortalServer) -> None:
    with portal_server.client() as client:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.text == "ok"


def test_overview_after_sign_in(portal_server: PortalServer) -> None:
    client = portal_server.login("samordnare")
    response = client.get("/")
    assert response.status_code == 200
    assert "Översikt" in response.text and "2025-02-28" in response.text and "E2" in response.text
