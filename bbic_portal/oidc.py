"""OpenID Connect sign-in (authorization code flow with PKCE) against the municipality's provider.

The provider's discovery document names its endpoints and keys. The ID token is verified here
(signature against the provider's JWKS, issuer, audience = our client id, expiry, nonce) before
anything in it is believed; its group claim is mapped to roles by `BBIC_OIDC_ROLES_FILE`:

    groups:
      "bbic-samordnare": [samordnare]
      "bbic-bromma": ["stadsdel:bromma"]

A user whose groups map to no role gets a session-less refusal page.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import yaml
from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from bbic_portal.config import OidcSettings
from bbic_portal.roles import Role, RoleError, parse_role

PENDING_SECONDS = 600
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "ES256")


class OidcError(Exception):
    def __init__(self, reason: str, user: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.user = user


@dataclass(frozen=True)
class OidcResult:
    user: str
    roles: tuple[Role, ...]
    next_url: str


@dataclass(frozen=True)
class _Pending:
    nonce: str
    verifier: str
    next_url: str
    created: float


def read_roles_file(path: Path) -> dict[str, tuple[Role, ...]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    groups = data.get("groups", data) if isinstance(data, dict) else {}
    out: dict[str, tuple[Role, ...]] = {}
    for group, roles in groups.items():
        values = [roles] if isinstance(roles, str) else list(roles or [])
        try:
            out[str(group)] = tuple(parse_role(str(r)) for r in values)
        except RoleError as exc:
            raise ValueError(f"{path.name}: group {group!r}: {exc}") from None
    return out


class OidcClient:
    def __init__(self, settings: OidcSettings, public_url: str = "") -> None:
        self.settings = settings
        self.public_url = public_url
        self._pending: dict[str, _Pending] = {}
        self._lock = threading.Lock()
        self._discovery: dict[str, Any] | None = None
        self._keys: KeySet | None = None

    def _secret(self) -> str:
        return self.settings.client_secret_file.read_text(encoding="utf-8").strip()

    def discovery(self) -> dict[str, Any]:
        if self._discovery is None:
            url = f"{self.settings.issuer}/.well-known/openid-configuration"
            response = httpx.get(url, timeout=10)
            response.raise_for_status()
            document = response.json()
            if str(document.get("issuer", "")).rstrip("/") != self.settings.issuer:
                raise OidcError("the discovery document names another issuer")
            self._discovery = document
        return self._discovery

    def keys(self, refresh: bool = False) -> KeySet:
        if self._keys is None or refresh:
            response = httpx.get(self.discovery()["jwks_uri"], timeout=10)
            response.raise_for_status()
            self._keys = KeySet.import_key_set(response.json())
        return self._keys

    def redirect_uri(self, base_url: str) -> str:
        return f"{(self.public_url or base_url).rstrip('/')}/oidc/callback"

    def start(self, base_url: str, next_url: str) -> str:
        """The provider's authorization URL; the state, nonce and PKCE verifier stay here."""
        state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
        now = time.time()
        with self._lock:
            self._pending = {k: v for k, v in self._pending.items() if now - v.created < PENDING_SECONDS}
            self._pending[state] = _Pending(nonce, verifier, next_url, now)
        params = {
            "response_type": "code",
            "client_id": self.settings.client_id,
            "redirect_uri": self.redirect_uri(base_url),
            "scope": "openid profile email",
            "state": state,
            "nonce": nonce,
            "code_challenge": create_s256_code_challenge(verifier),
            "code_challenge_method": "S256",
        }
        return f"{self.discovery()['authorization_endpoint']}?{urlencode(params)}"

    def finish(self, base_url: str, query: dict[str, str]) -> OidcResult:
        if "error" in query:
            raise OidcError(f"the provider answered {query['error'][:80]}")
        with self._lock:
            pending = self._pending.pop(query.get("state", ""), None)
        if pending is None or time.time() - pending.created > PENDING_SECONDS:
            raise OidcError("unknown or expired state")
        code = query.get("code", "")
        if not code:
            raise OidcError("no code")
        response = httpx.post(
            self.discovery()["token_endpoint"],
            timeout=10,
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": self.redirect_uri(base_url),
                "code_verifier": pending.verifier,
            },
            auth=(self.settings.client_id, self._secret()),
        )
        if response.status_code != 200:
            raise OidcError(f"token endpoint answered {response.status_code}")
        id_token = response.json().get("id_token")
        if not isinstance(id_token, str):
            raise OidcError("no id_token")
        claims = self._verify(id_token, pending.nonce)
        user = str(claims.get("preferred_username") or claims.get("email") or claims.get("sub") or "")
        groups = claims.get(self.settings.groups_claim) or []
        if isinstance(groups, str):
            groups = [groups]
        mapping = read_roles_file(self.settings.roles_file)
        roles = sorted({role for group in groups for role in mapping.get(str(group), ())})
        return OidcResult(user[:200], tuple(roles), pending.next_url)

    def _verify(self, id_token: str, nonce: str) -> dict[str, Any]:
        try:
            try:
                token = jwt.decode(id_token, self.keys(), algorithms=list(ALGORITHMS))
            except JoseError:
                token = jwt.decode(id_token, self.keys(refresh=True), algorithms=list(ALGORITHMS))
            registry = jwt.JWTClaimsRegistry(
                leeway=60,
                iss={"essential": True, "value": self.settings.issuer},
                aud={"essential": True, "value": self.settings.client_id},
                exp={"essential": True},
                nonce={"essential": True, "value": nonce},
            )
            registry.validate(token.claims)
        except (JoseError, ValueError) as exc:
            raise OidcError(f"ID token refused: {type(exc).__name__}") from None
        return dict(token.claims)
