"""V007: a personal number in an id or reference column (any column of kind TEXT).

Ids and references are kept as written (masking would change which row they name), so a
personnummer or samordningsnummer that Paraply put in `barn_id`, `handlaggare_id` or any other id
would reach the snapshot in clear. Here every such value is found before DuckDB sees the rows: its
row gets V007 (quarantined), and the value itself is replaced by a keyed token (`***` and 16 hex
digits of an HMAC), so that the ids still name the same rows (V004, V005 judge as before) while the
digits reach no table, not even `quarantine.raw_json`.

What counts: a run of 12 digits (`YYYYMMDDNNNN`) or 10 digits (`YYMMDDNNNN`, either century), a `-`
or `+` before the last four allowed, not part of a longer run of digits, that is a valid number
(`personnummer.check_array`: a real date, day + 60 for a samordningsnummer, the check digit).

Speed: ids are millions of short values. A vectorised pass over each chunk's bytes finds the values
holding ten digits (or `-`/`+`) in a row, which ids of the usual shape never do; only those are
matched by a regular expression and checked, vectorised too.
"""

from __future__ import annotations

import re

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from bbic_core import contract, rules
from bbic_core.personnummer import check_array, parse
from bbic_core.pseudonym import Pseudonymiser
from bbic_core.validation.rows.sql import HITS, lit

TOKEN_PREFIX = "***"
_HITS_VIEW = "_v_pnr_hits_in"
_TOKEN_HEX = 16
# The number's digits with a non-digit (or the value's edge) on each side; RE2 has no look-behind.
_BOUNDED = r"(?:^|[^0-9])(?P<n>[0-9]{6}(?:[0-9]{2})?[-+]?[0-9]{4})(?:[^0-9]|$)"
_PY_BOUNDED = re.compile(r"(?<![0-9])([0-9]{6}(?:[0-9]{2})?[-+]?[0-9]{4})(?![0-9])")
_PLUS, _NINE = 0x2B, 0x39  # '+', ',', '-', '.', '/', '0'…'9': one byte range for the first pass


def _candidates(chunk: pa.Array) -> npt.NDArray[np.int64]:
    """Positions in `chunk` of the values that may hold a number: ten bytes in a row that are digits,
    `-` or `+` (the range also takes `,./`, which costs only a few needless checks)."""
    if len(chunk) == 0 or chunk.null_count == len(chunk):
        return np.zeros(0, np.int64)
    offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int32)[chunk.offset: chunk.offset + len(chunk) + 1]
    data_buf = chunk.buffers()[2]
    if data_buf is None:
        return np.zeros(0, np.int64)
    data = np.frombuffer(data_buf, dtype=np.uint8)[int(offsets[0]): int(offsets[-1])]
    if data.size < 10:
        return np.zeros(0, np.int64)
    run = (data - np.uint8(_PLUS)) <= np.uint8(_NINE - _PLUS)
    # Ten in a row by doubling: 2, 4, 8, then 8 and 2 more.
    run = run[:-1] & run[1:]
    run = run[:-2] & run[2:]
    run = run[:-4] & run[4:]
    run = run[:-2] & run[2:]
    starts = np.flatnonzero(run)
    if not starts.size:
        return np.zeros(0, np.int64)
    # A window may span two values: that only adds a candidate, which the exact check drops.
    rows = (np.searchsorted(offsets - offsets[0], starts, side="right") - 1).astype(np.int64)
    first = np.ones(rows.size, dtype=bool)  # sorted already: keep each row once
    first[1:] = rows[1:] != rows[:-1]
    return rows[first]


def _valid_forms(found: pa.Array) -> npt.NDArray[np.bool_]:
    """Whether each matched number (10 or 12 digits, a separator allowed) is valid; a 10-digit one in
    either century (a `+` says the person is 100 or older, which does not matter here)."""
    digits = pc.utf8_length(pc.replace_substring_regex(found, r"[-+]", ""))
    ten = pc.equal(digits, 10)
    as_1900 = pc.if_else(ten, pc.binary_join_element_wise("19", found, ""), found)
    as_2000 = pc.if_else(ten, pc.binary_join_element_wise("20", found, ""), found)
    valid = pc.or_(check_array(as_1900).column("valid"), check_array(as_2000).column("valid"))
    return np.asarray(valid.to_numpy(zero_copy_only=False), dtype=bool)


