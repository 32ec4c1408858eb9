"""`bbic report`: the reports of one scope and period from the current snapshot, as HTML, PDF,
Excel and `figures.csv`.

    bbic report --scope bromma --period 2025-T1 --out ut/
    bbic report --scope kommun --from 2025-01-01 --to 2025-03-31 --kind licens --format pdf --out ut/
    bbic report --scope vasterort --kind jamforelse --period 2025-T2 --out ut/
    bbic report --scope kommun --kind arsrapport --period 2025 --out ut/

The DuckDB file is opened read-only (the pipeline may be loading meanwhile). The figures come from
`bbic_core.figures.produce_reports`, the same compute-and-disclose step the nightly marts use: a
published report is disclosure-controlled together with every other scope of the municipality, as
the archive publishes them, so the same cells are hidden wherever the report is made. The year's
report is published by default (`--mode internal` for the committee's closed session).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import duckdb
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from bbic_cli.extras import require
from bbic_core.figures import (
    NoSnapshotError,
    ReportKind,
    ReportRequest,
    ReportStore,
    parse_period,
    produce_reports,
    standard_periods,
    write_figures_csv,
)
from bbic_core.figures.periods import months_period, period_label
from bbic_core.register import Register, RegisterError, load_register
from bbic_core.scopes import Period, Scope, ScopeError
from pipelines.settings import DUCKDB_NAME, SettingError, configured

if TYPE_CHECKING:
    from bbic_core.documents.report_set import Document

EXIT_USAGE = 1
KINDS = ("verksamhet", "klientgrupp", "licens", "jamforelse", "arsrapport")
ALL_KINDS = ("verksamhet", "klientgrupp", "licens")  # --kind all: the reports of one period


def _usage(message: str) -> typer.Exit:
    typer.echo(f"bbic report: {message}", err=True)
    return typer.Exit(EXIT_USAGE)


def resolve_scope(register: Register, text: str) -> Scope:
    """`Scope.parse`'s grammar: `kommun` (or the municipality code), a network or district code, or
    `kommun:<code>`, `natverk:<code>`, `stadsdel:<code>`."""
    try:
        return Scope.parse(text, register)
    except ScopeError as exc:
        raise _usage(str(exc)) from None


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


def _year(period_text: str | None, start: dt.date | None, end: dt.date | None, as_of: dt.date) -> Period:
    """The year's report covers one calendar year; default the latest year ended at A."""
    if period_text is None and not (start or end):
        return months_period(as_of.year - 1, 1, 12)
    chosen = _period(period_text, start, end, as_of)
    if chosen != months_period(chosen.start.year, 1, 12):
        raise _usage("--kind arsrapport covers one calendar year: write --period 2025 (or the year's "
                     "first and last day)")
    return chosen


def report(
    scope: Annotated[str, typer.Option("--scope", help="kommun, en nätverkskod eller en stadsdelskod")],
    out: Annotated[Path, typer.Option("--out", help="Mapp att skriva rapporterna i")],
    start: Annotated[str | None, typer.Option("--from", help="Periodens första dag (YYYY-MM-DD)")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Periodens sista dag (YYYY-MM-DD)")] = None,
    period: Annotated[str | None, typer.Option(
        "--period", help="2025, 2025-H1, 2025-T2, 2025-Q1, 2025-05, 12m")] = None,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Uppgifter per / kontrolldag (standard: exportens)")] = None,
    kind: Annotated[str, typer.Option(
        "--kind", help="verksamhet, klientgrupp, licens, jamforelse, arsrapport eller all")] = "all",
    formats: Annotated[str, typer.Option("--format", help="html,pdf,xlsx,csv")] = "html,pdf,xlsx,csv",
    mode: Annotated[str | None, typer.Option(
        "--mode", help="internal (exakta tal) eller published (röjandekontroll); standard: internal, "
                       "för årsrapporten published")] = None,
    data: Annotated[Path | None, typer.Option(
        "--data", help="Datakatalogen med bbic.duckdb (standard: mappen för $BBIC_DUCKDB_PATH)")] = None,
    db: Annotated[Path | None, typer.Option("--db", hidden=True, help="DuckDB-filen (som --data)")] = None,
    register_dir: Annotated[Path | None, typer.Option("--register", help="Registermapp ($BBIC_REGISTER_DIR)")
                            ] = None,
) -> None:
    """Ta fram rapporterna för en stadsdel, ett nätverk eller hela kommunen ur den senaste inläsningen."""
    require("documents", "report")
    kinds = _kinds(kind)
    chosen_formats = _formats(formats)
    if mode is None:
        mode = "published" if kinds == [ReportKind.ARSRAPPORT] else "internal"
    if mode not in ("internal", "published"):
        raise _usage(f"--mode {mode!r}: write internal or published")
    report_mode: Literal["internal", "published"] = "published" if mode == "published" else "internal"
    try:
        values = configured(os.environ)
    except SettingError as exc:
        raise _usage(str(exc)) from None
    db_path = (data / DUCKDB_NAME) if data is not None else (db or Path(values["duckdb_path"]))
    reg_path = register_dir or Path(values["register_dir"])
    if not db_path.is_file():
        raise _usage(f"no snapshot database at {db_path} (set --data or BBIC_DUCKDB_PATH)")
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
        return [ReportKind(k) for k in ALL_KINDS]
    if kind not in KINDS:
        raise _usage(f"--kind {kind!r}: write one of {', '.join(KINDS)} or all")
    return [ReportKind(kind)]


def _formats(text: str) -> tuple[str, ...]:
    from bbic_core.documents.report_set import FORMATS

    chosen = tuple(dict.fromkeys(f.strip().lower() for f in text.split(",") if f.strip()))
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise _usage(f"--format {text!r}: choose among {', '.join(FORMATS)}")
    return chosen


def _compute(con: duckdb.DuckDBPyConnection, register: Register, target: Scope, kinds: list[ReportKind],
             start: str | None, end: str | None, period_text: str | None, as_of: dt.date | None,
             mode: Literal["internal", "published"], console: Console) -> list[Document]:
    from bbic_core.documents.report_set import documents_of, year_before_requests
    from bbic_core.figures.report_context import snapshot_meta

    meta = snapshot_meta(con)
    a = as_of or meta.as_of
    first, last = _date(start, "--from"), _date(end, "--to")
    requests: list[ReportRequest] = []
    for kind in kinds:
        if kind == ReportKind.LICENS:
            requests.append(ReportRequest(kind, target, Period(a, a)))
        elif kind == ReportKind.ARSRAPPORT:
            requests.append(ReportRequest(kind, target, _year(period_text, first, last, a)))
        else:
            requests.append(ReportRequest(kind, target, _period(period_text, first, last, a)))
    # one store: every report (and every scope a published report is suppressed with) computed once
    store = ReportStore(con, register, as_of=a)
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=console, transient=True) as progress:
        task = progress.add_task("Beräknar", total=len(requests))
        produced = []
        for request in requests:
            produced += produce_reports(con, register, [request], mode=mode, store=store)
            progress.advance(task)
        previous = produce_reports(con, register, year_before_requests(requests, a), mode=mode, store=store)
    documents = documents_of(produced, previous, register, mode=mode, k=store.k, export_id=meta.export_id)
    return [replace(doc, file_stem=_file_stem(doc.ctx.report, target, p.request.period, p.context.as_of))
            for doc, p in zip(documents, produced, strict=True)]


def _render(documents: list[Document], out: Path, formats: tuple[str, ...], console: Console) -> list[Path]:
    from bbic_core.documents.report_set import RenderJob, render_document

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
