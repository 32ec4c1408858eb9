"""`bbic serve`: the web portal (bbic_portal) on uvicorn.

    bbic serve [--host 127.0.0.1] [--port 8000]
    bbic serve --sample      # the built-in sample data after `make run`, with one account per role

Settings come from the same environment variables as the pipeline (docs/portal.md).
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Annotated, Any

import typer

from bbic_cli.extras import require
from pipelines.settings import DEFAULTS, SAMPLE_ROOT

SAMPLE_PASSWORDS = SAMPLE_ROOT / "portal-passwords.txt"
SAMPLE_USERS = SAMPLE_ROOT / "portal-users.json"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def secure_cookies(host: str, public_url: str) -> bool:
    """Cookies are `Secure` unless the portal serves plain HTTP on a loopback address to the user."""
    return not (is_loopback(host) and not public_url.startswith("https://"))


def serve(
    host: Annotated[str, typer.Option("--host", help="Adress att lyssna på")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port")] = 8000,
    sample: Annotated[
        bool,
        typer.Option(
            "--sample", help="Exempeldata (var/sample) med ett konto per roll; lösenorden i var/sample/"
        ),
    ] = False,
) -> None:
    """Starta BBIC-portalen."""
    require("portal", "serve")
    import uvicorn

    from bbic_portal.app import create_app
    from bbic_portal.config import config_from_env

    env = dict(os.environ)
    if sample:
        for name in ("BBIC_DUCKDB_PATH", "BBIC_REPORTS", "BBIC_REGISTER_DIR"):
            env[name] = DEFAULTS[name]
        env["BBIC_USERS_FILE"] = str(SAMPLE_USERS)
        env.pop("BBIC_OIDC_ISSUER", None)
    config = config_from_env(env)
    if sample:
        _sample_accounts(config.register_dir)
    if not config.users_file.exists() and config.oidc is None:
        typer.echo(
            f"bbic serve: no accounts: add one with `bbic users add NAME --role samordnare` "
            f"(users file {config.users_file}), or configure OIDC",
            err=True,
        )
        raise typer.Exit(1)
    public = config.public_url
    app = create_app(config, secure_cookies=secure_cookies(host, public))
    warm_up(app)
    typer.echo(
        f"BBIC-portalen: http://{host}:{port}/  (uppgifter: {config.duckdb_path}, "
        f"rapporter: {config.reports})"
    )
    uvicorn.run(
        app, host=host, port=port, proxy_headers=True, server_header=False, log_level="info", access_log=False
    )  # the audit log records who read what; the access log would add nothing


def warm_up(app: Any) -> None:
    """Copy the snapshot and compute Översikt's figures in the background, so the first user does not wait."""
    import threading

    portal = app.state.portal

    def work() -> None:
        try:
            state = portal.registers.state()
            if state.register is not None:
                portal.overview.computed(state.register)
        except Exception as exc:  # the first request shows the problem to the user
            typer.echo(f"bbic serve: Översikt not prepared ahead: {type(exc).__name__}", err=True)

    threading.Thread(target=work, name="warm-up", daemon=True).start()


def _sample_accounts(register_dir: Path) -> None:
    from bbic_core.register import RegisterError, load_register
    from bbic_portal.sample_accounts import make_sample_accounts

    if SAMPLE_USERS.exists() and SAMPLE_PASSWORDS.exists():
        typer.echo(f"Exempelkonton: användarnamn och lösenord finns i {SAMPLE_PASSWORDS}")
        return
    try:
        register = load_register(register_dir)
    except (RegisterError, OSError) as exc:
        typer.echo(
            f"bbic serve --sample: the sample register cannot be read ({exc}); run `make run` first", err=True
        )
        raise typer.Exit(1) from None
    make_sample_accounts(SAMPLE_USERS, SAMPLE_PASSWORDS, register)
    typer.echo(f"Exempelkonton skapade: användarnamn och lösenord finns i {SAMPLE_PASSWORDS}")
