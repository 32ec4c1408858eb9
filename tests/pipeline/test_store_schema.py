"""The snapshot's tables are declared once (`bbic_core.figures.schema`): the pipeline's main file, the
integrator's in-memory snapshot and the validator's own tables agree on them, column for column."""

from __future__ import annotations

import duckdb

from bbic_core.figures.schema import create_snapshot_schema
from bbic_core.validation.rows import outputs
from pipelines.store.schema import ensure_history_schema


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str, str]]:
    return [tuple(row) for row in con.execute(
        "SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_name = ? "
        "ORDER BY ordinal_position", [table]).fetchall()]


def test_the_store_and_the_library_create_the_same_meta_and_quarantine() -> None:
    with duckdb.connect() as store, duckdb.connect() as library:
        ensure_history_schema(store)
        create_snapshot_schema(library)
        for table in ("snapshot_meta", "quarantine"):
            assert _columns(store, table) == _columns(library, table), table
        assert [c[2] for c in _columns(store, "snapshot_meta")] == ["NO"] * 5


def test_history_tables_are_the_validators_after_the_export_id() -> None:
    with duckdb.connect() as store, duckdb.connect() as validator:
        ensure_history_schema(store)
        outputs.create_empty(validator)
        for table in (outputs.QUARANTINE, outputs.FINDINGS):
            kept = _columns(store, table)
            assert kept[0] == ("export_id", "VARCHAR", "NO")
            assert [c[:2] for c in kept[1:]] == [c[:2] for c in _columns(validator, table)], table
        assert [c[0] for c in _columns(store, "findings")] == [
            "export_id", "file", "line", "column_name", "code", "severity", "message"]
