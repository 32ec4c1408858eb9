"""`bbic spec --out DIR`: writes the JSON Schemas and the data dictionary generated from the contract."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from bbic_core.specs import write_specs


def spec(
    out: Annotated[Path, typer.Option("--out", "-o", help="Mapp att skriva till (skapas vid behov).")],
) -> None:
    """Skriv JSON Schema för exportens filer, manifestet och registret samt datakatalogen (MD, HTML)."""
    written = write_specs(out)
    table = Table(title=f"bbic spec → {out}", show_lines=False)
    table.add_column("fil")
    table.add_column("byte", justify="right")
    for path in written:
        table.add_row(str(path.relative_to(out)), f"{path.stat().st_size:,}".replace(",", " "))
    console = Console()
    console.print(table)
    console.print(f"[green]{len(written)} filer skrivna[/green] (samma innehåll vid varje körning).")
