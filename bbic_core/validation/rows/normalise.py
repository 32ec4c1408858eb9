"""Loads the prepared Arrow rows into DuckDB and normalises them set-based.

Normalised form (the contract's): trimmed of spaces and tabs, empty → null, codes and flags
upper-case, district codes lower-case; ids are kept exactly. Dates get a parsed twin
(`<col>__d`, null when unparsable, so later date rules treat them as absent), flags a boolean
twin (`<col>__b`).
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from bbic_core import contract
from bbic_core.validation.rows import inputs
from bbic_core.validation.rows.sql import DATE_SHAPE, date_col, flag_col, ident, lit, n_table, raw_table

_ARROW_VIEW = "_v_arrow_in"


def load_raw(con: duckdb.DuckDBPyConnection, spec: contract.FileSpec, prepared: pa.Table) -> None:
    con.register(_ARROW_VIEW, prepared)
    try:
        con.execute(f"CREATE OR REPLACE TABLE {raw_table(spec.table)} AS SELECT * FROM {_ARROW_VIEW}")
    finally:
        con.unregister(_ARROW_VIEW)


def norm_expr(column: contract.Column, source: str = "r") -> str:
    value = f"NULLIF(trim({source}.{ident(column.name)}, ' \t'), '')"
    if column.kind in (contract.Kind.CODE, contract.Kind.FLAG):
        return f"upper({value})"
    if column.kind is contract.Kind.DISTRICT:
        return f"lower({value})"
    return value


def parse_date(expr: str) -> str:
    return f"CASE WHEN regexp_full_match({expr}, {lit(DATE_SHAPE)}) THEN TRY_CAST({expr} AS DATE) END"


def parse_flag(expr: str) -> str:
    return f"CASE {expr} WHEN 'J' THEN true WHEN 'N' THEN false END"


def build_normalised(con: duckdb.DuckDBPyConnection, spec: contract.FileSpec) -> None:
    base = ["r._line", "r._extra"]
    twins: list[str] = []
    for column in spec.columns:
        if column.kind is contract.Kind.PERSONNUMMER:
            continue  # judged through the internal columns below, never as text
        base.append(f"{norm_expr(column)} AS {ident(column.name)}")
        if column.kind is contract.Kind.DATE:
            twins.append(f"{parse_date(ident(column.name))} AS {date_col(column.name)}")
        elif column.kind is contract.Kind.FLAG:
            twins.append(f"{parse_flag(ident(column.name))} AS {flag_col(column.name)}")
    if spec.table == "barn":
        internal = (inputs.PNR_VALID, inputs.PNR_BIRTH, inputs.PNR_SEX, inputs.PSEUDONYM, inputs.PNR_CMP)
        base += [f"r.{ident(c)}" for c in internal]
    # The typed twins are computed from the normalised values, hence the second projection.
    con.execute(
        f"CREATE OR REPLACE TABLE {n_table(spec.table)} AS SELECT *{''.join(', ' + t for t in twins)} "
        f"FROM (SELECT {', '.join(base)} FROM {raw_table(spec.table)} r)"
    )
