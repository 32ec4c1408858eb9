"""Writing one load-log row for an attempt, and the one-line cause of a fault that stopped it.

Plain arguments (the main DuckDB file's path), so the assets, the runner and the command line share
these without importing each other.
"""

import os
from pathlib import Path

import dagster as dg
import duckdb as duckdb_lib

from bbic_core.pseudonym import KeyMissingError
from pipelines.lock import LockHeldError
from pipelines.privacy import redact
from pipelines.store.connect import DatabaseBusyError, connect
from pipelines.store.load_log import Attempt, record_attempt
from pipelines.store.schema import ensure_history_schema


class NotLoadedError(RuntimeError):
    """A fault of the surroundings or the configuration: the export stays pending and is retried."""


# Faults of the surroundings, not of the export: retrying later can succeed. Anything else an export
# makes the reader raise (a bad zip, a manifest too deep, memory beyond the fixed limits) would fail
# the same way every night, so it refuses the export (X001) instead (docs/decisions.md).
SURROUNDINGS: tuple[type[BaseException], ...] = (
    OSError, duckdb_lib.IOException, KeyMissingError, NotLoadedError, DatabaseBusyError, LockHeldError
)


_OWN: tuple[type[BaseException], ...] = (
    NotLoadedError, KeyMissingError, DatabaseBusyError, LockHeldError, dg.Failure
)


def cause_of(exc: BaseException) -> str:
    """One line naming what went wrong (the exception's own words, redacted), never a traceback."""
    if isinstance(exc, OSError) and exc.strerror:
        where = f" {exc.filename}" if exc.filename else ""
        text = f"{exc.strerror}{where}"
    else:
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    name = type(exc).__name__
    if isinstance(exc, _OWN) and text:  # our own messages say what is wrong without the class name
        return redact(text)[:400]
    return redact(f"{name}: {text}" if text else name)[:400]


def log_attempt(database: Path, attempt: Attempt) -> None:
    """Appends one load-log row to the main file in its own short transaction (the snapshot tables are
    not touched); waits briefly while a reader holds the file."""
    database.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    new = not database.exists()
    con = connect(database, read_only=False)
    try:
        ensure_history_schema(con)
        record_attempt(con, attempt)
    finally:
        con.close()
    if new:
        os.chmod(database, 0o600)


def log_attempt_safely(database: Path, attempt: Attempt) -> str | None:
    """`log_attempt` where a failure to log must not hide the fault being logged: returns its cause."""
    try:
        log_attempt(database, attempt)
    except Exception as exc:
        return cause_of(exc)
    return None
