"""Normalises the prepared Arrow rows and loads them into DuckDB, one statement per file.

Normalised form (the contract's): trimmed of spaces and tabs, empty → null, codes and flags
upper-case, district codes lower-case; ids are kept exactly. Dates get a parsed twin
(`<col>__d`, null when unparsable, so later date rules treat them as absent), flags a boolean
twin (`<col>__b`, the default when absent), a text column with a default a filled-in twin
(`<col>__v`).

The normalising happens in Arrow before DuckDB sees the rows: ids are trimmed there, and every
other kind (codes, dates, flags, districts, municipality codes, which repeat) is normalised by
DuckDB's own expressions on its distinct values only, then spread back by index. The table is
laid out so that its first columns are already `clean_<table>`'s (contract order, typed twins
beside their text, barn's derived columns, `_line`); the clean table is made from it by
deleting the quarantined rows and dropping the working columns, not by copying (`outputs`).

The values as read are not stored a second time: for almost every row they are the normalised
value (or "" for null). The rows where some value is not (padding, lower-case codes) are kept as
read in `_v_raw_<table>`, so that the quarantine still shows a row exactly as it was written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from bbic_core import contract
from bbic_core.validation.rows import inputs
from bbic_core.validation.rows.sql import (
    DATE_SHAPE,
    date_col,
    default_col,
    flag_col,
    ident,
    lit,
    n_table,
    raw_table,
)

_ARROW_VIEW = "_v_arrow_in"
_TRIM = " \t"
_SPACE, _TAB = 0x20, 0x09


def raw_columns(spec: contract.FileSpec) -> list[contract.Column]:
    """The columns kept as read in `_v_raw_<table>` (the personal number never enters DuckDB)."""
    return [c for c in spec.columns if c.kind is not contract.Kind.PERSONNUMMER]


def raw_value(column: str, alias: str = "r", raw_alias: str = "w") -> str:
    """SQL for the value of `column` as read: from `_v_raw_<table>` (alias `raw_alias`, joined on
    `_line`) when the row is there, else the normalised value, "" for null."""
    c = ident(column)
    return f"CASE WHEN {raw_alias}._line IS NULL THEN coalesce({alias}.{c}, '') ELSE {raw_alias}.{c} END"


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


def working_columns(spec: contract.FileSpec, unknown: int) -> list[str]:
    """Columns of `_v_n_<table>` that `clean_<table>` does not have (after `_line`)."""
    out = ["_extra", *(f"_u{i}" for i in range(unknown))]
    if spec.table == "barn":
        out += [inputs.PNR_VALID, inputs.PNR_BIRTH, inputs.PNR_SEX, inputs.PNR_TOKEN]
    return out


def typed_twin(column: contract.Column) -> str | None:
    """The twin that `clean_<table>` holds instead of the normalised text, if any."""
    if column.kind is contract.Kind.DATE:
        return date_col(column.name)
    if column.kind is contract.Kind.FLAG:
        return flag_col(column.name)
    if column.default is not None:
        return default_col(column.name)
    return None


def _twin_expr(column: contract.Column) -> str | None:
    name = ident(column.name)
    if column.kind is contract.Kind.DATE:
        return parse_date(name)
    if column.kind is contract.Kind.FLAG:
        default = "NULL" if column.default is None else ("true" if column.default == "J" else "false")
        return f"CASE WHEN {name} IS NULL THEN {default} ELSE {parse_flag(name)} END"
    if column.default is not None:
        return f"coalesce({name}, {lit(column.default)})"
    return None


@dataclass
class _Column:
    """A contract column normalised: the values for DuckDB, and (only when normalising changed some
    row's value) which rows changed and their values as read."""

    values: pa.Array | pa.ChunkedArray
    changed: pa.Array | None = None
    as_read: Callable[[pa.Array], pa.Array] | None = None  # rows (a mask) -> their values as read


def _blank_at(data: npt.NDArray[np.uint8], positions: npt.NDArray[np.int64]) -> bool:
    picked = data[positions]
    return bool(((picked == _SPACE) | (picked == _TAB)).any())


def _chunk_ids(arr: pa.Array) -> pa.Array | None:
    """An id chunk with "" as null, without copying the values; None when some value needs trimming."""
    offsets_buf, data_buf = arr.buffers()[1], arr.buffers()[2]
    if arr.null_count or len(arr) == 0 or offsets_buf is None or data_buf is None:
        return None
    offsets = np.frombuffer(offsets_buf, dtype=np.int32)[arr.offset: arr.offset + len(arr) + 1]
    data = np.frombuffer(data_buf, dtype=np.uint8)
    present = offsets[1:] > offsets[:-1]
    first = offsets[:-1][present].astype(np.int64)
    last = offsets[1:][present].astype(np.int64) - 1
    if first.size and (_blank_at(data, first) or _blank_at(data, last)):
        return None
    validity = pa.py_buffer(np.packbits(present, bitorder="little"))
    return pa.Array.from_buffers(pa.string(), len(arr), [validity, pa.py_buffer(offsets), data_buf])


def _ids(values: pa.ChunkedArray) -> _Column:
    """Ids trimmed of spaces and tabs, "" → null. Ids are rarely padded: a chunk whose values have no
    blank at either end is passed on as it is (only a validity bitmap is added)."""
    chunks: list[pa.Array] = []
    changed: list[pa.Array] = []
    for chunk in values.chunks:
        fast = _chunk_ids(chunk)
        if fast is not None:
            chunks.append(fast)
            changed.append(pa.array(np.zeros(len(chunk), dtype=bool)))
            continue
        trimmed = pc.utf8_trim(chunk, characters=_TRIM)
        chunks.append(pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed))
        changed.append(pc.fill_null(pc.not_equal(chunk, trimmed), False))
    out = pa.chunked_array(chunks, pa.string())
    mask = pa.chunked_array(changed, pa.bool_()).combine_chunks()
    if not pc.any(mask).as_py():
        return _Column(out)
    return _Column(out, mask, lambda rows: pc.filter(values, rows).combine_chunks())


