"""`bbic validate` (not built yet)."""

from __future__ import annotations

import typer


def validate() -> None:
    """Not built yet."""
    typer.echo("bbic validate: not built yet", err=True)
    raise typer.Exit(1)
