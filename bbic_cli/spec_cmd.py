"""`bbic spec --out DIR`: writes the JSON Schemas and the data dictionary generated from the contract."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from bbic_core.contract import FORMAT, FORMAT_VERSION
from bbic_core.specs import write_specs


def spec(
    out: Annotated[Path, typer.Option("--out", "-o", help="Mapp att skriva till (skapas vid behov).")],
) -> None:
    """Skriv JSON Schema för exportens filer, manifestet och registret samt datakatalogen (MD, HTML).

    Skriver ut vilken version av exportkontraktet (manifestets format_version) filerna beskriver."""
    written = write_specs(out)
    # The folder's name is printed as text, never read as markup.
    table = Table(title=Text(f"bbic spec → {out}"), show_lines=False)
    table.add_column("fil")
    table.add_column("byte", justify="right")
    for path in written:
        table.add_row(str(path.relative_to(out)), f"{path.stat().st_size:,}".replace(",", " "))
    console = Console()
    console.print(table)
    console.print(f"[green]{len(written)} filer skrivna[/green] (samma innehåll vid varje körning).")
    console.print(Text(f"Exportkontrakt: {FORMAT} format_version {FORMAT_VERSION}"))
