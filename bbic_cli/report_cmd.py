"""`bbic report`: the reports of one scope and period from the current snapshot, as HTML, PDF,
Excel and `figures.csv`.

    bbic report --scope bromma --period 2025-T1 --out ut/
    bbic report --scope kommun --from 2025-01-01 --to 2025-03-31 --kind licens --format pdf --out ut/

The DuckDB file is opened read-only (the pipeline may be loading meanwhile). A published report
is disclosure-controlled together with every other scope of the municipality, as the archive
publishes them, so the same cells are hidden wherever the report is made.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Annotated, Literal

import duckdb
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from bbic_core.documents.archive import (
    FORMATS,
    Document,
    RenderJob,
    disclose,
    hierarchy,
    render_document,
    scope_names,
)
from bbic_core.documents.context import from_report_context
from bbic_core.figures import (
    NoSnapshotError,
    Period,
    ReportKind,
    Scope,
    ScopeLevel,
    compute_with_context,
    default_scopes,
    parse_period,
    report_context,
    standard_periods,
    write_figures_csv,
)
from bbic_core.figures.periods import period_label
from bbic_core.register import Register, RegisterError, load_register

EXIT_USAGE = 1
DEFAULT_DB = "var/sample/data/bbic.duckdb"
DEFAULT_REGISTER = "var/sample/register"
KINDS = ("verksamhet", "klientgrupp", "licens")


def _usage(message: str) -> typer.Exit:
    typer.echo(f"bbic report: {message}", err=True)
    return typer.Exit(EXIT_USAGE)


def resolve_scope(register: Register, text: str) -> Scope:
    """`kommun` (or the municipality code), a network code or a district code."""
    code = text.strip()
    if code.lower() in ("kommun", "kommunen") or code == register.municipality.code:
        return Scope(ScopeLevel.MUNICIPALITY, register.municipality.code)
    if any(n.code == code for n in register.networks):
        return Scope(ScopeLevel.NETWORK, code)
    if any(d.code == code for d in register.districts):
        return Scope(ScopeLevel.DISTRICT, code)
    networks = ", ".join(n.code for n in register.networks) or "(inga)"
    districts = ", ".join(d.code for d in register.districts)
    raise _usage(f"unknown scope {text!r}: it is neither 'kommun', a network ({networks}) "
                 f"nor a district ({districts})")


def _date(text: str | None, option: str) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise _usage(f"{option} {text!r} is not a date (YYYY-MM-DD)") from None


def _period(period: str | None, start: dt.date | None, end: dt.date | None, as_of: dt.date) -> Period:
    if period is not None and (start or end):
        raise _usage("give either --period or --from/--to, not both")
    if period is not None:
        try:
            return parse_period(period, as_of)
        except ValueError as exc:
            raise _usage(str(exc)) from None
    if start or end:
        if not (start and end):
            raise _usage("--from and --to go together")
        if end < start:
            raise _usage(f"--to {end} is before --from {start}")
        return Period(start, end)
    return standard_periods(as_of)["year_to_date"]


def _file_stem(kind: ReportKind, scope: Scope, period: Period, as_of: dt.date) -> str:
    if kind == ReportKind.LICENS:
        return f"licens_{scope.code}_{as_of.isoformat()}"
    return f"{kind.value}_{scope.code}_{period_label(period).replace('–', '_')}"


def report(
    scope: Annotated[str, typer.Option("--scope", help="kommun, en nätverkskod eller en stadsdelskod")],
    out: Annotated[Path, typer.Option("--out", help="Mapp att skriva rapporterna i")],
    start: Annotated[str | None, typer.Option("--from", help="Periodens första dag (YYYY-MM-DD)")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Periodens sista dag (YYYY-MM-DD)")] = None,
    period: Annotated[str | None, typer.Option(
        "--period", help="2025, 2025-H1, 2025-T2, 2025-Q1, 2025-05, 12m")] = None,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Uppgifter per / kontrolldag (standard: exportens)")] = None,
    kind: Annotated[str, typer.Option("--kind", help="verksamhet, klientgrupp, licens eller all")] = "all",
    formats: Annotated[str, typer.Option("--format", help="html,pdf,xlsx,csv")] = "html,pdf,xlsx,csv",
    mode: Annotated[str, typer.Option(
        "--mode", help="internal (exakta tal) eller published (röjandekontroll)")] = "internal",
    db: Annotated[Path | None, typer.Option("--db", help="DuckDB-fil (standard: $BBIC_DUCKDB_PATH)")] = None,
    register_dir: Annotated[Path | None, typer.Option("--register", help="Registermapp ($BBIC_REGISTER_DIR)")
                            ] = None,
) -> None:
    """Ta fram rapporterna för en stadsdel, ett nätverk eller hela kommunen ur den senaste inläsningen."""
    kinds = _kinds(kind)
    chosen_formats = _formats(formats)
    if mode not in ("internal", "published"):
        raise _usage(f"--mode {mode!r}: write internal or published")
    report_mode: Literal["internal", "published"] = "published" if mode == "published" else "internal"
    db_path = db or Path(os.environ.get("BBIC_DUCKDB_PATH", DEFAULT_DB))
    reg_path = register_dir or Path(os.environ.get("BBIC_REGISTER_DIR", DEFAULT_REGISTER))
    if not db_path.is_file():
        raise _usage(f"no snapshot database at {db_path} (set --db or BBIC_DUCKDB_PATH)")
    if not reg_path.is_dir():
        raise _usage(f"register folder not found: {reg_path} (set --register or BBIC_REGISTER_DIR)")
    try:
        register = load_register(reg_path)
    except RegisterError as exc:
        raise _usage(f"the register cannot be used: {exc}") from None
    target = resolve_scope(register, scope)
    given_as_of = _date(as_of, "--as-of")
    con = _open_snapshot(db_path)
    console = Console(stderr=True)
    try:
        documents = _compute(con, register, target, kinds, start, end, period, given_as_of, report_mode,
                             console)
    except NoSnapshotError as exc:
        raise _usage(f"{db_path}: {exc}") from None
    finally:
        con.close()
    out.mkdir(parents=True, exist_ok=True)
    written = _render(documents, out, chosen_formats, console)
    if "csv" in chosen_formats:
        csv_path = out / "figures.csv"
        write_figures_csv([f for doc in documents for f in doc.figures], csv_path)
        written.append(csv_path)
    for path in written:
        typer.echo(str(path))


def _open_snapshot(db_path: Path) -> duckdb.DuckDBPyConnection:
    """Read-only; waits briefly while a run holds the file, and says in one line what else is wrong."""
    from pipelines.store.connect import DatabaseBusyError, connect

    try:
        return connect(db_path, read_only=True)
    except DatabaseBusyError as exc:
        raise _usage(f"{exc}; try again when the run has finished") from None
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise _usage(f"{db_path} cannot be opened as the snapshot database ({first[:200]})") from None


def _kinds(kind: str) -> list[ReportKind]:
    if kind == "all":
        return [ReportKind(k) for k in KINDS]
    if kind not in KINDS:
        raise _usage(f"--kind {kind!r}: write one of {', '.join(KINDS)} or all")
    return [ReportKind(kind)]


def _formats(text: str) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(f.strip().lower() for f in text.split(",") if f.strip()))
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise _usage(f"--format {text!r}: choose among {', '.join(FORMATS)}")
    return chosen


def _compute(con: duckdb.DuckDBPyConnection, register: Register, target: Scope, kinds: list[ReportKind],
             start: str | None, end: str | None, period_text: str | None, as_of: dt.date | None,
             mode: Literal["internal", "published"], console: Console) -> list[Document]:
    from bbic_core.figures.context import snapshot_meta

    meta = snapshot_meta(con)
    a = as_of or meta.as_of
    chosen = _period(period_text, _date(start, "--from"), _date(end, "--to"), a)
    names = scope_names(register)
    # Published: every scope of the day is computed, so that suppression holds across them.
    scopes = [target] if mode == "internal" else default_scopes(register, a)
    if target not in scopes:
        scopes.append(target)
    documents: list[Document] = []
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=console, transient=True) as progress:
        task = progress.add_task("Beräknar", total=len(scopes) * len(kinds))
        for scope in scopes:
            for kind in kinds:
                rc = report_context(con, register, kind, scope, chosen, a)
                figures = compute_with_context(con, register, rc, mode)
                ctx = from_report_context(rc, mode=mode, names=names)
                documents.append(Document(ctx, tuple(figures), scope.code, "",
                                          file_stem=_file_stem(kind, scope, chosen, a)))
                progress.advance(task)
    if mode == "published":
        documents = disclose(documents, lambda period_end: hierarchy(register, scopes, period_end), 5)
    return [d for d in documents if d.ctx.scope == target]


def _render(documents: list[Document], out: Path, formats: tuple[str, ...], console: Console) -> list[Path]:
    doc_formats = tuple(f for f in formats if f != "csv")
    written: list[Path] = []
    if not doc_formats:
        return written
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=console, transient=True) as progress:
        task = progress.add_task("Skriver rapporter", total=len(documents))
        for doc in documents:
            names = render_document(RenderJob(doc, out, doc_formats))
            written.extend(out / name for name in names)
            progress.advance(task)
    return written
