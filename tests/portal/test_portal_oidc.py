"""OpenID Connect: the full code flow against a small identity provider this test runs on 127.0.0.1.

The provider has its own RSA key, a discovery document, a JWKS, an authorization endpoint that
signs in whichever user the test chose, and a token endpoint that checks the client secret and
the PKCE verifier and returns a signed ID token. Tests then make it misbehave: a token signed with
another key, a token for another audience.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
import uvicorn
from joserfc import jwt
from joserfc.jwk import RSAKey
from portal_http import holds_no_document
from portal_server import INTERNAL_AS_OF, Deployment, PortalServer, start_portal
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from bbic_portal import audit
from bbic_portal.sessions import COOKIE

CLIENT_ID = "bbic-portal"
CLIENT_SECRET = "test-client-secret-" + "s" * 20
ROLES_YAML = """\
groups:
  "bbic-samordnare": [samordnare]
  "bbic-bromma": ["stadsdel:bromma"]
  "bbic-vasterort": ["natverk:vasterort"]
"""


@dataclass
class Provider:
    issuer: str = ""
    key: RSAKey = field(
        default_factory=lambda: RSAKey.generate_key(
            2048, parameters={"kid": "k1", "use": "sig", "alg": "RS256"}, private=True
        )
    )
    user: dict[str, Any] = field(default_factory=dict)  # the claims of the next sign-in
    sign_with: RSAKey | None = None  # another key: a forged token
    audience: str = CLIENT_ID
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    server: Any = None

    def app(self) -> Starlette:
        async def discovery(request: Request) -> Response:
            return JSONResponse(
                {
                    "issuer": self.issuer,
                    "authorization_endpoint": f"{self.issuer}/authorize",
                    "token_endpoint": f"{self.issuer}/token",
                    "jwks_uri": f"{self.issuer}/jwks",
                    "response_types_supported": ["code"],
                    "id_token_signing_alg_values_supported": ["RS256"],
                    "subject_types_supported": ["public"],
                }
            )

        async def jwks(request: Request) -> Response:
            return JSONResponse({"keys": [self.key.as_dict(private=False)]})

        async def authorize(request: Request) -> Response:
            q = request.query_params
            assert q["client_id"] == CLIENT_ID and q["response_type"] == "code"
            assert q["code_challenge_method"] == "S256"
            code = secrets.token_urlsafe(16)
            self.codes[code] = {
                "nonce": q["nonce"],
                "challenge": q["code_challenge"],
                "redirect_uri": q["redirect_uri"],
                "claims": dict(self.user),
            }
            return RedirectResponse(
                f"{q['redirect_uri']}?{urlencode({'code': code, 'state': q['state']})}", status_code=302
            )

        async def token(request: Request) -> Response:
            form = await request.form()
            basic = base64.b64decode(request.headers["authorization"].split()[1]).decode()
            if basic != f"{CLIENT_ID}:{CLIENT_SECRET}":
                return JSONResponse({"error": "invalid_client"}, status_code=401)
            grant = self.codes.pop(str(form["code"]), None)
            if grant is None or form["redirect_uri"] != grant["redirect_uri"]:
                return JSONResponse({"error": "invalid_grant"}, status_code=400)
            verifier = str(form["code_verifier"]).encode()
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=").decode()
            if challenge != grant["challenge"]:
                return JSONResponse({"error": "invalid_grant", "error_description": "pkce"}, status_code=400)
            now = int(time.time())
            claims = {
                "iss": self.issuer,
                "aud": self.audience,
                "iat": now,
                "exp": now + 300,
                "nonce": grant["nonce"],
                **grant["claims"],
            }
            id_token = jwt.encode({"alg": "RS256", "kid": "k1"}, claims, self.sign_with or self.key)
            return JSONResponse({"access_token": "a", "token_type": "Bearer", "id_token": id_token})

        return Starlette(
            routes=[
                Route("/.well-known/openid-configuration", discovery),
                Route("/jwks", jwks),
                Route("/authorize", authorize),
                Route("/token", token, methods=["POST"]),
            ]
        )


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    idp = Provider()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    idp.issuer = f"http://127.0.0.1:{sock.getsockname()[1]}"
    idp.server = uvicorn.Server(uvicorn.Config(idp.app(), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=idp.server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not idp.server.started:
        time.sleep(0.05)
    yield idp
    idp.server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def portal(portal_deployment: Deployment, provider: Provider) -> Iterator[PortalServer]:
    folder = portal_deployment.root / "oidc"
    folder.mkdir(exist_ok=True)
    (folder / "secret").write_text(CLIENT_SECRET, encoding="utf-8")
    (folder / "roles.yaml").write_text(ROLES_YAML, encoding="utf-8")
    server = start_portal(
        portal_deployment,
        tag="oidc",
        BBIC_OIDC_ISSUER=provider.issuer,
        BBIC_OIDC_CLIENT_ID=CLIENT_ID,
        BBIC_OIDC_CLIENT_SECRET_FILE=str(folder / "secret"),
        BBIC_OIDC_ROLES_FILE=str(folder / "roles.yaml"),
    )
    try:
        yield server
    finally:
        server.stop()


def flow(portal: PortalServer) -> tuple[httpx.Client, httpx.Response]:
    """Sign-in link → provider → callback; the portal's last answer."""
    client = portal.client(follow_redirects=False)
    response = client.get("/oidc/start")
    for _ in range(4):
        if response.status_code not in (302, 303) or not response.headers["location"].startswith("http"):
            break
        response = client.get(response.headers["location"])
    return client, response


