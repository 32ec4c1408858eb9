"""Runs every row rule (V001–V050) over the eight files, set-based, and builds the output tables.

Order: the rows enter DuckDB (personal numbers already pseudonymised), are normalised, every
rule that judges a row by itself records its hits, then the V005 cascade runs in LOAD_ORDER,
then V015 against the clean staff, and last the output tables and the accounting.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import duckdb

from bbic_core import contract
from bbic_core.pseudonym import Pseudonymiser
from bbic_core.validation.rows import (
    columns,
    content,
    dates,
    inputs,
    keys,
    normalise,
    outputs,
    personnummer_rules,
    references,
    values,
)
from bbic_core.validation.rows.context import RowContext
from bbic_core.validation.rows.sql import HITS


@dataclass(frozen=True, slots=True)
class FileCounts:
    read: int
    loaded: int
    quarantined: int
    rules: Mapping[str, int]  # code -> rows
    own_errors: int  # rows breaking an error rule themselves (X008)


def validate_rows(con: duckdb.DuckDBPyConnection, files: Iterable[tuple[str, inputs.RawFileLike]], *,
                  ctx: RowContext, pseudonymiser: Pseudonymiser) -> dict[str, FileCounts]:
    """Applies the row rules to `files`, pairs of (file name, raw file) covering the eight contract
    files (an iterator is consumed one file at a time, so only one Arrow table is held at once);
    returns counts per file name.

    Leaves `clean_<table>`, `quarantine` and `findings` in `con`, and no internal table.
    """
    try:
        return _run(con, files, ctx, pseudonymiser)
    finally:
        outputs.drop_internal(con)


def _run(con: duckdb.DuckDBPyConnection, files: Iterable[tuple[str, inputs.RawFileLike]], ctx: RowContext,
         pseudonymiser: Pseudonymiser) -> dict[str, FileCounts]:
    con.execute(f"CREATE OR REPLACE TABLE {HITS} (tbl VARCHAR, line INTEGER, column_name VARCHAR, "
                "code VARCHAR, severity VARCHAR, message VARCHAR, counts BOOLEAN)")
    unknown: dict[str, list[str]] = {}
    header_lines: dict[str, int] = {}
    for name, raw in files:
        spec = contract.BY_NAME[name]
        unknown[spec.table] = list(raw.unknown_columns)
        header_lines[spec.table] = raw.header_line
        normalise.load_raw(con, spec, inputs.prepare(spec, raw, pseudonymiser))
        normalise.build_normalised(con, spec)
    missing = [spec.name for spec in contract.FILES if spec.table not in unknown]
    if missing:
        raise ValueError(f"row validation needs every contract file; missing: {', '.join(missing)}")
    statements: list[str] = []
    for spec in contract.FILES:
        statements += values.statements(spec, ctx)
        statements += keys.statements(spec)
        statements += dates.statements(spec, ctx)
        statements += references.own_statements(spec)
        columns.record(con, spec.table, unknown[spec.table], header_lines[spec.table])
    statements += personnummer_rules.statements()
    statements += content.statements()
    for table in contract.LOAD_ORDER:
        statements += references.cascade_statements(contract.BY_TABLE[table])
    for spec in contract.FILES:
        statements += references.handlaggare_statements(spec)
    for sql in statements:
        con.execute(sql)

    outputs.create_empty(con)
    for spec in contract.FILES:
        outputs.build_clean(con, spec)
        outputs.insert_quarantine(con, spec, unknown[spec.table])
    outputs.build_findings(con)
    rule_counts = outputs.rule_counts(con)
    own = outputs.own_error_rows(con)
    result: dict[str, FileCounts] = {}
    for spec in contract.FILES:
        read, loaded, quarantined = outputs.row_counts(con, spec)
        if read != loaded + quarantined:  # a broken invariant must never pass silently
            raise AssertionError(f"{spec.name}: read {read} != loaded {loaded} + quarantined {quarantined}")
        result[spec.name] = FileCounts(read, loaded, quarantined, dict(rule_counts.get(spec.table, {})),
                                       own.get(spec.table, 0))
    return result
