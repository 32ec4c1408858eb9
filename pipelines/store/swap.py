"""The atomic swap: a validated staging file becomes the current snapshot in ONE transaction.

The validator writes into a separate staging DuckDB file, so the main file is not touched while
an export is read and checked. The swap attaches the staging file read-only and, inside a single
transaction, replaces every snapshot table, `snapshot_meta`, this export's quarantine and
findings, and appends the load log row. DuckDB's transactional DDL means readers (and a process
that crashes halfway) see either the old snapshot or the new one, never a mix.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb

from bbic_core import contract
from bbic_core.figures.schema import create_snapshot_schema, table_columns
from pipelines.store.load_log import Attempt, record_attempt
from pipelines.store.schema import SNAPSHOT_TABLES, ensure_history_schema, quote_literal, table_names

STAGING_ALIAS = "bbic_staging"


class StaleExportError(RuntimeError):
    """Another run made a newer export current after this one was validated (X009 at swap time)."""


@dataclass(frozen=True)
class SnapshotMeta:
    export_id: str
    municipality: str
    created_at: dt.datetime
    as_of: dt.date
    loaded_at: dt.datetime


def _select_list(table: str, staged_columns: set[str]) -> str:
    """The snapshot columns, typed as `bbic_core.figures.schema` declares them, plus `_line` for audit.

    Naming every column (never `SELECT *`) means nothing the contract does not declare for the
    snapshot, such as a `personnummer` column, can be copied into it.
    """
    parts = [
        f"CAST({name} AS {sql_type}) AS {name}" for name, sql_type in table_columns(contract.BY_TABLE[table])
    ]
    if "_line" in staged_columns:
        parts.append("_line")
    return ", ".join(parts)


def _staged_columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    rows = con.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_catalog = ? AND table_schema = 'main' AND table_name = ?",
        [STAGING_ALIAS, f"clean_{table}"],
    ).fetchall()
    return {r[0] for r in rows}


def _copy_table(con: duckdb.DuckDBPyConnection, table: str, select: str) -> None:
    # One statement per table; tests raise here to prove a crash mid-swap leaves the old snapshot.
    # No ORDER BY: the staged rows are in file order already and a single-table SELECT keeps it
    # (DuckDB's insertion order); sorting them again cost as much as the copy.
    con.execute(
        f"CREATE OR REPLACE TABLE main.{table} AS SELECT {select} FROM {STAGING_ALIAS}.main.clean_{table}"
    )


def _check_not_stale(con: duckdb.DuckDBPyConnection, meta: SnapshotMeta) -> None:
    row = con.execute("SELECT export_id, created_at FROM snapshot_meta LIMIT 1").fetchone()
    if row is not None and row[1] >= meta.created_at:
        raise StaleExportError(
            f"X009: export {meta.export_id} (created {meta.created_at.isoformat()}) is not later than "
            f"the current export {row[0]} (created {row[1].isoformat()})"
        )


def publish_snapshot(
    con: duckdb.DuckDBPyConnection,
    staging_path: Path,
    meta: SnapshotMeta,
    attempt: Attempt,
    *,
    force: bool = False,
) -> None:
    """Makes the staged export current: all snapshot tables, meta, quarantine, findings and the log row.

    Raises (after rolling back, so the previous snapshot stays) on any error, including
    `StaleExportError` when a newer export became current since validation and `force` is off.
    """
    con.execute(f"ATTACH {quote_literal(str(staging_path))} AS {STAGING_ALIAS} (READ_ONLY)")
    try:
        staged = table_names(con, STAGING_ALIAS)
        missing = [f"clean_{t}" for t in SNAPSHOT_TABLES if f"clean_{t}" not in staged]
        if missing:
            raise RuntimeError(f"the staging file lacks {', '.join(missing)}")
        selects = {t: _select_list(t, _staged_columns(con, t)) for t in SNAPSHOT_TABLES}
        con.execute("BEGIN TRANSACTION")
        try:
            create_snapshot_schema(con)
            ensure_history_schema(con)
            if not force:
                _check_not_stale(con, meta)
            for table, select in selects.items():
                _copy_table(con, table, select)
            con.execute("DELETE FROM snapshot_meta")
            con.execute(
                "INSERT INTO snapshot_meta VALUES (?, ?, ?, ?, ?)",
                [meta.export_id, meta.municipality, meta.created_at, meta.as_of, meta.loaded_at],
            )
            for table in ("quarantine", "findings"):
                # A forced re-load replaces the export's earlier rows instead of doubling them.
                con.execute(f"DELETE FROM {table} WHERE export_id = ?", [meta.export_id])
                if table in staged:
                    con.execute(
                        f"INSERT INTO {table} BY NAME "
                        f"SELECT ? AS export_id, * FROM {STAGING_ALIAS}.main.{table}",
                        [meta.export_id],
                    )
            record_attempt(con, attempt)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    finally:
        con.execute(f"DETACH {STAGING_ALIAS}")