def _python_holds(value: str) -> bool:
    """For the rare value with more than one number-shaped run: every run is checked."""
    for match in _PY_BOUNDED.finditer(value):
        text = match.group(1)
        forms = [text] if len(text.replace("-", "").replace("+", "")) == 12 else ["19" + text, "20" + text]
        if any(parse(form) is not None for form in forms):
            return True
    return False


def holds_personnummer(values: pa.ChunkedArray | pa.Array) -> npt.NDArray[np.bool_]:
    """Per value: does it hold a valid personal number (see the module's docstring)?"""
    chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
    out = np.zeros(len(values), dtype=bool)
    base = 0
    for chunk in chunks:
        chunk = chunk.cast(pa.string())
        rows = _candidates(chunk)
        if rows.size:
            picked = pc.take(chunk, pa.array(rows))
            first = pc.extract_regex(picked, _BOUNDED).field(0)
            matched = np.asarray(pc.is_valid(first).to_numpy(zero_copy_only=False), dtype=bool)
            valid = np.zeros(rows.size, dtype=bool)
            if matched.any():
                at = np.flatnonzero(matched)
                valid[at] = _valid_forms(pc.take(first, pa.array(at)))
            # A value whose first run is not a valid number may hold a second one.
            again = pc.greater(pc.count_substring_regex(picked, r"[0-9]{6}[0-9]*"), 1)
            for k in np.flatnonzero(~valid & np.asarray(again.to_numpy(zero_copy_only=False), dtype=bool)):
                valid[k] = _python_holds(str(picked[int(k)].as_py()))
            out[base + rows[valid]] = True
        base += len(chunk)
    return out


def tokens(values: pa.Array, pseudonymiser: Pseudonymiser) -> pa.Array:
    """The keyed token of each value: equal values, equal tokens; the digits cannot be read back."""
    hexed = pa.array(["x" + str(v).encode("utf-8").hex() for v in values.to_pylist()], pa.string())
    keyed = pseudonymiser.pseudonymise_array(hexed)
    start = len("p_")
    short = pc.utf8_slice_codeunits(keyed, start, start + _TOKEN_HEX)
    return pc.binary_join_element_wise(TOKEN_PREFIX, short, "")


def id_columns(spec: contract.FileSpec) -> list[str]:
    return [c.name for c in spec.columns if c.kind is contract.Kind.TEXT]


def replace_in_ids(spec: contract.FileSpec, prepared: pa.Table, pseudonymiser: Pseudonymiser
                   ) -> tuple[pa.Table, pa.Table | None]:
    """`prepared` with every id holding a personal number replaced by its token, and the V007 hits
    (`_line`, `column_name`), or None when there is none (the usual case: `prepared` is returned as is)."""
    lines: list[pa.Array] = []
    names: list[str] = []
    table = prepared
    for name in id_columns(spec):
        column = table.column(name)
        found = holds_personnummer(column)
        if not found.any():
            continue
        mask = pa.array(found)
        flat = column.combine_chunks()
        replaced = pc.replace_with_mask(flat, mask, tokens(pc.filter(flat, mask), pseudonymiser))
        table = table.set_column(table.column_names.index(name), name, replaced)
        hit_lines = pc.filter(table.column("_line").combine_chunks(), mask)
        lines.append(hit_lines)
        names += [name] * len(hit_lines)
    if not lines:
        return prepared, None
    return table, pa.table({"_line": pa.concat_arrays(lines), "column_name": pa.array(names, pa.string())})


def record(con: duckdb.DuckDBPyConnection, table: str, hits: pa.Table) -> None:
    """The V007 hits of one file into `_v_hits` (the message names the column, never the value)."""
    rule = rules.rule("V007")
    con.register(_HITS_VIEW, hits)
    try:
        con.execute(f"INSERT INTO {HITS} SELECT {lit(table)}, h._line, h.column_name, {lit(rule.code)}, "
                    f"{lit(rule.severity.value)}, {lit(rule.message_sv + ': ')} || h.column_name, true "
                    f"FROM {_HITS_VIEW} h")
    finally:
        con.unregister(_HITS_VIEW)
