"""The DuckDB snapshot store: schema, load log, atomic swap and history.

Plain Python over `duckdb`, callable without Dagster (the CLI, tests and an IT supplier's own
scripts use it directly). The pipeline's assets are thin wrappers around these functions.
"""

from pipelines.store.load_log import (
    Attempt,
    LoadLogHistory,
    attempts,
    current_snapshot,
    history_from,
    record_attempt,
)
from pipelines.store.schema import HISTORY_TABLES, SNAPSHOT_TABLES, ensure_history_schema
from pipelines.store.swap import SnapshotMeta, StaleExportError, publish_snapshot

__all__ = [
    "HISTORY_TABLES",
    "SNAPSHOT_TABLES",
    "Attempt",
    "LoadLogHistory",
    "SnapshotMeta",
    "StaleExportError",
    "attempts",
    "current_snapshot",
    "ensure_history_schema",
    "history_from",
    "publish_snapshot",
    "record_attempt",
]
