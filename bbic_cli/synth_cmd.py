"""`bbic synth` (not built yet)."""

from __future__ import annotations

import typer


def synth() -> None:
    """Not built yet."""
    typer.echo("bbic synth: not built yet", err=True)
    raise typer.Exit(1)
