"""Tables of the pipeline's DuckDB file that are not copies of the contract's clean tables.

The snapshot tables (`barn`, `arende`, …) take their columns from the validator's `clean_<table>`
tables at each swap; the history tables below are appended to, and carried into the new main file
by each swap (`pipelines.store.swap`). `snapshot_meta`, `quarantine` and `findings` are declared
once, in `bbic_core.figures.schema`; the load log is the store's own.
"""

from __future__ import annotations

import duckdb

from bbic_core import contract
from bbic_core.figures.schema import FINDINGS_DDL, QUARANTINE_DDL, SNAPSHOT_META_DDL
from bbic_core.validation.rows.outputs import FINDINGS, QUARANTINE

# The clean tables named after the contract, in the order the swap promotes them.
SNAPSHOT_TABLES: tuple[str, ...] = contract.LOAD_ORDER

HISTORY_TABLES: tuple[str, ...] = ("load_log", QUARANTINE, FINDINGS)

_DDL: tuple[str, ...] = (
    """CREATE TABLE IF NOT EXISTS load_log (
        attempt_id VARCHAR PRIMARY KEY,
        run_id VARCHAR,
        source VARCHAR,             -- the inbox item or archive folder the attempt read
        export_id VARCHAR,          -- null when the manifest could not be read (X001)
        municipality VARCHAR,
        created_at TIMESTAMPTZ,
        as_of DATE,
        outcome VARCHAR NOT NULL,   -- accepted | refused | skipped | blocked
        forced BOOLEAN NOT NULL DEFAULT false,
        refusal_code VARCHAR,
        refusal_message VARCHAR,
        refusal_file VARCHAR,
        refusal_line INTEGER,
        files_json VARCHAR,         -- {file: {read, loaded, quarantined, rules: {code: n}}}
        checksums_json VARCHAR,     -- {file: sha256}: X010 compares a re-arriving export_id with these
        skipped_checks_json VARCHAR,
        register_source VARCHAR,    -- current | last_good
        started_at TIMESTAMPTZ NOT NULL,
        finished_at TIMESTAMPTZ NOT NULL,
        duration_s DOUBLE NOT NULL
    )""",
    SNAPSHOT_META_DDL,
    QUARANTINE_DDL,
    FINDINGS_DDL,
)


def ensure_history_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Creates the load log, snapshot_meta, quarantine and findings tables when missing."""
    for ddl in _DDL:
        con.execute(ddl)


def table_names(con: duckdb.DuckDBPyConnection, catalog: str | None = None) -> set[str]:
    """Base tables in schema `main` of `catalog` (the connection's own database when None)."""
    if catalog is None:
        rows = con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
            "AND table_catalog = current_database() AND table_type = 'BASE TABLE'"
        ).fetchall()
    else:
        rows = con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
            "AND table_catalog = ? AND table_type = 'BASE TABLE'",
            [catalog],
        ).fetchall()
    return {r[0] for r in rows}


def quote_literal(text: str) -> str:
    """A SQL string literal (ATTACH takes no bound parameters)."""
    return "'" + text.replace("'", "''") + "'"
