"""A real portal for the tests: a small deployment made by the pipeline, and uvicorn on a loopback port.

    from portal_server import portal_server, portal_deployment   # pytest fixtures (session-scoped)

`portal_deployment` loads two tiny synthetic exports with the real pipeline (Dagster, in-process)
and writes the report archive with the library function the pipeline's `reports` asset calls
(`render_standard_set`; one process, to stay quick): as of 2025-01-31 a published set (web page and
`figures.csv`), as of 2025-02-28 (the current snapshot) an internal set (web page and `figures.csv`)
plus PDF and Excel of two documents of `bromma` (`verksamhet_year_to_date`, `licens_kontrolldag`),
for the municipality, the network `vasterort` and the districts `bromma` and `spanga` (the district
`kista` is in no network and has no reports). `portal_server` serves it with one local account per role:

| user | roles |
|---|---|
| `samordnare` | samordnare |
| `bromma` | stadsdel:bromma |
| `vasterort` | natverk:vasterort |
| `kista` | stadsdel:kista |
| `lasare` | lasare |

Each account's password is in `PortalServer.passwords`; `PortalServer.login(user)` gives an
`httpx.Client` signed in as that user.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import duckdb
import httpx
import pytest
import uvicorn
from argon2 import PasswordHasher

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pipeline"))
import pipeline_helpers as ph

from bbic_core.documents.report_set import (
    RenderJob,
    render_document,
    render_standard_set,
    standard_documents,
)
from bbic_core.register import load_register
from bbic_core.scopes import Scope, ScopeLevel
from bbic_portal.app import create_app
from bbic_portal.config import PortalConfig, config_from_env
from bbic_portal.roles import parse_roles
from bbic_portal.users import Account, write_users

REGISTER_YAML = """\
municipality: {code: "0180", name: Stockholm}
networks:
  - {code: vasterort, name: Västerort, districts: [bromma, spanga]}
districts:
  - code: bromma
    name: Bromma
    licenser:
      - {typ: LICENS, beviljad: 2010-06-01}
  - code: spanga
    name: Spånga
    licenser:
      - {typ: PROVOLICENS, beviljad: 2023-04-15}
  - code: kista
    name: Kista
    licenser:
      - {typ: LICENS, beviljad: 2012-06-01}
"""
SCOPES = (
    Scope(ScopeLevel.MUNICIPALITY, "0180"),
    Scope(ScopeLevel.NETWORK, "vasterort"),
    Scope(ScopeLevel.DISTRICT, "bromma"),
    Scope(ScopeLevel.DISTRICT, "spanga"),
)
# PDFs and workbooks are slow to make: only these documents of bromma have them
PRINTED_STEMS = ("verksamhet_year_to_date", "licens_kontrolldag")
# Argon2id with small costs: the tests sign in a hundred times (the portal's own accounts use the defaults)
TEST_HASHER = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
PUBLISHED_AS_OF = "2025-01-31"
INTERNAL_AS_OF = "2025-02-28"
Mode = Literal["internal", "published"]
ACCOUNTS: dict[str, tuple[str, ...]] = {
    "samordnare": ("samordnare",),
    "bromma": ("stadsdel:bromma",),
    "vasterort": ("natverk:vasterort",),
    "kista": ("stadsdel:kista",),
    "lasare": ("lasare",),
}


@dataclass
class Deployment:
    root: Path
    env: ph.Env

    @property
    def data(self) -> Path:
        return self.env.data

    def environ(self, **extra: str) -> dict[str, str]:
        """The portal's environment variables for this deployment."""
        values = {
            "BBIC_DUCKDB_PATH": str(self.env.db),
            "BBIC_REPORTS": str(self.env.reports),
            "BBIC_REGISTER_DIR": str(self.env.register),
            "BBIC_USERS_FILE": str(self.root / "portal" / "users.json"),
            "BBIC_SESSION_KEY_FILE": str(self.root / "portal" / "session.key"),
            "BBIC_AUDIT_DB": str(self.root / "portal" / "audit.sqlite"),
            "BBIC_PORTAL_CACHE": str(self.root / "portal" / "cache"),
        }
        values.update(extra)
        return values

    def load(self, export_id: str, as_of: str) -> None:
        """One real pipeline run (land, validate, swap) of a fresh small export."""
        ph.make_export(self.env.inbox, export_id, created_at=f"{as_of}T22:00:00+01:00")
        result = ph.run(self.env)
        if not result.success:
            raise RuntimeError(f"pipeline run failed: {ph.failure_descriptions(result)}")

    def render(self, export_id: str, as_of: str, mode: Mode, formats: tuple[str, ...]) -> None:
        register = load_register(self.env.register)
        con = duckdb.connect(str(self.env.db), read_only=True)
        try:
            render_standard_set(
                con,
                register,
                self.env.reports,
                as_of=dt.date.fromisoformat(as_of),
                export_id=export_id,
                formats=formats,
                mode=mode,
                scopes=SCOPES,
                workers=1,
            )
        finally:
            con.close()

    def render_printed(self, export_id: str, as_of: str, scope: Scope, stems: tuple[str, ...]) -> None:
        """PDF and Excel of a few documents of one scope into the internal set."""
        register = load_register(self.env.register)
        day = dt.date.fromisoformat(as_of)
        con = duckdb.connect(str(self.env.db), read_only=True)
        try:
            documents = standard_documents(con, register, as_of=day, export_id=export_id, mode="internal",
                                           scopes=[scope])
        finally:
            con.close()
        folder = self.env.reports / as_of / scope.code
        for doc in documents:
            if doc.stem in stems:
                render_document(RenderJob(doc, folder, ("pdf", "xlsx")))


