"""The rows as the reader hands them over, prepared in Arrow before anything enters DuckDB.

The reader gives, per contract file, one string column per contract column (values exactly as
read), `_line` and `_extra`. Here the personal number is checked (V010–V014 need its validity,
date and sex) and replaced by its keyed pseudonym, or `***` when invalid: the raw number never
reaches DuckDB. Any other value where a number could hide (every column but the ids and
references, unknown columns, surplus fields) has personal-number shapes masked for the same reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import pyarrow as pa
import pyarrow.compute as pc

from bbic_core import contract
from bbic_core.personnummer import check_array
from bbic_core.pseudonym import Pseudonymiser
from bbic_core.validation.rows.sql import PNR_LIKE

_PNR_SHAPE = r"^\d{8}[-+]?\d{4}$"
# Internal barn columns computed from the personal number (dropped before the clean tables).
PNR_VALID = "_pnr_valid"
PNR_BIRTH = "_pnr_birth"
PNR_SEX = "_pnr_sex"
# Keyed token of an invalid number's trimmed text (null when valid or absent): V004 compares numbers
# without seeing them. A valid number is compared through its pseudonym.
PNR_TOKEN = "_pnr_tok"
PSEUDONYM = "pseudonym"
# The number as V004 compares it, and whether one was given at all (SQL over a normalised row `r`).
PNR_CMP_SQL = f"coalesce({PSEUDONYM}, {PNR_TOKEN})"
PNR_PRESENT_SQL = f"(r.{PSEUDONYM} IS NOT NULL OR r.{PNR_TOKEN} IS NOT NULL)"
# What the quarantine shows for `personnummer`: the pseudonym, `***` when invalid, "" when absent.
PNR_SHOWN_SQL = (f"CASE WHEN r.{PSEUDONYM} IS NOT NULL THEN r.{PSEUDONYM} "
                 f"WHEN r.{PNR_TOKEN} IS NOT NULL THEN '***' ELSE '' END")
# Ids and references keep their value (masking would change which row they name); the personal number
# is pseudonymised below. Every other column (codes, dates, flags, districts, municipality codes) is
# masked: a personal number there is invalid anyway (V002/V003 either way) and must not reach DuckDB.
_NOT_MASKED = frozenset({contract.Kind.TEXT, contract.Kind.PERSONNUMMER})
MASKED = frozenset(k for k in contract.Kind if k not in _NOT_MASKED)


class RawFileLike(Protocol):
    """What the row rules need of the reader's `RawFile`."""

    @property
    def table(self) -> pa.Table: ...

    @property
    def unknown_columns(self) -> Sequence[str]: ...

    @property
    def extra_values(self) -> pa.Table | None: ...

    @property
    def rows_read(self) -> int: ...

    @property
    def header_line(self) -> int: ...


def trim_blanks(arr: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """The contract's trim: spaces and tabs only (other whitespace is kept)."""
    return pc.utf8_trim(arr, characters=" \t")


def mask_pnr_like(arr: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """`arr` with personal-number shapes replaced by `***` (the same array when it holds none).

    Codes, dates and flags repeat, so the pattern is first tried on the distinct values only: most
    columns hold no shape at all and are passed on without a copy.
    """
    distinct = pc.unique(arr)
    if not pc.any(pc.match_substring_regex(distinct, pattern=PNR_LIKE)).as_py():
        return arr
    return pc.replace_substring_regex(arr, pattern=PNR_LIKE, replacement="***")


def _string_column(table: pa.Table, name: str) -> pa.ChunkedArray:
    if name in table.column_names:
        return table.column(name).cast(pa.string())
    return pa.chunked_array([pa.array([""] * table.num_rows, pa.string())], pa.string())


def prepare(spec: contract.FileSpec, raw: RawFileLike, pseudonymiser: Pseudonymiser) -> pa.Table:
    """Contract columns, `_u<i>` unknown columns, `_line`, `_extra`, for `normalise.normalised`.

    In `barn` the personal number itself is gone: its columns are the internal ones below. Unknown
    columns and `_extra` are masked here; the contract's columns that are masked (`MASKED`) are
    masked by `normalise` on their distinct values, before anything of them enters DuckDB.
    """
    table = raw.table
    n = table.num_rows
    columns: dict[str, pa.ChunkedArray | pa.Array] = {}
    for col in spec.columns:
        values = _string_column(table, col.name)
        if col.kind is contract.Kind.PERSONNUMMER:
            columns.update(_personnummer_columns(values, pseudonymiser))
            continue
        # Columns other than ids are masked by `normalise`, on their distinct values, before DuckDB.
        columns[col.name] = values
    unknown = list(raw.unknown_columns)
    extra = raw.extra_values
    for i, _name in enumerate(unknown):
        # By position: header names may repeat (several empty names after trailing delimiters).
        if extra is not None and i < extra.num_columns:
            values = extra.column(i).cast(pa.string())
        else:
            values = pa.chunked_array([pa.nulls(n, pa.string())])
        columns[f"_u{i}"] = mask_pnr_like(values)
    columns["_line"] = table.column("_line").cast(pa.int32())
    extra_json = table.column("_extra").cast(pa.string()) if "_extra" in table.column_names else pa.nulls(
        n, pa.string())
    columns["_extra"] = mask_pnr_like(extra_json)
    return pa.table(columns)


def _personnummer_columns(values: pa.ChunkedArray | pa.Array, pseudonymiser: Pseudonymiser
                          ) -> dict[str, pa.ChunkedArray | pa.Array]:
    """V010–V014 inputs, computed vectorised: validity, date, sex, pseudonym, invalid numbers' tokens."""
    trimmed = trim_blanks(values)
    if isinstance(trimmed, pa.ChunkedArray):
        trimmed = trimmed.combine_chunks()
    trimmed = pc.fill_null(trimmed, "")
    present = pc.not_equal(trimmed, "")
    check = check_array(trimmed)
    # check_array trims all whitespace; the contract keeps characters other than spaces and tabs.
    shaped = pc.fill_null(pc.match_substring_regex(trimmed, _PNR_SHAPE), False)
    valid = pc.and_(check.column("valid").combine_chunks(), shaped)
    null_str = pa.scalar(None, pa.string())
    normalised = pc.if_else(valid, check.column("normalised"), null_str)
    invalid_present = pc.and_(present, pc.invert(valid))
    return {
        PNR_VALID: valid,
        PNR_BIRTH: pc.if_else(valid, check.column("birth_date"), pa.scalar(None, pa.date32())),
        PNR_SEX: pc.if_else(valid, check.column("sex"), null_str),
        PSEUDONYM: pseudonymiser.pseudonymise_array(normalised),
        PNR_TOKEN: _invalid_tokens(trimmed, invalid_present, pseudonymiser),
    }


def _invalid_tokens(trimmed: pa.Array, invalid_present: pa.Array, pseudonymiser: Pseudonymiser) -> pa.Array:
    """Keyed tokens of the invalid numbers only (few), so that two different ones still differ (V004)."""
    picked = pc.filter(trimmed, invalid_present).to_pylist()
    blank = pa.nulls(len(trimmed), pa.string())
    if not picked:
        return blank
    # The pseudonymiser takes ASCII; hex of the UTF-8 bytes keeps any text distinct.
    tokens = pseudonymiser.pseudonymise_array(pa.array(["x" + v.encode("utf-8").hex() for v in picked],
                                                       pa.string()))
    return pc.replace_with_mask(blank, invalid_present, tokens)
