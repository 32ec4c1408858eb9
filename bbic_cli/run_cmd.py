"""`bbic run`: the nightly job in-process (no Dagster UI) on an inbox, with a progress display.

Loads every complete export in the inbox (oldest first) exactly as the Dagster pipeline does
(the same assets and checks), then refreshes the marts and reports, and prints per export what
was loaded, refused and quarantined, and where the reports are. Exit code 0 when everything
loaded or was skipped, 2 when an export was refused, 1 on a usage or configuration error.

`--sample` runs on the built-in sample data under `var/sample/`: when nothing has arrived there
yet, it generates the `stockholm-1y` export and its register (`bbic synth`), and it uses a demo
pseudonym key kept in `var/sample/demo-pseudonym.key` (0600). Real data never runs with a demo key.
"""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from bbic_cli.console_text import plain
from bbic_core.pseudonym import ENV_KEY, ENV_KEY_FILE, KeyMissingError
from pipelines.inbox import scan
from pipelines.registers import resolve_register
from pipelines.settings import DEFAULTS, DEMO_KEY_PREFIX, INT_DEFAULTS, SAMPLE_ROOT

if TYPE_CHECKING:
    from pipelines.runner import RunSummary

EXIT_OK = 0
EXIT_USAGE = 1
EXIT_REFUSED = 2
EXIT_BUSY = 3  # another run holds the writer lock: nothing was done
SAMPLE_SCALE = "stockholm-1y"
SAMPLE_FAULTS = 0.002  # a few faulty rows, so the sample shows quarantine and warnings at work
DEMO_KEY_FILE = SAMPLE_ROOT / "demo-pseudonym.key"
_OUTCOME_SV = {
    "accepted": "inläst",
    "refused": "AVVISAD",
    "skipped": "redan inläst (oförändrad)",
    "blocked": "STOPPAD av kontroll",
    "held": "HÅLLS: radantalet faller (bbic run --force godtar)",
    "pending": "VÄNTAR: landad men inte inläst, försöks igen nästa körning",
    "waiting": "väntar (inget register)",
    "error": "FEL",
}
def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise _usage(f"{name}={plain(raw)[:40]!r} is not a whole number") from None


def _usage(message: str) -> typer.Exit:
    typer.echo(f"bbic run: {message}", err=True)
    return typer.Exit(EXIT_USAGE)


def _setting(flag: Path | None, env: str, sample: bool) -> str:
    if flag is not None:
        return str(flag)
    if not sample and os.environ.get(env, "").strip():
        return os.environ[env].strip()
    return DEFAULTS[env]


def _demo_key(path: Path) -> Path:
    """The sample's demo key, made once (0600); it says it is a demo key, so real data refuses it."""
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(DEMO_KEY_PREFIX + secrets.token_hex(32).encode("ascii"))
    os.chmod(path, 0o600)
    return path


def _has_landed(archive: Path) -> bool:
    return archive.is_dir() and any(p.is_dir() and not p.name.startswith(".") for p in archive.iterdir())


def prepare_sample(inbox: Path, register: Path, archive: Path, console: Console) -> None:
    """Puts the sample export into the inbox and its register in place, when nothing has arrived yet."""
    if scan(inbox, settle_seconds=0) or _has_landed(archive):
        return
    inbox.mkdir(parents=True, exist_ok=True)
    work = inbox.parent / ".synth-tmp"
    shutil.rmtree(work, ignore_errors=True)
    with console.status(f"Skapar exempeldata ({SAMPLE_SCALE}) …"):
        from bbic_core.synth.generate import generate

        result = generate(work, scale=SAMPLE_SCALE, faults=SAMPLE_FAULTS)
        export_dir, register_dir, export_id = result.export_dir, result.register_dir, result.export_id
    if not (register / "organisation.yaml").is_file():
        register.mkdir(parents=True, exist_ok=True)
        for child in register_dir.iterdir():
            if child.is_file():
                shutil.copyfile(child, register / child.name)
    os.rename(export_dir, inbox / export_id)
    shutil.rmtree(work, ignore_errors=True)