def build_deployment(root: Path) -> Deployment:
    env = ph.Env(root)
    env.inbox.mkdir(parents=True)
    env.register.mkdir(parents=True)
    (env.register / "organisation.yaml").write_text(REGISTER_YAML, encoding="utf-8")
    deployment = Deployment(root, env)
    deployment.load("E1", PUBLISHED_AS_OF)
    deployment.render("E1", PUBLISHED_AS_OF, "published", ("html", "csv"))
    deployment.load("E2", INTERNAL_AS_OF)
    deployment.render("E2", INTERNAL_AS_OF, "internal", ("html", "csv"))
    deployment.render_printed("E2", INTERNAL_AS_OF, Scope(ScopeLevel.DISTRICT, "bromma"), PRINTED_STEMS)
    return deployment


@dataclass
class PortalServer:
    base_url: str
    config: PortalConfig
    deployment: Deployment
    passwords: dict[str, str]
    roles: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: dict(ACCOUNTS))
    server: Any = None
    thread: threading.Thread | None = None

    def client(self, **kwargs: Any) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, timeout=120, **kwargs)

    def login(self, user: str, password: str | None = None) -> httpx.Client:
        client = self.client()
        response = sign_in(client, user, self.passwords[user] if password is None else password)
        if response.status_code != 303:
            raise AssertionError(f"sign-in of {user} failed: {response.status_code}")
        return client

    def stop(self) -> None:
        if self.server is not None:
            self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(timeout=10)


def login_token(client: httpx.Client) -> str:
    page = client.get("/logga-in")
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


def sign_in(client: httpx.Client, user: str, password: str) -> httpx.Response:
    token = login_token(client)
    return client.post(
        "/logga-in", data={"anvandare": user, "losenord": password, "csrf": token, "next": "/"}
    )


def make_accounts(users_file: Path, accounts: Mapping[str, tuple[str, ...]] = ACCOUNTS) -> dict[str, str]:
    passwords = {name: f"pw-{name}-{os.urandom(6).hex()}" for name in accounts}
    write_users(
        users_file,
        {
            name: Account(name, TEST_HASHER.hash(passwords[name]), parse_roles(list(roles)))
            for name, roles in accounts.items()
        },
    )
    return passwords


def start_portal(
    deployment: Deployment, *, tag: str = "main", clock: Callable[[], float] = time.time, **env: str
) -> PortalServer:
    """A portal on a free loopback port, in a thread of this process; its own audit log and cache per tag."""
    base = deployment.root / f"portal-{tag}"
    base.mkdir(parents=True, exist_ok=True)
    environ = deployment.environ(
        BBIC_USERS_FILE=str(base / "users.json"),
        BBIC_SESSION_KEY_FILE=str(base / "session.key"),
        BBIC_AUDIT_DB=str(base / "audit.sqlite"),
        BBIC_PORTAL_CACHE=str(base / "cache"),
        **env,
    )
    config = config_from_env(environ)
    passwords = make_accounts(config.users_file)
    app = create_app(config, secure_cookies=False, clock=clock)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            log_level="warning",
            access_log=False,
            lifespan="off",
            server_header=False,
        )
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the portal did not start")
        time.sleep(0.05)
    return PortalServer(
        f"http://127.0.0.1:{port}", config, deployment, passwords, server=server, thread=thread
    )


@pytest.fixture(scope="session")
def portal_deployment(tmp_path_factory: pytest.TempPathFactory) -> Deployment:
    return build_deployment(tmp_path_factory.mktemp("portal-deployment"))


@pytest.fixture(scope="session")
def portal_server(portal_deployment: Deployment) -> Iterator[PortalServer]:
    server = start_portal(portal_deployment)
    try:
        yield server
    finally:
        with contextlib.suppress(Exception):
            server.stop()
