"""The snapshot's tables as the pipeline and the validator leave them, created empty.

The DDL is derived from `bbic_core.contract`, so the snapshot, the figures and the tests agree
on one declaration. `barn` carries the pseudonym and the effective birth date and sex instead of
the personal number, which never reaches DuckDB.
"""

from __future__ import annotations

import duckdb

from bbic_core import contract
from bbic_core.contract import Column, FileSpec, Kind

# Columns that replace `personnummer` in `barn` (architecture.md, "Tables left in con").
_BARN_DERIVED = (("pseudonym", "VARCHAR"), ("fodelsedatum_effektiv", "DATE"), ("kon_effektiv", "VARCHAR"))

SNAPSHOT_META_DDL = (
    "CREATE TABLE IF NOT EXISTS snapshot_meta (export_id VARCHAR, municipality VARCHAR, "
    "created_at TIMESTAMPTZ, as_of DATE, loaded_at TIMESTAMPTZ)"
)
QUARANTINE_DDL = (
    "CREATE TABLE IF NOT EXISTS quarantine (export_id VARCHAR, file VARCHAR, line INTEGER, "
    "stadsdel_raw VARCHAR, rules VARCHAR[], raw_json VARCHAR)"
)


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