def test_code_flow_maps_groups_to_roles(portal: PortalServer, provider: Provider) -> None:
    provider.sign_with, provider.audience = None, CLIENT_ID
    provider.user = {"sub": "u-1", "preferred_username": "anna@kommun.se", "groups": ["bbic-bromma", "alla"]}
    assert 'href="/oidc/start"' in portal.client().get("/logga-in").text
    client, response = flow(portal)
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert COOKIE in client.cookies
    page = client.get("/rapporter")
    assert page.status_code == 200 and "anna@kommun.se" in page.text and "Stadsdel bromma" in page.text
    own = client.get(f"/rapporter/arkiv/{INTERNAL_AS_OF}/bromma/verksamhet_year_to_date.html")
    assert own.status_code == 200
    assert client.get("/status").status_code == 403
    last = audit.query(portal.config.audit_db, user="anna@kommun.se")
    assert any(r["action"] == "sign_in" and r["outcome"] == "allowed" and r["detail"] == "oidc" for r in last)


def test_two_groups_give_both_roles(portal: PortalServer, provider: Provider) -> None:
    provider.sign_with, provider.audience = None, CLIENT_ID
    provider.user = {
        "sub": "u-2",
        "preferred_username": "sam",
        "groups": ["bbic-samordnare", "bbic-vasterort"],
    }
    client, response = flow(portal)
    assert response.status_code == 303
    assert client.get("/status").status_code == 200


def test_user_with_no_mapped_group_is_refused_with_a_clear_page(
    portal: PortalServer, provider: Provider
) -> None:
    provider.sign_with, provider.audience = None, CLIENT_ID
    provider.user = {"sub": "u-3", "preferred_username": "olle", "groups": ["ekonomi"]}
    client, response = flow(portal)
    assert response.status_code == 403
    assert "Ingen behörighet till BBIC-portalen" in response.text and "olle" in response.text
    assert COOKIE not in client.cookies
    assert client.get("/rapporter").status_code == 303
    rows = audit.query(portal.config.audit_db, user="olle")
    assert rows[0]["outcome"] == "refused" and "ingen roll" in rows[0]["detail"]


@pytest.mark.parametrize("fault", ["signature", "audience"])
def test_forged_or_misaddressed_token_is_refused(
    fault: str, portal: PortalServer, provider: Provider
) -> None:
    provider.user = {"sub": "u-4", "preferred_username": "mallory", "groups": ["bbic-samordnare"]}
    provider.sign_with = (
        RSAKey.generate_key(2048, parameters={"kid": "k1"}, private=True) if fault == "signature" else None
    )
    provider.audience = "another-client" if fault == "audience" else CLIENT_ID
    try:
        client, response = flow(portal)
    finally:
        provider.sign_with, provider.audience = None, CLIENT_ID
    assert response.status_code == 403 and "Inloggningen misslyckades" in response.text
    assert COOKIE not in client.cookies
    assert holds_no_document(response.content)
    assert client.get("/status").status_code == 303


def test_callback_with_an_unknown_state_is_refused(portal: PortalServer) -> None:
    response = portal.client().get("/oidc/callback?code=abc&state=guessed")
    assert response.status_code == 403 and COOKIE not in response.cookies
