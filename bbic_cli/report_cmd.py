"""`bbic report` (not built yet)."""

from __future__ import annotations

import typer


def report() -> None:
    """Not built yet."""
    typer.echo("bbic report: not built yet", err=True)
    raise typer.Exit(1)
