"""`bbic run` (not built yet)."""

from __future__ import annotations

import typer


def run() -> None:
    """Not built yet."""
    typer.echo("bbic run: not built yet", err=True)
    raise typer.Exit(1)
