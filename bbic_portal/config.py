"""The portal's settings, read from the same environment variables (and defaults) as the pipeline.

| variable | default | what |
|---|---|---|
| `BBIC_DUCKDB_PATH` | `var/sample/data/bbic.duckdb` | the snapshot (the portal reads a copy: snapshot.py) |
| `BBIC_REPORTS` | `var/sample/reports` | the report archive the pipeline writes |
| `BBIC_REGISTER_DIR` | `var/sample/register` | the coordinator's register |
| `BBIC_USERS_FILE` | `<data>/portal-users.json` | local accounts (Argon2id hashes, roles) |
| `BBIC_SESSION_KEY_FILE` | `<data>/portal-session.key` | cookie signing key; made (0600) when absent |
| `BBIC_AUDIT_DB` | `<data>/audit.sqlite` | the audit log (SQLite, WAL), beside the snapshot |
| `BBIC_PORTAL_CACHE` | `<data>/portal-cache` | the portal's snapshot copy and reports made on demand |
| `BBIC_OIDC_ISSUER`, `_CLIENT_ID`, `_CLIENT_SECRET_FILE`, `_ROLES_FILE` | – | OpenID Connect |
| `BBIC_OIDC_GROUPS_CLAIM` | `groups` | the ID token's claim holding the user's groups |
| `BBIC_PUBLIC_URL` | – | the portal's address as users see it (behind a proxy), for the OIDC redirect |

`<data>` is the folder of the DuckDB file.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.settings import DEFAULTS

SESSION_MAX_SECONDS = 8 * 3600
SESSION_IDLE_SECONDS = 30 * 60
LOCKOUT_FAILURES = 5
LOCKOUT_SECONDS = 15 * 60


@dataclass(frozen=True)
class OidcSettings:
    issuer: str
    client_id: str
    client_secret_file: Path
    roles_file: Path
    groups_claim: str = "groups"


@dataclass(frozen=True)
class PortalConfig:
    duckdb_path: Path
    reports: Path
    register_dir: Path
    users_file: Path
    session_key_file: Path
    audit_db: Path
    cache_dir: Path
    oidc: OidcSettings | None = None
    public_url: str = ""
    secure_cookies: bool = True  # set by `serve`: off only for plain HTTP on a loopback address
    session_max_seconds: int = SESSION_MAX_SECONDS
    session_idle_seconds: int = SESSION_IDLE_SECONDS
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def data_dir(self) -> Path:
        return self.duckdb_path.parent

    @property
    def last_good_register(self) -> Path:
        return self.data_dir / "register_last_good"


def _get(env: Mapping[str, str], name: str, default: str = "") -> str:
    value = env.get(name, "").strip()
    return value or DEFAULTS.get(name, default)


def config_from_env(env: Mapping[str, str] | None = None) -> PortalConfig:
    env = os.environ if env is None else env
    db = Path(_get(env, "BBIC_DUCKDB_PATH"))
    data = db.parent
    oidc = None
    issuer = _get(env, "BBIC_OIDC_ISSUER")
    if issuer:
        oidc = OidcSettings(
            issuer=issuer.rstrip("/"),
            client_id=_get(env, "BBIC_OIDC_CLIENT_ID"),
            client_secret_file=Path(_get(env, "BBIC_OIDC_CLIENT_SECRET_FILE")),
            roles_file=Path(_get(env, "BBIC_OIDC_ROLES_FILE")),
            groups_claim=_get(env, "BBIC_OIDC_GROUPS_CLAIM", "groups"),
        )
    return PortalConfig(
        duckdb_path=db,
        reports=Path(_get(env, "BBIC_REPORTS")),
        register_dir=Path(_get(env, "BBIC_REGISTER_DIR")),
        users_file=Path(_get(env, "BBIC_USERS_FILE", str(data / "portal-users.json"))),
        session_key_file=Path(_get(env, "BBIC_SESSION_KEY_FILE", str(data / "portal-session.key"))),
        audit_db=Path(_get(env, "BBIC_AUDIT_DB", str(data / "audit.sqlite"))),
        cache_dir=Path(_get(env, "BBIC_PORTAL_CACHE", str(data / "portal-cache"))),
        oidc=oidc,
        public_url=_get(env, "BBIC_PUBLIC_URL").rstrip("/"),
    )


def session_key(path: Path) -> bytes:
    """The cookie signing key; made (random, owner-only) on first start when the file is absent."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secrets.token_urlsafe(48))
    key = path.read_text(encoding="ascii").strip()
    if len(key) < 32:
        raise ValueError(f"the session key in {path.name} is shorter than 32 characters")
    return key.encode("ascii")
