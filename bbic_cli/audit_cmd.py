"""`bbic audit [--since D] [--user U] [--csv]`: the portal's audit log, read while the portal writes."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from bbic_cli.extras import require


def audit(
    since: Annotated[str | None, typer.Option("--since", help="Från och med datum (ÅÅÅÅ-MM-DD, UTC)")] = None,
    user: Annotated[str, typer.Option("--user", help="Bara denna användare")] = "",
    as_csv: Annotated[bool, typer.Option("--csv", help="Skriv CSV")] = False,
) -> None:
    """Visa granskningsloggen (vem läste och hämtade vad)."""
    require("portal", "audit")
    from bbic_portal import audit as log
    from bbic_portal.config import config_from_env

    start = None
    if since is not None:
        try:
            start = dt.date.fromisoformat(since)
        except ValueError:
            typer.echo(f"bbic audit: --since {since!r} is not a date (YYYY-MM-DD)", err=True)
            raise typer.Exit(1) from None
    path = config_from_env().audit_db
    rows = list(reversed(log.query(path, since=start, user=user)))  # oldest first, like a log
    if as_csv:
        typer.echo(log.to_csv(rows), nl=False)
        return
    for row in rows:
        what = " ".join(
            v
            for v in (row["report"], row["scope"], row["period"], row["as_of"], row["mode"], row["format"])
            if v
        )
        detail = f" ({row['detail']})" if row["detail"] else ""
        # plain text, never rich markup: names and details come from users
        typer.echo(
            f"{row['at']}\t{row['user']}\t{row['roles']}\t{row['client']}\t{row['action']}\t"
            f"{what}\t{row['outcome']}{detail}"
        )