def _by_distinct_values(con: duckdb.DuckDBPyConnection, column: contract.Column, values: pa.ChunkedArray
                        ) -> _Column:
    """A repeating column (code, date, flag, district, municipality), masked and normalised on its
    distinct values only: personal-number shapes masked in Arrow (`inputs.mask_pnr_like`), then
    DuckDB's own normalising expression. The result stays dictionary-encoded (DuckDB reads that)."""
    encoded = values.combine_chunks().dictionary_encode()
    masked = inputs.mask_pnr_like(encoded.dictionary)
    # `_i` puts the result back in the dictionary's order: without insertion order (the staging
    # connection's setting) DuckDB may return a large input's rows in another order.
    con.register(_ARROW_VIEW, pa.table({column.name: masked, "_i": np.arange(len(masked), dtype=np.int64)}))
    try:
        norm = norm_expr(column)
        result = con.sql(
            f"SELECT {norm} AS v, r.{ident(column.name)} IS DISTINCT FROM coalesce({norm}, '') AS changed "
            f"FROM {_ARROW_VIEW} r ORDER BY r._i"
        ).to_arrow_table()
    finally:
        con.unregister(_ARROW_VIEW)
    normalised = result.column("v").combine_chunks()
    indices = encoded.indices
    if normalised.null_count:
        empty = pc.take(pc.is_null(normalised), indices)
        indices = pc.if_else(empty, pa.scalar(None, indices.type), indices)
        normalised = pc.fill_null(normalised, "")
    out = pa.DictionaryArray.from_arrays(indices, normalised)
    changed = result.column("changed").combine_chunks()
    if not pc.any(changed).as_py():
        return _Column(out)
    return _Column(out, pc.take(changed, encoded.indices),
                   lambda rows: pc.take(masked, pc.filter(encoded.indices, rows)))


@dataclass
class Normalised:
    """One file ready for DuckDB: `_v_n_<table>`'s Arrow columns and SELECT list, `_v_raw_<table>`'s rows."""

    table: str
    columns: pa.Table
    select: str
    as_read: pa.Table


