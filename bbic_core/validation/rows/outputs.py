"""The tables the validation leaves in the connection: `clean_<table>`, `quarantine`, `findings`
(docs/architecture.md), and the per-file accounting read = loaded + quarantined."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import duckdb

from bbic_core import contract
from bbic_core.validation.refusal import safe_text
from bbic_core.validation.rows import inputs, normalise
from bbic_core.validation.rows.references import quarantined_lines
from bbic_core.validation.rows.sql import HITS, ident, lit, n_table, raw_table

QUARANTINE = "quarantine"
FINDINGS = "findings"
# The columns of one export's quarantine and findings; the main file's history tables are these after
# an `export_id` (`pipelines/store/schema.py`), so that the swap copies them as they are.
QUARANTINE_COLUMNS = "file VARCHAR, line INTEGER, stadsdel_raw VARCHAR, rules VARCHAR[], raw_json VARCHAR"
FINDINGS_COLUMNS = ("file VARCHAR, line INTEGER, column_name VARCHAR, code VARCHAR, severity VARCHAR, "
                    "message VARCHAR")


def clean_table(table: str) -> str:
    return f"clean_{table}"


def create_empty(con: duckdb.DuckDBPyConnection) -> None:
    """`quarantine` and `findings` with no rows: every attempt leaves both, even a refused one."""
    con.execute(f"CREATE OR REPLACE TABLE {QUARANTINE} ({QUARANTINE_COLUMNS})")
    con.execute(f"CREATE OR REPLACE TABLE {FINDINGS} ({FINDINGS_COLUMNS})")


def build_clean(con: duckdb.DuckDBPyConnection, spec: contract.FileSpec, unknown: int, quarantined: int
                ) -> None:
    """`clean_<table>` from `_v_n_<table>`: the quarantined rows deleted, the working columns dropped
    and each typed twin put in the place of its text (see `normalise`). No row is copied.

    Nothing is sorted: `_line` holds each row's line in its file (the rows need no physical order).
    """
    n = n_table(spec.table)
    if quarantined:
        con.execute(f"DELETE FROM {n} WHERE _line IN ({quarantined_lines(spec.table)})")
    alters = [f"ALTER TABLE {n} DROP COLUMN {ident(c)}" for c in normalise.working_columns(spec, unknown)]
    for column in normalise.raw_columns(spec):
        twin = normalise.typed_twin(column)
        if twin is not None:
            alters += [f"ALTER TABLE {n} DROP COLUMN {ident(column.name)}",
                       f"ALTER TABLE {n} RENAME COLUMN {twin} TO {ident(column.name)}"]
    table = clean_table(spec.table)
    alters += [f"DROP TABLE IF EXISTS {table}", f"ALTER TABLE {n} RENAME TO {table}"]
    con.execute("BEGIN TRANSACTION")
    try:
        for sql in alters:
            con.execute(sql)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _raw_json(spec: contract.FileSpec, unknown: Sequence[str]) -> str:
    pairs = []
    for c in spec.columns:
        if c.kind is contract.Kind.PERSONNUMMER:
            pairs.append(f"{lit(c.name)}, {inputs.PNR_SHOWN_SQL}")
        else:
            pairs.append(f"{lit(c.name)}, {normalise.raw_value(c.name)}")
    # Unknown columns under their names as V050 shows them: a header name is text from the export too,
    # and a personal number typed as one must not reach DuckDB (nor, through it, the snapshot file).
    pairs += [f"{lit(safe_text(name))}, r._u{i}" for i, name in enumerate(unknown)]
    pairs.append("'_extra', json(r._extra)")
    return f"json_object({', '.join(pairs)})::VARCHAR"


def insert_quarantine(con: duckdb.DuckDBPyConnection, spec: contract.FileSpec, unknown: Sequence[str]
                      ) -> None:
    """The quarantined rows of one file as written (personal numbers already replaced)."""
    # The normalised district is the trimmed, lower-cased value, null when empty.
    stadsdel = "r.stadsdel" if "stadsdel" in spec.column_names else "NULL::VARCHAR"
    con.execute(f"""
        INSERT INTO {QUARANTINE}
        WITH h AS MATERIALIZED (
            SELECT line, list_sort(list(DISTINCT code)) AS rules FROM {HITS}
            WHERE tbl = {lit(spec.table)} GROUP BY line
            HAVING bool_or(severity = 'E' OR code = 'V004W')
        )
        SELECT {lit(spec.name)}, r._line, {stadsdel}, h.rules, {_raw_json(spec, unknown)}
        FROM {n_table(spec.table)} r JOIN h ON h.line = r._line
        LEFT JOIN {raw_table(spec.table)} w ON w._line = r._line
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


def row_counts(con: duckdb.DuckDBPyConnection, spec: contract.FileSpec) -> tuple[int, int]:
    """(loaded, quarantined) of one file, from the tables just built."""
    loaded = _scalar(con, f"SELECT count(*) FROM {clean_table(spec.table)}")
    quarantined = _scalar(con, f"SELECT count(*) FROM {QUARANTINE} WHERE file = {lit(spec.name)}")
    return loaded, quarantined


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
