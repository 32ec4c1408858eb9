"""`bbic spec` (not built yet)."""

from __future__ import annotations

import typer


def spec() -> None:
    """Not built yet."""
    typer.echo("bbic spec: not built yet", err=True)
    raise typer.Exit(1)
