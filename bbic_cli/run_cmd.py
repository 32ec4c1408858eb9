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
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from bbic_cli.console_text import plain
from bbic_cli.extras import require
from bbic_core.pseudonym import ENV_KEY, ENV_KEY_FILE, KeyMissingError
from pipelines.settings import (
    DEFAULTS,
    DEMO_KEY_PREFIX,
    DUCKDB_NAME,
    SAMPLE_ROOT,
    SettingError,
    configured,
)

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
def _usage(message: str) -> typer.Exit:
    typer.echo(f"bbic run: {message}", err=True)
    return typer.Exit(EXIT_USAGE)


def command_settings(environ: Mapping[str, str], *, inbox: Path | None = None, register: Path | None = None,
                     data: Path | None = None, reports: Path | None = None,
                     sample: bool = False) -> dict[str, Any]:
    """The pipeline's settings for a run from the command line: the environment, as the Dagster code
    location reads it (`pipelines.settings.configured`), then the command's flags.

    `--sample` takes the sample's folders and its municipality (the built-in export is Stockholm's),
    whatever the environment says of them. Run by hand, the operator has finished copying: the inbox
    is not waited on unless `BBIC_SETTLE_SECONDS` says so. `SettingError` for a malformed variable.
    """
    values = configured(environ)
    if sample:
        values.update(inbox=DEFAULTS["BBIC_INBOX"], archive=DEFAULTS["BBIC_ARCHIVE"],
                      register_dir=DEFAULTS["BBIC_REGISTER_DIR"], reports=DEFAULTS["BBIC_REPORTS"],
                      duckdb_path=DEFAULTS["BBIC_DUCKDB_PATH"], municipality=DEFAULTS["BBIC_MUNICIPALITY"])
    if not environ.get("BBIC_SETTLE_SECONDS", "").strip():
        values["settle_seconds"] = 0
    flags = {"inbox": inbox, "register_dir": register, "reports": reports}
    values.update({field: str(path) for field, path in flags.items() if path is not None})
    if data is not None:
        values["duckdb_path"] = str(data / DUCKDB_NAME)
        # The archive holds the personal numbers: unset, it lies in the data folder (owner-only), never
        # in whatever folder the command was started from.
        if not sample and not environ.get("BBIC_ARCHIVE", "").strip():
            values["archive"] = str(data / "archive")
    return values


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
    from pipelines.inbox import scan

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
    require("pipeline", "rebuild" if from_archive else "run")
    console = Console()
    try:
        settings = command_settings(os.environ, inbox=inbox, register=register, data=data, reports=reports,
                                    sample=sample)
    except SettingError as exc:
        raise _usage(plain(str(exc))) from None
    inbox_dir, register_dir = Path(settings["inbox"]), Path(settings["register_dir"])
    archive_dir, database = Path(settings["archive"]), Path(settings.pop("duckdb_path"))
    if sample:
        prepare_sample(inbox_dir, register_dir, archive_dir, console)
        settings.update(pseudonym_key_file=str(_demo_key(DEMO_KEY_FILE)), allow_demo_key=True)
    else:
        settings.update(
            pseudonym_key=os.environ.get(ENV_KEY, ""), pseudonym_key_file=os.environ.get(ENV_KEY_FILE, "")
        )
    # Dagster is imported only here, so the other `bbic` commands start quickly.
    from dagster_duckdb import DuckDBResource

    from pipelines.lock import LockHeldError
    from pipelines.registers import resolve_register
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
            from pipelines.store.attempts import cause_of

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
