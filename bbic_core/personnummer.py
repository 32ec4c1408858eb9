"""Swedish personal identity numbers (personnummer) and coordination numbers (samordningsnummer).

The contract's form is 12 digits, with an optional `-` or `+` before the last four. Validity is
decided by the `personnummer` package (python-stdnum rejects samordningsnummer); `check_array`
is its vectorised twin for millions of rows, proven equal to `parse` by property tests.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from personnummer import personnummer as pnr_lib

__all__ = [
    "CONTRACT_FORM_PATTERN",
    "Personnummer",
    "check_array",
    "is_valid",
    "normalise",
    "parse",
]

# ASCII digits only: Python's `\d` also matches other scripts' digits (which the library would
# accept), Arrow's RE2 does not; one pattern for both keeps `parse` and `check_array` equal.
CONTRACT_FORM_PATTERN = r"^[0-9]{8}[-+]?[0-9]{4}$"
_CONTRACT_FORM = re.compile(CONTRACT_FORM_PATTERN)
_STRIP = re.compile(r"[-+]")
# The shape of a personal number: 10 or 12 ASCII digits, a `-`/`+` allowed before the last four. Every
# pattern that looks for one (here, in V007's id check, in the SQL and Arrow masking) is built from it.
PERSONAL_NUMBER_DIGITS = r"[0-9]{6}(?:[0-9]{2})?[-+]?[0-9]{4}"
# No digit before the shape (the value's start or a non-digit), no digit after it: the same boundaries
# as look-arounds, written as groups for RE2 (DuckDB, Arrow), which has no look-behind.
NOT_AFTER_A_DIGIT = r"(?<![0-9])"
NOT_BEFORE_A_DIGIT = r"(?![0-9])"
PERSONAL_NUMBER_BOUNDED_RE2 = rf"(?:^|[^0-9])(?P<n>{PERSONAL_NUMBER_DIGITS})(?:[^0-9]|$)"
# The shape anywhere, boundaries or not (inside a longer run of digits too): what messages and quarantined
# values mask, where masking too much costs nothing. A RE2 pattern (DuckDB `regexp_replace`, Arrow).
PERSONAL_NUMBER_ROUGH_RE2 = PERSONAL_NUMBER_DIGITS
# Anything in free text shaped like a personal number, valid or not: the shape with no digit on either
# side, and not the fraction of a decimal number (`614.451923076923` in a chart). The one pattern of
# every leak check and redaction (refusal messages, the pipeline's logs, the rendered reports); a longer
# run of digits (a checksum) is no personal number.
PERSONAL_NUMBER_IN_TEXT = re.compile(
    rf"{NOT_AFTER_A_DIGIT}(?<![0-9]\.){PERSONAL_NUMBER_DIGITS}{NOT_BEFORE_A_DIGIT}"
)
# The contract trims spaces and tabs only; other whitespace is part of the value.
TRIM = " \t"
_DOUBLED_DIGIT_SUM = np.array([0, 2, 4, 6, 8, 1, 3, 5, 7, 9], dtype=np.uint8)  # d -> digit sum of 2d


@dataclass(frozen=True, slots=True)
class Personnummer:
    normalised: str  # 12 digits, no separator: the value the pseudonym is made from
    birth_date: dt.date
    sex: str  # "1" male (odd sex digit), "2" female (even)
    samordningsnummer: bool


def redact_personal_numbers(text: str) -> str:
    """`text` with every run shaped like a personal number replaced by `***`."""
    return PERSONAL_NUMBER_IN_TEXT.sub("***", text)


_ZERO, _POINT, _PLUS, _MINUS = (ord(c) for c in "0.+-")


def holds_personal_number(data: bytes) -> bool:
    """Whether the text in `data` (UTF-8, or any encoding that writes ASCII as ASCII) holds a match of
    `PERSONAL_NUMBER_IN_TEXT`: the same answer as searching the decoded text (property-tested), found
    from the runs of ASCII digits at once instead of trying the pattern at every character, which took
    two seconds over a report set of charts full of decimals.

    A match is a run of exactly 10 or 12 digits, or a run of 6 or 8 digits, `-` or `+`, and a run of
    exactly 4; its first run not the fraction of a decimal number (no digit and `.` just before it).
    """
    octets = np.frombuffer(data, dtype=np.uint8)
    digit = (octets - _ZERO) < 10  # uint8 wraps: only the ten ASCII digits stay below 10
    edges = np.diff(digit.view(np.int8), prepend=np.int8(0), append=np.int8(0))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    if starts.size == 0:
        return False
    lengths = ends - starts
    point, digit_before = octets[np.maximum(starts - 1, 0)] == _POINT, digit[np.maximum(starts - 2, 0)]
    fraction = (starts >= 2) & point & digit_before
    whole = ~fraction & ((lengths == 10) | (lengths == 12))
    if bool(whole.any()):
        return True
    first = ~fraction[:-1] & ((lengths[:-1] == 6) | (lengths[:-1] == 8))
    joined = (starts[1:] == ends[:-1] + 1) & (lengths[1:] == 4)
    sign = octets[np.minimum(ends[:-1], octets.size - 1)]
    return bool((first & joined & ((sign == _PLUS) | (sign == _MINUS))).any())


def normalise(value: str) -> str | None:
    """The 12-digit form of `value` if it has the contract's shape, else None (validity not checked)."""
    text = value.strip(TRIM)
    if not _CONTRACT_FORM.fullmatch(text):
        return None
    return _STRIP.sub("", text)


