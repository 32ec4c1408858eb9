"""The atomic swap: the validated staging file BECOMES the main DuckDB file, by one rename.

The validator writes into a separate staging file, so the main file is not touched while an
export is read and checked. The swap holds the main file (a read-write connection: no other
process can open it meanwhile), and inside the staging file, in one transaction: renames every
`clean_<table>` to its snapshot name, drops the validator's working tables, writes
`snapshot_meta`, this export's quarantine and findings and the load-log row, and copies the
main file's history (load log, earlier exports' quarantine and findings, the figures mart) into
it. Then `os.replace` puts the staging file in the main file's place.

Readers (and a process that crashes at any point) see either the old file or the new one, never
a mix: before the rename the main file was not written at all. The snapshot's rows are written
once (by the validator), not copied a second time: at 31 M rows the copy took ~10 s
(docs/decisions.md, "The swap renames the staging file").
"""

from __future__ import annotations

import datetime as dt
import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from bbic_core import contract
from bbic_core.figures.schema import create_snapshot_schema, table_columns
from pipelines import drill
from pipelines.store.connect import connect, is_lock_error
from pipelines.store.load_log import Attempt, record_attempt
from pipelines.store.schema import SNAPSHOT_TABLES, ensure_history_schema, quote_literal, table_names

STAGING_ALIAS = "bbic_staging"
MAIN_ALIAS = "bbic_main"
# Tables of the main file that belong to one export and are replaced, not carried over.
_REPLACED = frozenset({*SNAPSHOT_TABLES, "snapshot_meta"})
# History kept per export: the new export's rows replace its earlier ones (a forced re-load).
_PER_EXPORT = ("quarantine", "findings")


class StaleExportError(RuntimeError):
    """Another run made a newer export current after this one was validated (X009 at swap time)."""


@dataclass(frozen=True)
class SnapshotMeta:
    export_id: str
    municipality: str
    created_at: dt.datetime
    as_of: dt.date
    loaded_at: dt.datetime
    key_fingerprint: str | None = None  # of the pseudonym key the export was pseudonymised with


def snapshot_columns(table: str) -> list[tuple[str, str]]:
    """The snapshot columns, typed as `bbic_core.figures.schema` declares them, then `_line` for audit."""
    return [*table_columns(contract.BY_TABLE[table]), ("_line", "INTEGER")]


def columns_of(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    rows = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_catalog = current_database() AND table_schema = 'main' AND table_name = ? "
        "ORDER BY ordinal_position",
        [table],
    ).fetchall()
    return [(str(r[0]), str(r[1])) for r in rows]


