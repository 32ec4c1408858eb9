"""The tables the validation leaves in the connection: `clean_<table>`, `quarantine`, `findings`
(docs/architecture.md), and the per-file accounting read = loaded + quarantined."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import duckdb

from bbic_core import contract
from bbic_core.validation.rows import inputs
from bbic_core.validation.rows.references import quarantined_lines
from bbic_core.validation.rows.sql import HITS, date_col, flag_col, ident, lit, n_table, raw_table

QUARANTINE = "quarantine"
FINDINGS = "findings"


def clean_table(table: str) -> str:
    return f"clean_{table}"


def create_empty(con: duckdb.DuckDBPyConnection) -> None:
    """`quarantine` and `findings` with no rows: every attempt leaves both, even a refused one."""
    con.execute(f"CREATE OR REPLACE TABLE {QUARANTINE} (file VARCHAR, line INTEGER, stadsdel_raw VARCHAR, "
                "rules VARCHAR[], raw_json VARCHAR)")
    con.execute(f"CREATE OR REPLACE TABLE {FINDINGS} (file VARCHAR, line INTEGER, column_name VARCHAR, "
                "code VARCHAR, severity VARCHAR, message VARCHAR)")


def _typed(column: contract.Column) -> str:
    c = f"r.{ident(column.name)}"
    if column.kind is contract.Kind.DATE:
        return f"r.{date_col(column.name)} AS {ident(column.name)}"
    if column.kind is contract.Kind.FLAG:
        typed = f"r.{flag_col(column.name)}"
        if column.default is not None:
            typed = f"coalesce({typed}, {'true' if column.default == 'J' else 'false'})"
        return f"{typed} AS {ident(column.name)}"
    if column.default is not None:
        return f"coalesce({c}, {lit(column.default)}) AS {ident(column.name)}"
    return f"{c} AS {ident(column.name)}"


def build_clean(con: duckdb.DuckDBPyConnection, spec: contract.FileSpec) -> None:
    parts = [_typed(c) for c in spec.columns if c.kind is not contract.Kind.PERSONNUMMER]
    if spec.table == "barn":
        parts += [
            f"r.{inputs.PSEUDONYM} AS pseudonym",
            f"CASE WHEN r.{inputs.PNR_VALID} THEN r.{inputs.PNR_BIRTH} ELSE r.{date_col('fodelsedatum')} END "
            "AS fodelsedatum_effektiv",
            f"coalesce(r.kon, r.{inputs.PNR_SEX}) AS kon_effektiv",
        ]
    parts.append("r._line::INTEGER AS _line")
    con.execute(
        f"CREATE OR REPLACE TABLE {clean_table(spec.table)} AS SELECT {', '.join(parts)} "
        f"FROM {n_table(spec.table)} r WHERE r._line NOT IN ({quarantined_lines(spec.table)}) "
        "ORDER BY r._line"
    )


def _raw_json(spec: contract.FileSpec, unknown: Sequence[str]) -> str:
    pairs = [f"{lit(c.name)}, r.{ident(c.name)}" for c in spec.columns]
    pairs += [f"{lit(name)}, r._u{i}" for i, name in enumerate(unknown)]
    pairs.append("'_extra', json(r._extra)")
    return f"json_object({', '.join(pairs)})::VARCHAR"


def insert_quarantine(con: duckdb.DuckDBPyConnection, spec: contract.FileSpec, unknown: Sequence[str]
                      ) -> None:
    stadsdel = ("NULLIF(lower(trim(r.stadsdel, ' \t')), '')" if "stadsdel" in spec.column_names
                else "NULL::VARCHAR")
    con.execute(f"""
        INSERT INTO {QUARANTINE}
        SELECT {lit(spec.name)}, r._line, {stadsdel}, h.rules, {_raw_json(spec, unknown)}
        FROM {raw_table(spec.table)} r JOIN (
            SELECT line, list_sort(list(DISTINCT code)) AS rules FROM {HITS}
            WHERE tbl = {lit(spec.table)} GROUP BY line
            HAVING bool_or(severity = 'E' OR code = 'V004W')
        ) h ON h.line = r._line
        ORDER BY r._line
    """)


def build_findings(con: duckdb.DuckDBPyConnection) -> None:
    file_of = " ".join(f"WHEN {lit(s.table)} THEN {lit(s.name)}" for s in contract.FILES)
    order_of = " ".join(f"WHEN {lit(s.table)} THEN {i}" for i, s in enumerate(contract.FILES))
    con.execute(f"""
        INSERT INTO {FINDINGS}
        SELECT file, line, column_name, code, severity, message FROM (
            SELECT DISTINCT CASE tbl {file_of} END AS file, CASE tbl {order_of} END AS file_order,
                   line, column_name, code, severity, message
            FROM {HITS}
        ) ORDER BY file_order, line, code, column_name
    """)


def row_counts(con: duckdb.DuckDBPyConnection, spec: contract.FileSpec) -> tuple[int, int, int]:
    """(read, loaded, quarantined) of one file, from the tables just built."""
    read = _scalar(con, f"SELECT count(*) FROM {raw_table(spec.table)}")
    loaded = _scalar(con, f"SELECT count(*) FROM {clean_table(spec.table)}")
    quarantined = _scalar(con, f"SELECT count(*) FROM {QUARANTINE} WHERE file = {lit(spec.name)}")
    return read, loaded, quarantined


def rule_counts(con: duckdb.DuckDBPyConnection) -> Mapping[str, dict[str, int]]:
    """Rows per code per table (a row breaking a rule on two columns counts once)."""
    out: dict[str, dict[str, int]] = {}
    for tbl, code, rows in con.execute(
        f"SELECT tbl, code, count(DISTINCT line) FROM {HITS} GROUP BY tbl, code ORDER BY tbl, code"
    ).fetchall():
        out.setdefault(str(tbl), {})[str(code)] = int(rows)
    return out


def own_error_rows(con: duckdb.DuckDBPyConnection) -> Mapping[str, int]:
    """X008's numerator per table: rows that break an error rule themselves."""
    return {str(t): int(n) for t, n in con.execute(
        f"SELECT tbl, count(DISTINCT line) FROM {HITS} WHERE counts GROUP BY tbl").fetchall()}


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    # fetchall: DuckDB 2 keeps a half-read result open, which blocks the next statement.
    (row,) = con.execute(sql).fetchall()
    return int(row[0])


def drop_clean(con: duckdb.DuckDBPyConnection) -> None:
    for spec in contract.FILES:
        con.execute(f"DROP TABLE IF EXISTS {clean_table(spec.table)}")


def drop_internal(con: duckdb.DuckDBPyConnection) -> None:
    """Internal tables hold raw values: none stays behind."""
    for (name,) in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' AND starts_with(table_name, '_v_')"
    ).fetchall():
        con.execute(f"DROP TABLE IF EXISTS {ident(str(name))}")