def parse(value: str | None) -> Personnummer | None:
    """A valid number in the contract's form, or None when missing, malformed or invalid."""
    if value is None:
        return None
    digits = normalise(value)
    if digits is None:
        return None
    try:
        parsed = pnr_lib.parse(digits)
    except pnr_lib.PersonnummerException:
        return None
    return Personnummer(
        normalised=digits,
        birth_date=parsed.get_date(),
        sex="1" if parsed.is_male() else "2",
        samordningsnummer=parsed.is_coordination_number(),
    )


def is_valid(value: str | None) -> bool:
    return parse(value) is not None


_CHECK_SCHEMA = pa.schema(
    [("normalised", pa.string()), ("valid", pa.bool_()), ("birth_date", pa.date32()), ("sex", pa.string())]
)


def check_array(values: pa.Array | pa.ChunkedArray) -> pa.Table:
    """Vectorised `parse` over a string array.

    Returns a table with one row per input: `normalised` (12 digits, null unless valid),
    `valid`, `birth_date` and `sex` (null unless valid). Must agree with `parse` on every input.
    """
    arr = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    arr = arr.cast(pa.string())
    n = len(arr)
    trimmed = pc.utf8_trim(arr, characters=TRIM)
    shaped = pc.fill_null(pc.match_substring_regex(trimmed, CONTRACT_FORM_PATTERN), False)
    digits = pc.replace_substring_regex(trimmed, r"[-+]", "")
    # Fixed-width byte matrix of the 12 digits; rows of the wrong shape are masked out below.
    safe = pc.if_else(shaped, digits, pa.scalar("000000000000"))
    # Every `safe` value is 12 ASCII digits by construction, so a fixed-width cast lays them out
    # contiguously (the cast fails loudly if that ever stops being true).
    fixed = safe.cast(pa.binary(12))
    raw = np.frombuffer(fixed.buffers()[1], dtype=np.uint8)[fixed.offset * 12 : (fixed.offset + n) * 12]
    small = raw.reshape(n, 12) - np.uint8(48)  # digits 0..9, one byte each
    mat = small.astype(np.int32)
    year = mat[:, 0] * 1000 + mat[:, 1] * 100 + mat[:, 2] * 10 + mat[:, 3]
    month = mat[:, 4] * 10 + mat[:, 5]
    day_raw = mat[:, 6] * 10 + mat[:, 7]
    serial = mat[:, 8] * 100 + mat[:, 9] * 10 + mat[:, 10]
    coord = day_raw > 60
    day = np.where(coord, day_raw - 60, day_raw)
    # Luhn over the 10 digits without the century (positions 2..11), weights 2,1,2,1,…: a doubled digit
    # contributes the sum of its digits (a table), an undoubled one itself.
    luhn_sum = _DOUBLED_DIGIT_SUM[small[:, 2:11:2]].sum(axis=1, dtype=np.int32) + small[:, 3:11:2].sum(
        axis=1, dtype=np.int32)
    check = (10 - luhn_sum % 10) % 10
    luhn_ok = check == mat[:, 11]
    # A real calendar date: build it through numpy datetime64 and compare back.
    month_ok = (month >= 1) & (month <= 12)
    safe_month = np.where(month_ok, month, 1)
    safe_year = np.where(year >= 1, year, 1)
    first = (safe_year - 1970).astype("datetime64[Y]").astype("datetime64[M]") + (safe_month - 1)
    next_first = first + 1
    days_in_month = (next_first.astype("datetime64[D]") - first.astype("datetime64[D]")).astype(np.int32)
    day_ok = (day >= 1) & (day <= days_in_month)
    valid = (
        np.asarray(shaped.to_numpy(zero_copy_only=False), dtype=bool)
        & luhn_ok
        & month_ok
        & day_ok
        & (serial != 0)
        & (year >= 1)
    )
    birth = first.astype("datetime64[D]") + np.where(day_ok, day - 1, 0)
    valid_arr = pa.array(valid, pa.bool_())
    birth_arr = pa.array(birth.astype("datetime64[D]"), pa.date32())
    sex_arr = pc.if_else(pa.array(mat[:, 10] % 2 == 1, pa.bool_()), "1", "2")
    null_date = pa.scalar(None, pa.date32())
    null_str = pa.scalar(None, pa.string())
    return pa.table(
        [
            pc.if_else(valid_arr, digits, null_str),
            valid_arr,
            pc.if_else(valid_arr, birth_arr, null_date),
            pc.if_else(valid_arr, sex_arr, null_str),
        ],
        schema=_CHECK_SCHEMA,
    )