def _top_rules(rules: dict[str, int], n: int = 3) -> str:
    top = sorted(rules.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
    return ", ".join(f"{code}×{count}" for code, count in top)


def print_summary(summary: RunSummary, console: Console) -> None:
    if not summary.exports:
        console.print("Inga nya exporter i inkorgen.")
    for export in summary.exports:
        # Export ids, file names and messages come from the export: printed as text, never as markup.
        name = plain(export.export_id or export.item)
        title = f"{name}: {_OUTCOME_SV.get(export.outcome, export.outcome)}"
        if export.as_of:
            title += f" (per {export.as_of})"
        if export.line:
            console.print(Text(title, style="bold"), soft_wrap=True)
            console.print(Text(f"  {plain(export.line)}"), soft_wrap=True)
        if not export.files:
            if not export.line:
                console.print(Text(title, style="bold"))
            continue
        table = Table(title=Text(title), title_justify="left")
        for header in ("fil", "lästa", "inlästa", "karantän", "vanligaste regler"):
            table.add_column(header, justify="left" if header in ("fil", "vanligaste regler") else "right")
        for file, stats in sorted(export.files.items()):
            table.add_row(
                Text(plain(file)),
                str(stats["read"]),
                str(stats["loaded"]),
                str(stats["quarantined"]),
                Text(plain(_top_rules(stats.get("rules", {})))),
            )
        console.print(table)
    if summary.reports is not None:
        console.print(Text(f"Rapporter: {summary.reports}  (senaste: {summary.reports.parent / 'latest'})"))
    if summary.reports_error:
        failed = Text(f"Rapporterna kunde inte tas fram: {plain(summary.reports_error)}")
        console.print(failed, soft_wrap=True)


def run(
    inbox: Annotated[Path | None, typer.Option(help="Inkorgen med exporter (BBIC_INBOX).")] = None,
    register: Annotated[Path | None, typer.Option(help="Registret (BBIC_REGISTER_DIR).")] = None,
    data: Annotated[
        Path | None, typer.Option(help="Datakatalogen: bbic.duckdb m.m. (mappen för BBIC_DUCKDB_PATH).")
    ] = None,
    reports: Annotated[Path | None, typer.Option(help="Rapportkatalogen (BBIC_REPORTS).")] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Läs in även en äldre eller redan inläst export.")
    ] = False,
    sample: Annotated[
        bool, typer.Option("--sample", help="Kör på inbyggda exempeldata i var/sample/.")
    ] = False,
    no_reports: Annotated[
        bool, typer.Option("--no-reports", help="Hoppa över statistik och rapporter.")
    ] = False,
    rekey: Annotated[
        bool,
        typer.Option("--rekey", help="Godta en annan pseudonymnyckel (alla pseudonymer byts)."),
    ] = False,
    from_archive: Annotated[bool, typer.Option("--from-archive", hidden=True)] = False,
) -> None:
    """Kör nattjobbet utan webbgränssnitt: landa, validera och läs in nya exporter, gör rapporterna."""
    console = Console()
    inbox_dir = Path(_setting(inbox, "BBIC_INBOX", sample))
    register_dir = Path(_setting(register, "BBIC_REGISTER_DIR", sample))
    reports_dir = Path(_setting(reports, "BBIC_REPORTS", sample))
    database = (
        (data / "bbic.duckdb") if data is not None else Path(_setting(None, "BBIC_DUCKDB_PATH", sample))
    )
    # The archive holds the personal numbers: unset, it lies in the data folder (owner-only), never in
    # whatever folder the command was started from.
    archive_env = os.environ.get("BBIC_ARCHIVE", "").strip()
    if sample:
        archive_dir = Path(DEFAULTS["BBIC_ARCHIVE"])
    else:
        archive_dir = Path(archive_env) if archive_env else database.parent / "archive"
    settings: dict[str, Any] = {
        "inbox": str(inbox_dir),
        "archive": str(archive_dir),
        "register_dir": str(register_dir),
        "reports": str(reports_dir),
        "municipality": os.environ.get("BBIC_MUNICIPALITY", "").strip() or "0180",
        "report_formats": os.environ.get("BBIC_REPORT_FORMATS", "").strip()
        or DEFAULTS["BBIC_REPORT_FORMATS"],
        "report_scopes": os.environ.get("BBIC_REPORT_SCOPES", "").strip(),
        "report_mode": os.environ.get("BBIC_REPORT_MODE", "").strip() or DEFAULTS["BBIC_REPORT_MODE"],
        # Run by hand, the operator has finished copying: wait only when told to.
        "settle_seconds": _int_env("BBIC_SETTLE_SECONDS", 0),
        "archive_keep_days": _int_env("BBIC_ARCHIVE_KEEP_DAYS", INT_DEFAULTS["BBIC_ARCHIVE_KEEP_DAYS"]),
        "max_row_drop_percent": _int_env(
            "BBIC_MAX_ROW_DROP_PERCENT", INT_DEFAULTS["BBIC_MAX_ROW_DROP_PERCENT"]
        ),
        "error_share_percent": _int_env("BBIC_ERROR_SHARE_PERCENT", INT_DEFAULTS["BBIC_ERROR_SHARE_PERCENT"]),
        "error_rows": _int_env("BBIC_ERROR_ROWS", INT_DEFAULTS["BBIC_ERROR_ROWS"]),
    }
    if sample:
        prepare_sample(inbox_dir, register_dir, archive_dir, console)
        settings.update(
            pseudonym_key_file=str(_demo_key(DEMO_KEY_FILE)), allow_demo_key=True, municipality="0180"
        )
    else:
        settings.update(
            pseudonym_key=os.environ.get(ENV_KEY, ""), pseudonym_key_file=os.environ.get(ENV_KEY_FILE, "")
        )
    # Dagster is imported only here, so the other `bbic` commands start quickly.
    from dagster_duckdb import DuckDBResource

    from pipelines.lock import LockHeldError
    from pipelines.resources import BbicSettings
    from pipelines.runner import rebuild as rebuild_from_archive
    from pipelines.runner import run_nightly

    bbic = BbicSettings(**settings, rekey=rekey)
    try:
        bbic.pseudonymiser()
    except KeyMissingError as exc:
        hint = "" if sample else " (or use --sample for the built-in sample data)"
        raise _usage(f"{exc}{hint}") from None
    if not inbox_dir.is_dir() and not from_archive:
        raise _usage(f"the inbox {plain(inbox_dir)} does not exist")
    try:  # the data folder holds the snapshot: owner-only when made here
        database.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise _usage(f"the data folder {plain(database.parent)} cannot be made: {exc.strerror}") from None
    state = resolve_register(register_dir, database.parent)
    if not state.usable:
        raise _usage(f"no register has parsed, exports wait in the inbox: {plain(state.error)}")
    if state.source == "last_good":
        console.print(
            Text.assemble(
                ("Registret går inte att läsa, det senaste giltiga används: ", "yellow"), plain(state.error)
            )
        )
    resources = {"bbic": bbic, "duckdb": DuckDBResource(database=str(database))}
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("inkorgen", total=None)

        def step(text: str, done: int, total: int) -> None:
            bar.update(task, description=text, completed=done, total=max(total, 1))

        moved: Path | None = None
        try:
            if from_archive:
                summary, moved = rebuild_from_archive(resources, reports=not no_reports, progress=step)
            else:
                summary = run_nightly(resources, force=force, reports=not no_reports, progress=step)
        except LockHeldError as exc:
            bar.stop()
            typer.echo(f"bbic run: {exc}", err=True)
            raise typer.Exit(EXIT_BUSY) from None
        except Exception as exc:
            bar.stop()
            from pipelines.defs.validation.assets import cause_of

            typer.echo(f"bbic run: stopped: {plain(cause_of(exc))}", err=True)
            raise typer.Exit(EXIT_USAGE) from None
    if moved is not None:
        console.print(Text(f"Den tidigare databasfilen ligger kvar som {moved}"), soft_wrap=True)
    print_summary(summary, console)
    if summary.refused:
        raise typer.Exit(EXIT_REFUSED)
    if summary.failed:
        raise typer.Exit(EXIT_USAGE)


def rebuild(
    register: Annotated[Path | None, typer.Option(help="Registret (BBIC_REGISTER_DIR).")] = None,
    data: Annotated[
        Path | None, typer.Option(help="Datakatalogen: bbic.duckdb m.m. (mappen för BBIC_DUCKDB_PATH).")
    ] = None,
    reports: Annotated[Path | None, typer.Option(help="Rapportkatalogen (BBIC_REPORTS).")] = None,
    no_reports: Annotated[
        bool, typer.Option("--no-reports", help="Hoppa över statistik och rapporter.")
    ] = False,
) -> None:
    """Gör om ögonblicksbilden ur arkivet (databasfilen förlorad eller trasig): varje arkiverad export
    läses in igen, äldst först. En befintlig fil flyttas åt sidan, den skrivs aldrig över."""
    run(register=register, data=data, reports=reports, no_reports=no_reports, from_archive=True)
