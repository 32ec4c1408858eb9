"""Does a value hold a personal number? V007's one definition of what counts, for the export validator
(`bbic_core.validation.rows.pnr_in_text`) and the row models (`bbic_core.export_rows`) alike.

What counts: a run of 12 digits (`YYYYMMDDNNNN`) or 10 digits (`YYMMDDNNNN`, either century), a `-`
or `+` before the last four allowed, not part of a longer run of digits, that is a valid number
(`personnummer.check_array`: a real date, day + 60 for a samordningsnummer, the check digit).

Speed: ids are millions of short values. A vectorised pass over each chunk's bytes finds the values
holding ten digits (or `-`/`+`) in a row, which ids of the usual shape never do; only those are
matched by a regular expression and checked, vectorised too.
"""

from __future__ import annotations

import re

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from bbic_core.personnummer import (
    NOT_AFTER_A_DIGIT,
    NOT_BEFORE_A_DIGIT,
    PERSONAL_NUMBER_BOUNDED_RE2,
    PERSONAL_NUMBER_DIGITS,
    check_array,
    parse,
)

# The number's digits with a non-digit (or the value's edge) on each side. Unlike the leak check of free
# text, an id such as `1.` followed by twelve digits still holds a number: ids have no decimal fractions.
_BOUNDED = PERSONAL_NUMBER_BOUNDED_RE2
_PY_BOUNDED = re.compile(rf"{NOT_AFTER_A_DIGIT}({PERSONAL_NUMBER_DIGITS}){NOT_BEFORE_A_DIGIT}")
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
