"""A snapshot in a DuckDB connection from an export just validated there, for figures without the pipeline.

`validate_export` leaves `clean_<table>`, `quarantine` and `findings` in its connection;
`snapshot_from_validation` turns them into the snapshot tables `compute_report` reads (`barn`,
`arende`, …, `snapshot_meta`, `quarantine` with the export's id), in place. It is the pipeline's load
without what a deployment adds around it (the archive, the load history, the atomic swap of the file,
the pseudonym key's fingerprint), so an integrator can compute the reports' figures in their own
system, or in memory.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from bbic_core import contract
from bbic_core.figures.schema import create_snapshot_schema
from bbic_core.validation.result import ValidationResult

__all__ = ["NotAcceptedError", "snapshot_from_validation"]


class NotAcceptedError(ValueError):
    """Only an accepted export becomes a snapshot (a refused or skipped one left no clean tables)."""


def snapshot_from_validation(con: duckdb.DuckDBPyConnection, result: ValidationResult,
                             loaded_at: dt.datetime | None = None) -> None:
    """Makes the validated export in `con` its snapshot, in one transaction (`NotAcceptedError` unless
    `result` is accepted; the connection must not hold a snapshot yet)."""
    if result.outcome != "accepted" or result.export_id is None or result.as_of is None:
        raise NotAcceptedError(f"the export was {result.outcome}, not accepted: nothing to load")
    con.execute("BEGIN TRANSACTION")
    try:
        for table in contract.LOAD_ORDER:
            con.execute(f"ALTER TABLE clean_{table} RENAME TO {table}")
        con.execute("ALTER TABLE quarantine RENAME TO _validated_quarantine")
        create_snapshot_schema(con)
        con.execute("INSERT INTO quarantine BY NAME SELECT ? AS export_id, * FROM _validated_quarantine",
                    [result.export_id])
        con.execute("DROP TABLE _validated_quarantine")
        con.execute("INSERT INTO snapshot_meta VALUES (?, ?, ?, ?, ?)",
                    [result.export_id, result.municipality, result.created_at, result.as_of,
                     loaded_at or dt.datetime.now(dt.UTC)])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