def _promote_table(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """`clean_<table>` becomes `<table>`, renamed: the validator lays it out with exactly the snapshot's
    columns (`snapshot_columns`).

    A staging table with other columns (a staging file of another version, a bug) is refused, not
    rebuilt: rebuilding would drop the extra columns from the table but leave their bytes in the
    file's free blocks, and this file becomes the main file. Tests raise here to prove that a crash
    mid-swap leaves the old snapshot.
    """
    wanted = snapshot_columns(table)
    staged = columns_of(con, f"clean_{table}")
    if staged != wanted:
        extra = sorted({n for n, _ in staged} - {n for n, _ in wanted})
        raise RuntimeError(
            f"clean_{table} in the staging file does not have the snapshot's columns"
            f"{f' (it also has {extra})' if extra else ''}: validate the export again"
        )
    con.execute(f"ALTER TABLE clean_{table} RENAME TO {table}")


def _check_not_stale(con: duckdb.DuckDBPyConnection, meta: SnapshotMeta) -> None:
    if "snapshot_meta" not in table_names(con):
        return
    _check_not_stale_in(con, "snapshot_meta", meta)


def _check_not_stale_in(con: duckdb.DuckDBPyConnection, table: str, meta: SnapshotMeta) -> None:
    row = con.execute(f"SELECT export_id, created_at FROM {table} LIMIT 1").fetchone()
    if row is not None and row[1] >= meta.created_at:
        raise StaleExportError(
            f"X009: export {meta.export_id} (created {meta.created_at.isoformat()}) is not later than "
            f"the current export {row[0]} (created {row[1].isoformat()})"
        )


def _carry_history(
    con: duckdb.DuckDBPyConnection, main_db: str, main_tables: set[str], export_id: str
) -> None:
    """Copies the main file's history into the staging file (the current catalog)."""
    source = f"{_ident(main_db)}.main"
    for table in sorted(main_tables - _REPLACED):
        quoted = _ident(table)
        if table == "load_log":
            con.execute(f"INSERT INTO load_log BY NAME SELECT * FROM {source}.load_log")
        elif table in _PER_EXPORT:
            con.execute(
                f"INSERT INTO {table} BY NAME SELECT * FROM {source}.{table} "
                "WHERE export_id IS DISTINCT FROM ?",
                [export_id],
            )
        else:  # the figures mart (of the previous export, until the marts run) and anything added later
            con.execute(f"CREATE TABLE {quoted} AS SELECT * FROM {source}.{quoted}")


KEY_TABLE = "pseudonym_key"


def _keep_key_fingerprint(con: duckdb.DuckDBPyConnection, meta: SnapshotMeta) -> None:
    """The fingerprint of the key the snapshot's pseudonyms were made with (carried from night to night;
    replaced only when the validation let a re-key through)."""
    if meta.key_fingerprint is None:
        return
    con.execute(f"CREATE TABLE IF NOT EXISTS {KEY_TABLE} (fingerprint VARCHAR NOT NULL, since TIMESTAMPTZ)")
    row = con.execute(f"SELECT fingerprint FROM {KEY_TABLE} LIMIT 1").fetchone()
    if row is None or row[0] != meta.key_fingerprint:
        con.execute(f"DELETE FROM {KEY_TABLE}")
        con.execute(f"INSERT INTO {KEY_TABLE} VALUES (?, ?)", [meta.key_fingerprint, meta.loaded_at])


def key_fingerprint(con: duckdb.DuckDBPyConnection) -> str | None:
    """The fingerprint kept with the snapshot, None before the first load with one."""
    if KEY_TABLE not in table_names(con):
        return None
    row = con.execute(f"SELECT fingerprint FROM {KEY_TABLE} LIMIT 1").fetchone()
    return None if row is None else str(row[0])


def _promote(
    con: duckdb.DuckDBPyConnection, main_db: str, main_tables: set[str], meta: SnapshotMeta, attempt: Attempt
) -> None:
    """Makes the staging file (the current catalog) a complete main file, in one transaction."""
    staged = table_names(con)
    missing = [f"clean_{t}" for t in SNAPSHOT_TABLES if f"clean_{t}" not in staged]
    if missing:
        raise RuntimeError(f"the staging file lacks {', '.join(missing)}")
    keep = {f"clean_{t}" for t in SNAPSHOT_TABLES} | set(_PER_EXPORT)
    con.execute("BEGIN TRANSACTION")
    try:
        for table in sorted(staged - keep):
            con.execute(f"DROP TABLE {_ident(table)}")
        for table in _PER_EXPORT:
            if table in staged:
                con.execute(f"ALTER TABLE {table} RENAME TO _staged_{table}")
        for table in SNAPSHOT_TABLES:
            _promote_table(con, table)
        create_snapshot_schema(con)
        ensure_history_schema(con)
        _carry_history(con, main_db, main_tables, meta.export_id)
        _keep_key_fingerprint(con, meta)
        con.execute(
            "INSERT INTO snapshot_meta VALUES (?, ?, ?, ?, ?)",
            [meta.export_id, meta.municipality, meta.created_at, meta.as_of, meta.loaded_at],
        )
        for table in _PER_EXPORT:
            if table in staged:
                con.execute(
                    f"INSERT INTO {table} BY NAME SELECT ? AS export_id, * FROM _staged_{table}",
                    [meta.export_id],
                )
                con.execute(f"DROP TABLE _staged_{table}")
        record_attempt(con, attempt)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _replace(staging_path: Path, main_path: Path) -> None:
    """`staging_path` takes `main_path`'s place, durably. Neither may have a write-ahead log: the main
    file's would be replayed into the new file, the staging file's would be lost."""
    for path in (staging_path, main_path):
        wal = path.with_name(path.name + ".wal")
        if wal.exists():
            raise RuntimeError(f"{wal.name} exists: the swap does not replace a file with pending changes")
    # Owner-only when new; an operator's group bits on the main file stay, never bits for others.
    mode = stat.S_IMODE(main_path.stat().st_mode) & 0o770 if main_path.exists() else 0o600
    os.chmod(staging_path, mode)
    _fsync(staging_path)
    os.replace(staging_path, main_path)
    _fsync(main_path.parent)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _database(con: duckdb.DuckDBPyConnection) -> tuple[str, Path]:
    row = con.execute(
        "SELECT database_name, path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()
    if row is None or row[1] is None:
        raise RuntimeError("the main connection has no database file")
    return str(row[0]), Path(str(row[1]))


def publish_staged(
    main_path: Path,
    staging_path: Path,
    meta: SnapshotMeta,
    attempt: Attempt,
    *,
    force: bool = False,
    busy_wait_s: float = 30.0,
) -> None:
    """`publish_snapshot` without a read-write connection to the main file: the staging file is opened
    for writing and the main file attached read-only, so a reader holding the main file (a report, an
    analyst's session) never makes the swap fail. Writers are kept apart by `pipelines.lock`.

    The main file is opened for writing only when it has a write-ahead log (a crash), to checkpoint it.
    """
    if main_path.with_name(main_path.name + ".wal").exists():
        con = connect(main_path, read_only=False, wait_s=busy_wait_s)
        try:
            con.execute("CHECKPOINT")
        finally:
            con.close()
    con = duckdb.connect(str(staging_path))
    try:
        staging_db = str(con.execute("SELECT current_database()").fetchone()[0])  # type: ignore[index]
        main_tables: set[str] = set()
        if main_path.exists():
            attach = f"ATTACH {quote_literal(str(main_path))} AS {MAIN_ALIAS} (READ_ONLY)"
            deadline = time.monotonic() + busy_wait_s
            while True:  # only a crashed writer's leftovers can hold it now: wait briefly
                try:
                    con.execute(attach)
                    break
                except duckdb.IOException as exc:
                    if not is_lock_error(exc) or time.monotonic() > deadline:
                        raise
                    time.sleep(0.5)
            main_tables = table_names(con, MAIN_ALIAS)
            if not force and "snapshot_meta" in main_tables:
                _check_not_stale_in(con, f"{MAIN_ALIAS}.main.snapshot_meta", meta)
        try:
            _promote(con, MAIN_ALIAS, main_tables, meta, attempt)
        finally:
            if main_path.exists():
                con.execute(f"DETACH {MAIN_ALIAS}")
        con.execute(f"CHECKPOINT {_ident(staging_db)}")
    finally:
        con.close()
    drill.point("swap")  # the new file is complete, the old one still in place
    _replace(staging_path, main_path)


def publish_snapshot(
    con: duckdb.DuckDBPyConnection,
    staging_path: Path,
    meta: SnapshotMeta,
    attempt: Attempt,
    *,
    force: bool = False,
) -> None:
    """Makes the staged export current: the staging file, completed, replaces the main file.

    `con` is a read-write connection to the main file, held until the caller closes it (so nobody
    opens the main file meanwhile). Raises, leaving the main file as it was, on any error before
    the rename, including `StaleExportError` when a newer export became current since validation
    and `force` is off. The staging file is gone afterwards (it is the main file).
    """
    main_db, main_path = _database(con)
    con.execute("CHECKPOINT")  # nothing of the main file may wait in its write-ahead log
    if not force:
        _check_not_stale(con, meta)
    main_tables = table_names(con)
    con.execute(f"ATTACH {quote_literal(str(staging_path))} AS {STAGING_ALIAS}")
    try:
        con.execute(f"USE {STAGING_ALIAS}")
        try:
            _promote(con, main_db, main_tables, meta, attempt)
        finally:
            con.execute(f"USE {_ident(main_db)}")
        con.execute(f"CHECKPOINT {STAGING_ALIAS}")
    finally:
        con.execute(f"DETACH {STAGING_ALIAS}")
    _replace(staging_path, main_path)
