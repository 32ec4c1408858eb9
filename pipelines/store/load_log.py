"""The load log: one row per attempt to load an export, and the history the validator asks about.

The validator's X009/X010 checks and the idempotency rule read the load log through the
`history` protocol (`checksums_for`, `current_created_at`); `LoadLogHistory` answers it from
values read once, so the main file is open only for a moment.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from pipelines.privacy import redact
from pipelines.store.schema import ensure_history_schema, table_names


@dataclass(frozen=True)
class Attempt:
    """One attempt to load an export, as the load log keeps it."""

    outcome: str  # accepted | refused | skipped | blocked
    started_at: dt.datetime
    finished_at: dt.datetime
    source: str = ""
    export_id: str | None = None
    municipality: str | None = None
    created_at: dt.datetime | None = None
    as_of: dt.date | None = None
    forced: bool = False
    refusal_code: str | None = None
    refusal_message: str | None = None
    refusal_file: str | None = None
    refusal_line: int | None = None
    files: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    checksums: Mapping[str, str] = field(default_factory=dict)
    skipped_checks: tuple[str, ...] = ()
    register_source: str | None = None
    run_id: str | None = None
    attempt_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    @property
    def duration_s(self) -> float:
        return max((self.finished_at - self.started_at).total_seconds(), 0.0)


_INSERT = """INSERT INTO load_log (attempt_id, run_id, source, export_id, municipality, created_at, as_of,
    outcome, forced, refusal_code, refusal_message, refusal_file, refusal_line, files_json, checksums_json,
    skipped_checks_json, register_source, started_at, finished_at, duration_s)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"""


def record_attempt(con: duckdb.DuckDBPyConnection, attempt: Attempt) -> None:
    """Appends `attempt` to the load log (inside the caller's transaction, if one is open)."""
    ensure_history_schema(con)
    con.execute(
        _INSERT,
        [
            attempt.attempt_id,
            attempt.run_id,
            attempt.source,
            attempt.export_id,
            attempt.municipality,
            attempt.created_at,
            attempt.as_of,
            attempt.outcome,
            attempt.forced,
            attempt.refusal_code,
            None if attempt.refusal_message is None else redact(attempt.refusal_message),
            attempt.refusal_file,
            attempt.refusal_line,
            json.dumps(attempt.files, sort_keys=True, ensure_ascii=False),
            json.dumps(dict(attempt.checksums), sort_keys=True),
            json.dumps(list(attempt.skipped_checks), ensure_ascii=False),
            attempt.register_source,
            attempt.started_at,
            attempt.finished_at,
            attempt.duration_s,
        ],
    )


def attempts(con: duckdb.DuckDBPyConnection, *, run_id: str | None = None) -> list[dict[str, Any]]:
    """Rows of the load log, oldest first (only those of `run_id` when given)."""
    if "load_log" not in table_names(con):
        return []
    sql = "SELECT * FROM load_log"
    params: list[Any] = []
    if run_id is not None:
        sql += " WHERE run_id = ?"
        params.append(run_id)
    cur = con.execute(sql + " ORDER BY started_at, finished_at", params)
    names = [d[0] for d in cur.description or ()]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


@dataclass(frozen=True)
class CurrentSnapshot:
    export_id: str
    municipality: str
    created_at: dt.datetime
    as_of: dt.date
    loaded_at: dt.datetime


def current_snapshot(con: duckdb.DuckDBPyConnection) -> CurrentSnapshot | None:
    """The export the snapshot tables hold, or None before the first load."""
    if "snapshot_meta" not in table_names(con):
        return None
    row = con.execute(
        "SELECT export_id, municipality, created_at, as_of, loaded_at FROM snapshot_meta LIMIT 1"
    ).fetchone()
    return None if row is None else CurrentSnapshot(*row)


@dataclass(frozen=True)
class LoadLogHistory:
    """What the pipeline already loaded, for the validator's X009/X010 and idempotency checks.

    `forced_checksums` implements an operator's forced re-load: the export being forced (known
    by the checksums of its files) no longer counts as loaded and no current export blocks it, while
    a reused id with other checksums is still X010.
    """

    loaded: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # export_id -> checksums
    current_created: dt.datetime | None = None
    forced_checksums: Mapping[str, str] | None = None

    def checksums_for(self, export_id: str) -> dict[str, str] | None:
        known = self.loaded.get(export_id)
        if known is None:
            return None
        forced = self.forced_checksums
        if forced is not None and all(forced.get(name) == digest for name, digest in known.items()):
            return None
        return dict(known)

    def current_created_at(self) -> dt.datetime | None:
        return None if self.forced_checksums is not None else self.current_created

    def forced(self, checksums: Mapping[str, str]) -> LoadLogHistory:
        return LoadLogHistory(self.loaded, self.current_created, dict(checksums))


def history_from(con: duckdb.DuckDBPyConnection) -> LoadLogHistory:
    """The load history held by the pipeline's DuckDB file."""
    loaded: dict[str, dict[str, str]] = {}
    if "load_log" in table_names(con):
        rows = con.execute(
            "SELECT export_id, checksums_json FROM load_log "
            "WHERE outcome = 'accepted' AND export_id IS NOT NULL ORDER BY finished_at"
        ).fetchall()
        for export_id, checksums_json in rows:
            loaded[export_id] = json.loads(checksums_json or "{}")
    current = current_snapshot(con)
    return LoadLogHistory(loaded, None if current is None else current.created_at)


def read_history(database: Path) -> LoadLogHistory:
    """`history_from` on the file at `database`, opened read-only for as short as possible."""
    if not database.exists():
        return LoadLogHistory()
    from pipelines.store.connect import connect

    con = connect(database, read_only=True)
    try:
        return history_from(con)
    finally:
        con.close()
