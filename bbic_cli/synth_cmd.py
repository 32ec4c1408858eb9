"""`bbic synth`: writes a synthetic Paraply export and its register (deterministic for a seed)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from bbic_core import contract
from bbic_core.synth.generate import DEFAULT_AS_OF, generate
from bbic_core.synth.scales import SCALES


def synth(
    out: Annotated[Path, typer.Option("--out", help="Katalog: OUT/export/ och OUT/register/.")],
    scale: Annotated[str, typer.Option(help=f"Storlek: {', '.join(SCALES)}.")] = "demo",
    seed: Annotated[int, typer.Option(help="Slumpfrö: samma frö ger samma bytes.")] = 1,
    faults: Annotated[float, typer.Option(help="Andel rader med fel (0..1), listade i OUT/faults.json.")
                      ] = 0.0,
    encoding: Annotated[str, typer.Option(help="Teckenkodning för CSV-filerna: utf-8 eller windows-1252.")
                        ] = "utf-8",
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help=f"Exportens datum (YYYY-MM-DD), standard {DEFAULT_AS_OF}.")] = None,
) -> None:
    """Skapa en syntetisk Paraply-export med register (organisation.yaml, utbildning.csv)."""
    console = Console(stderr=True)
    if scale not in SCALES:
        raise typer.BadParameter(f"okänd storlek {scale!r}; välj {', '.join(SCALES)}", param_hint="--scale")
    if encoding.lower() not in contract.ENCODINGS:
        raise typer.BadParameter("utf-8 eller windows-1252", param_hint="--encoding")
    if not 0.0 <= faults <= 1.0:
        raise typer.BadParameter("en andel mellan 0 och 1", param_hint="--faults")
    try:
        as_of_date = dt.date.fromisoformat(as_of) if as_of else None
    except ValueError:
        raise typer.BadParameter("ett datum YYYY-MM-DD", param_hint="--as-of") from None
    with Progress(TextColumn("{task.description:<28}"), BarColumn(), TimeElapsedColumn(), console=console,
                  transient=True) as bar:
        task = bar.add_task("synth", total=1.0)

        def report(step: str, fraction: float) -> None:
            bar.update(task, completed=fraction, description=step)

        result = generate(out, scale=scale, seed=seed, faults=faults, encoding=encoding, as_of=as_of_date,
                          progress=report)
    rows = sum(result.row_counts.values())
    console.print(f"[green]Klart[/green] {result.export_id}: {rows:,} rader i {result.export_dir} "
                  f"({result.seconds:.1f} s)".replace(",", " "))
    if faults > 0:
        console.print(f"{len(result.faults)} inlagda fel listade i {out / 'faults.json'}")