def normalised(con: duckdb.DuckDBPyConnection, spec: contract.FileSpec, prepared: pa.Table,
               unknown: int) -> Normalised:
    """The Arrow side of `_v_n_<table>` and `_v_raw_<table>` from the prepared rows (contract columns other
    than ids and the personal number still unmasked: they are masked here, on their distinct values).
    `con` only evaluates expressions on distinct values: a cursor of its own when called beside a load."""
    columns: dict[str, pa.Array | pa.ChunkedArray] = {}
    done_by_name: dict[str, _Column] = {}
    changed: pa.Array | None = None
    for column in raw_columns(spec):
        values = prepared.column(column.name)
        done = _ids(values) if column.kind is contract.Kind.TEXT else _by_distinct_values(con, column, values)
        done_by_name[column.name] = done
        columns[column.name] = done.values
        if done.changed is not None:
            changed = done.changed if changed is None else pc.or_(changed, done.changed)
    for name in ["_line", *working_columns(spec, unknown)]:
        columns[name] = prepared.column(name)
    if spec.table == "barn":
        columns[inputs.PSEUDONYM] = prepared.column(inputs.PSEUDONYM)
    select: list[str] = []
    for column in spec.columns:
        if column.kind is contract.Kind.PERSONNUMMER:  # the snapshot has the pseudonym in its place
            select.append(ident(inputs.PSEUDONYM))
            continue
        select.append(ident(column.name))
        twin = _twin_expr(column)
        if twin is not None:
            select.append(f"{twin} AS {typed_twin(column)}")
    if spec.table == "barn":
        select += [
            f"CASE WHEN {inputs.PNR_VALID} THEN {inputs.PNR_BIRTH} ELSE {parse_date('fodelsedatum')} END "
            "AS fodelsedatum_effektiv",
            f"coalesce(kon, {inputs.PNR_SEX}) AS kon_effektiv",
        ]
    select += ["_line", *(ident(c) for c in working_columns(spec, unknown))]
    return Normalised(spec.table, pa.table(columns), ", ".join(select),
                      _as_read(spec, prepared, done_by_name, changed))


def load(con: duckdb.DuckDBPyConnection, ready: Normalised) -> None:
    """Writes `_v_n_<table>` and `_v_raw_<table>` (the one write of the file's rows, or of its first part)."""
    _create(con, n_table(ready.table), ready.columns, ready.select, append=False)
    _create(con, raw_table(ready.table), ready.as_read, "*", append=False)


def append(con: duckdb.DuckDBPyConnection, ready: Normalised) -> None:
    """Adds a later part of a file to the `_v_n_<table>` and `_v_raw_<table>` its first part made."""
    _create(con, n_table(ready.table), ready.columns, ready.select, append=True)
    _create(con, raw_table(ready.table), ready.as_read, "*", append=True)


def _as_read(spec: contract.FileSpec, prepared: pa.Table, normalised: dict[str, _Column],
             changed: pa.Array | None) -> pa.Table:
    """The rows where normalising changed some value, every value as read (masked)."""
    rows = pa.array(np.zeros(prepared.num_rows, dtype=bool)) if changed is None else changed
    out: dict[str, pa.Array | pa.ChunkedArray] = {"_line": pc.filter(prepared.column("_line"), rows)}
    for column in raw_columns(spec):
        done = normalised[column.name]
        if done.as_read is not None:
            out[column.name] = done.as_read(rows)
        elif column.kind is contract.Kind.TEXT:
            out[column.name] = pc.filter(prepared.column(column.name), rows)
        else:  # no value of this column changed: as read = normalised, "" for null
            values = done.values
            assert isinstance(values, pa.DictionaryArray)
            out[column.name] = pc.fill_null(pc.filter(values, rows).cast(pa.string()), "")
    return pa.table(out)


def _create(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table, select: str, *, append: bool) -> None:
    con.register(_ARROW_VIEW, table)
    try:
        into = f"INSERT INTO {name}" if append else f"CREATE OR REPLACE TABLE {name} AS"
        con.execute(f"{into} SELECT {select} FROM {_ARROW_VIEW}")
    finally:
        con.unregister(_ARROW_VIEW)
