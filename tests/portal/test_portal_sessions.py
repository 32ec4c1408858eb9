"""Sessions, sign-in and the headers, over HTTP against a portal whose clock the test moves."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import httpx
import pytest
from itsdangerous import Signer
from portal_http import raw_get, session_cookie
from portal_server import Deployment, PortalServer, login_token, sign_in, start_portal

from bbic_portal.sessions import COOKIE


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(scope="module")
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="module")
def portal(portal_deployment: Deployment, clock: Clock) -> Iterator[PortalServer]:
    server = start_portal(portal_deployment, tag="sessions", clock=clock)
    try:
        yield server
    finally:
        server.stop()


def signed_in(client: httpx.Client) -> bool:
    response = client.get("/rapporter", follow_redirects=False)
    return response.status_code == 200


def test_session_cookie_flags(portal: PortalServer) -> None:
    client = portal.client()
    response = sign_in(client, "lasare", portal.passwords["lasare"])
    assert response.status_code == 303
    cookie = next(v for k, v in response.headers.multi_items() if k == "set-cookie" and v.startswith(COOKIE))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Max-Age=28800" in cookie
    assert "Secure" not in cookie  # plain HTTP on the loopback address


def test_idle_timeout(portal: PortalServer, clock: Clock) -> None:
    client = portal.login("lasare")
    clock.advance(29 * 60)
    assert signed_in(client)  # and this request renews the idle time
    clock.advance(29 * 60)
    assert signed_in(client)
    clock.advance(31 * 60)
    assert not signed_in(client)


def test_eight_hours_at_most(portal: PortalServer, clock: Clock) -> None:
    client = portal.login("lasare")
    for _ in range(16):  # active every 29 minutes: 7 h 44 min
        clock.advance(29 * 60)
        assert signed_in(client)
    clock.advance(20 * 60)  # 8 h 4 min after sign-in
    assert not signed_in(client)


def test_sign_out_ends_the_session_on_the_server(portal: PortalServer) -> None:
    client = portal.login("bromma")
    cookie = session_cookie(client)
    page = client.get("/rapporter").text
    token = re.search(r'name="csrf" value="([^"]+)"', page)
    assert token is not None
    response = client.post("/logga-ut", data={"csrf": token.group(1)}, follow_redirects=False)
    assert response.status_code == 303
    # the old cookie, replayed by someone who copied it, is no session any more
    status, headers, _ = raw_get(portal.base_url, "/rapporter", cookie)
    assert status == 303 and headers["location"].startswith("/logga-in")


def test_sign_out_without_csrf_token_is_refused(portal: PortalServer) -> None:
    client = portal.login("bromma")
    for data in ({}, {"csrf": "wrong"}):
        response = client.post("/logga-ut", data=data, follow_redirects=False)
        assert response.status_code == 403
        assert signed_in(client)


def test_sign_in_without_csrf_token_is_refused(portal: PortalServer) -> None:
    client = portal.client()
    login_token(client)
    response = client.post("/logga-in", data={"anvandare": "lasare", "losenord": portal.passwords["lasare"]})
    assert response.status_code == 403 and COOKIE not in response.cookies


def test_cookie_signed_with_another_key_is_refused(portal: PortalServer) -> None:
    client = portal.login("samordnare")
    sid = session_cookie(client).rsplit(".", 1)[0]
    forged = Signer(b"another-key-" + b"x" * 40, salt="bbic-portal-session").sign(sid.encode()).decode()
    status, headers, _ = raw_get(portal.base_url, "/status", forged)
    assert status == 303 and headers["location"].startswith("/logga-in")
    status, _, _ = raw_get(portal.base_url, "/status", session_cookie(client))
    assert status == 200  # the genuine cookie of the same session works


def test_lock_out_after_five_failures_for_fifteen_minutes(portal: PortalServer, clock: Clock) -> None:
    client = portal.client()
    for _ in range(5):
        assert sign_in(client, "vasterort", "fel-losenord").status_code == 401
    locked = sign_in(client, "vasterort", portal.passwords["vasterort"])
    assert locked.status_code == 429 and "låst" in locked.text
    assert COOKIE not in locked.cookies
    assert (
        sign_in(portal.client(), "kista", portal.passwords["kista"]).status_code == 303
    )  # others unaffected
    clock.advance(15 * 60 + 1)
    assert sign_in(client, "vasterort", portal.passwords["vasterort"]).status_code == 303


def test_four_failures_do_not_lock(portal: PortalServer) -> None:
    client = portal.client()
    for _ in range(4):
        assert sign_in(client, "kista", "fel-losenord").status_code == 401
    assert sign_in(client, "kista", portal.passwords["kista"]).status_code == 303


PATHS = [
    "/healthz",
    "/logga-in",
    "/",
    "/rapporter",
    "/status",
    "/tillganglighet",
    "/static/portal.css",
    "/finns-inte",
    "/rapporter/arkiv/2025-02-28/bromma/verksamhet_year_to_date.html",
    "/rapporter/arkiv/../../etc/passwd",
    "/ny-rapport/dokument?omrade=x",
]


@pytest.mark.parametrize("user", [None, "bromma"])
def test_security_headers_on_every_response(portal: PortalServer, user: str | None) -> None:
    cookie = session_cookie(portal.login(user)) if user else None
    for path in PATHS:
        _, headers, _ = raw_get(portal.base_url, path, cookie)
        csp = headers["content-security-policy"]
        assert (
            "frame-ancestors 'none'" in csp
            and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        )
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        assert "server" not in headers or "uvicorn" not in headers["server"]
