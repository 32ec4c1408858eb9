"""`bbic validate EXPORT [--register DIR] [--json]`: checks one export without loading it anywhere.

Uses an in-memory DuckDB and a random ephemeral pseudonym key, so nothing persists. Exit code
0 when the export is acceptable (accepted, or already loaded), 2 when it is refused, 1 on a
usage error. `--json` prints the contract it implements (`format`, `format_version`: the
manifest's), `ValidationResult.to_json()` and `findings` (file, line, column, code, severity,
message of every finding). X008 is judged by the deployment's thresholds (`BBIC_ERROR_SHARE_PERCENT`,
`BBIC_ERROR_ROWS`), as the pipeline judges it. Personal numbers never appear in the output: findings carry
pseudonyms or `***`.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from pathlib import Path
from typing import Annotated

import duckdb
import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from bbic_cli.console_text import plain
from bbic_core.contract import FORMAT, FORMAT_VERSION
from bbic_core.pseudonym import MIN_KEY_BYTES, Pseudonymiser
from bbic_core.validation.result import RegisterView, ValidationResult
from bbic_core.validation.validate import SKIPPED_STADSDEL, SKIPPED_X007, validate_export
from pipelines.settings import SettingError, configured, validation_settings

# Characters a terminal may act on (C0 and C1 controls, DEL) or that reorder what is shown (bidi
# controls): text from the export shows them escaped, e.g. `\x1b`.
# What `json.dumps` leaves unescaped of those (it escapes C0 itself; its own line breaks are layout).
_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")

EXIT_OK = 0
EXIT_USAGE = 1
EXIT_REFUSED = 2

_SKIPPED_WHY = {
    SKIPPED_X007: "X007 (kommunkoden: inget register)",
    SKIPPED_STADSDEL: "stadsdel (V003: inget register)",
    "X010": "X010 (ingen inläsningshistorik)",
    "X009": "X009 (ingen inläsningshistorik)",
}


def _json_text(doc: object) -> str:
    """JSON with the controls that `json.dumps` leaves (DEL, C1, bidi) escaped too: still valid JSON."""
    text = json.dumps(doc, ensure_ascii=False, indent=2)
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _usage(message: str) -> typer.Exit:
    typer.echo(f"bbic validate: {plain(message)}", err=True)
    return typer.Exit(EXIT_USAGE)


def _load_register(folder: Path) -> RegisterView:
    from bbic_core.register import RegisterError, load_register

    if not folder.is_dir():
        raise _usage(f"register folder not found: {folder}")
    try:
        return load_register(folder)
    except RegisterError as exc:
        raise _usage(f"the register cannot be used: {exc}") from None


def validate(
    export: Annotated[Path | None, typer.Argument(help="Exportmapp eller .zip", show_default=False)] = None,
    register: Annotated[Path | None, typer.Option("--register", help="Registermapp (organisation.yaml)")
                        ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Skriv bara JSON-dokumentet")] = False,
) -> None:
    """Validera en Paraply-export: exportfel (X) och radregler (V), utan att läsa in något."""
    if export is None:
        raise _usage("missing argument EXPORT (an export folder or .zip)")
    if not export.exists():
        raise _usage(f"no such export: {export}")
    try:
        values = configured(os.environ)
    except SettingError as exc:
        raise _usage(str(exc)) from None
    thresholds = validation_settings(values["error_share_percent"], values["error_rows"])
    reg = _load_register(register) if register is not None else None
    con = duckdb.connect(":memory:")
    try:
        result = validate_export(export, register=reg, con=con, settings=thresholds,
                                 pseudonymiser=Pseudonymiser(secrets.token_bytes(MIN_KEY_BYTES)))
        if as_json:
            doc: dict[str, object] = {"format": FORMAT, "format_version": FORMAT_VERSION, **result.to_json()}
            doc["findings"] = _findings(con)
            typer.echo(_json_text(doc))
        else:
            _print_human(result, con)
    finally:
        con.close()
    raise typer.Exit(EXIT_OK if result.acceptable else EXIT_REFUSED)


def _findings(con: duckdb.DuckDBPyConnection) -> list[dict[str, object]]:
    """Every finding with its file and line, so that a script can point at each bad row."""
    rows = con.execute("SELECT file, line, column_name, code, severity, message FROM findings").fetchall()
    keys = ("file", "line", "column", "code", "severity", "message")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def _print_human(result: ValidationResult, con: duckdb.DuckDBPyConnection) -> None:
    for file, line, column, code, message in con.execute(
        "SELECT file, line, column_name, code, message FROM findings"
    ).fetchall():
        typer.echo(plain(f"{file}:{line}: {column or '-'}: {code} {message}"))
    # Rich text objects, never markup strings: an export_id like `evil[/]x` is text.
    console = Console(highlight=False)
    if result.files:
        table = Table(title=Text(plain(f"Export {result.export_id} (per {result.as_of})")))
        for heading in ("fil", "lästa", "inlästa", "karantän", "regler"):
            table.add_column(heading, justify="left" if heading in ("fil", "regler") else "right")
        for name, stats in result.files.items():
            rules = ", ".join(f"{code}: {n}" for code, n in sorted(stats.rules.items()))
            cells = (name, str(stats.read), str(stats.loaded), str(stats.quarantined), rules)
            table.add_row(*(Text(plain(cell)) for cell in cells))
        console.print(table)
    if result.skipped:
        not_made = "; ".join(_SKIPPED_WHY.get(s, s) for s in result.skipped)
        typer.echo(f"Kontroller som inte gjordes: {not_made}")
    if result.refusal is not None:
        r = result.refusal
        where = f"{r.file}:{r.line}" if r.file and r.line else (r.file or "export")
        # The reader's messages start with the file name; it is said once, with the line.
        message = r.message.removeprefix(f"{r.file}: ") if r.file else r.message
        typer.echo(plain(f"AVVISAD {r.code}: {where}: {message}"))
    elif result.outcome == "skipped":
        typer.echo(plain(f"Redan inläst med samma kontrollsummor: {result.export_id}"))
    else:
        loaded = sum(s.loaded for s in result.files.values())
        quarantined = sum(s.quarantined for s in result.files.values())
        typer.echo(f"GODKÄND: {loaded} rader läses in, {quarantined} i karantän, {result.warnings} varningar")
