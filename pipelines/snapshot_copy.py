"""A private in-memory copy of the current snapshot, so that slow readers keep the main file closed.

Marts and reports read a copy: the main file is opened read-only for the copy only, so the next
run's writer is never kept waiting by a report that renders for minutes.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.store.connect import connect
from pipelines.store.load_log import CurrentSnapshot, current_snapshot
from pipelines.store.schema import quote_literal, table_names

_ALIAS = "bbic_main"
_NOT_COPIED = frozenset({"load_log", "figures"})  # history and the mart itself: no report reads them


def in_memory_copy(database: Path, *, export_id: str | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory connection holding every table of `database` (history tables: only `export_id`'s rows)."""
    con = duckdb.connect(":memory:")
    con.execute(f"ATTACH {quote_literal(str(database))} AS {_ALIAS} (READ_ONLY)")
    try:
        for table in sorted(table_names(con, _ALIAS) - _NOT_COPIED):
            where = ""
            if table in ("quarantine", "findings") and export_id is not None:
                where = " WHERE export_id = " + quote_literal(export_id)
            con.execute(f"CREATE TABLE main.{table} AS SELECT * FROM {_ALIAS}.main.{table}{where}")
    finally:
        con.execute(f"DETACH {_ALIAS}")
    return con


def snapshot_facts(database: Path) -> tuple[CurrentSnapshot | None, set[str]]:
    """The current export and the table names, read in a moment (decides whether a copy is needed)."""
    con = connect(database, read_only=True)
    try:
        return current_snapshot(con), table_names(con)
    finally:
        con.close()
