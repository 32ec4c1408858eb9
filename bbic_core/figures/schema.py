"""The snapshot's tables as the pipeline and the validator leave them, created empty.

The one declaration of their DDL: the contract's tables derived from `bbic_core.contract`,
`snapshot_meta`, and the history's `quarantine` and `findings` (the validator's columns,
`bbic_core.validation.rows.outputs`, after the export's id). The pipeline's store
(`pipelines/store/schema.py`), `bbic_core.snapshot`, the figures and the tests all use these.
`barn` carries the pseudonym and the effective birth date and sex instead of
the personal number, which never reaches DuckDB.
"""

from __future__ import annotations

import duckdb

from bbic_core import contract
from bbic_core.contract import Column, FileSpec, Kind
from bbic_core.validation.rows.outputs import FINDINGS, FINDINGS_COLUMNS, QUARANTINE, QUARANTINE_COLUMNS

# Columns that replace `personnummer` in `barn` (architecture.md, "Tables left in con").
_BARN_DERIVED = (("pseudonym", "VARCHAR"), ("fodelsedatum_effektiv", "DATE"), ("kon_effektiv", "VARCHAR"))

SNAPSHOT_META = "snapshot_meta"
SNAPSHOT_META_DDL = (
    f"CREATE TABLE IF NOT EXISTS {SNAPSHOT_META} (export_id VARCHAR NOT NULL, municipality VARCHAR NOT NULL, "
    "created_at TIMESTAMPTZ NOT NULL, as_of DATE NOT NULL, loaded_at TIMESTAMPTZ NOT NULL)"
)
# Every export's quarantine and findings: the validator's tables, each row with its export, so that a
# load copies them as they are.
QUARANTINE_DDL = f"CREATE TABLE IF NOT EXISTS {QUARANTINE} (export_id VARCHAR NOT NULL, {QUARANTINE_COLUMNS})"
FINDINGS_DDL = f"CREATE TABLE IF NOT EXISTS {FINDINGS} (export_id VARCHAR NOT NULL, {FINDINGS_COLUMNS})"


def _default_sql(column: Column) -> str:
    if column.default is None:
        return ""
    if column.kind == Kind.FLAG:
        return f" DEFAULT {'true' if column.default == 'J' else 'false'}"
    return " DEFAULT '" + column.default.replace("'", "''") + "'"


def table_columns(spec: FileSpec) -> list[tuple[str, str]]:
    """(name, SQL type) of a snapshot table, in the contract's order."""
    columns: list[tuple[str, str]] = []
    for column in spec.columns:
        if column.kind == Kind.PERSONNUMMER:
            columns.append(_BARN_DERIVED[0])
            continue
        columns.append((column.name, column.sql_type))
    if spec.table == contract.BARN.table:
        columns.extend(_BARN_DERIVED[1:])
    return columns


def table_ddl(spec: FileSpec) -> str:
    """`CREATE TABLE IF NOT EXISTS` of one contract table, defaults applied."""
    defaults = {c.name: _default_sql(c) for c in spec.columns}
    body = ", ".join(f"{name} {sql_type}{defaults.get(name, '')}" for name, sql_type in table_columns(spec))
    return f"CREATE TABLE IF NOT EXISTS {spec.table} ({body})"


def create_snapshot_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every snapshot table (contract tables, `snapshot_meta`, `quarantine`) empty, if absent."""
    for spec in contract.FILES:
        con.execute(table_ddl(spec))
    con.execute(SNAPSHOT_META_DDL)
    con.execute(QUARANTINE_DDL)
