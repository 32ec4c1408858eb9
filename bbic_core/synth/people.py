"""Synthetic personnummer and samordningsnummer, vectorised.

A number is `YYYYMMDD` + a three-digit serial + the Luhn check digit over the ten digits
without the century. The serial's last digit is the sex digit (odd for boys, even for girls);
a samordningsnummer adds 60 to the day. Serials are assigned by rank within each
(birth date, sex, kind) group, so that no two children share a number (a shared number is a
V014 warning, which a fault-free export must not have).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

_SERIALS_PER_SEX = 499  # prime: (a * rank + b) mod 499 is a permutation for a coprime to it


def luhn_check_digit(digits: npt.NDArray[np.int32]) -> npt.NDArray[np.int32]:
    """Check digit for each row of an (n, 9) digit matrix (YYMMDDNNN), weights 2, 1, 2, …"""
    weights = np.array([2, 1, 2, 1, 2, 1, 2, 1, 2], dtype=np.int32)
    prod = digits * weights
    prod = np.where(prod > 9, prod - 9, prod)
    check: npt.NDArray[np.int32] = ((10 - prod.sum(axis=1) % 10) % 10).astype(np.int32)
    return check


def _ranks_in_groups(keys: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    n = len(keys)
    starts = np.r_[True, sorted_keys[1:] != sorted_keys[:-1]] if n else np.zeros(0, bool)
    group_first = np.maximum.accumulate(np.where(starts, np.arange(n), 0)) if n else np.zeros(0, np.int64)
    ranks = np.empty(n, dtype=np.int64)
    ranks[order] = np.arange(n) - group_first
    return ranks


def unique_birth_days(birth: npt.NDArray[np.int32], sex: npt.NDArray[np.int8],
                      coord: npt.NDArray[np.bool_]) -> npt.NDArray[np.int32]:
    """Moves a child a day earlier while its (date, sex, kind) group has no serial left (rare)."""
    birth = birth.copy()
    for _ in range(50):
        keys = (birth.astype(np.int64) * 4) + (sex.astype(np.int64) - 1) * 2 + coord.astype(np.int64)
        over = _ranks_in_groups(keys) >= _SERIALS_PER_SEX
        if not over.any():
            return birth
        birth[over] -= 1
    raise RuntimeError("could not give every child a distinct personnummer")


def make_numbers(birth: npt.NDArray[np.int32], sex: npt.NDArray[np.int8], coord: npt.NDArray[np.bool_],
                 dash: npt.NDArray[np.bool_]) -> pa.StringArray:
    """Distinct valid numbers; `sex` is 1 (boy) or 2 (girl); `dash` writes `YYYYMMDD-NNNC`.

    `birth` must already be adjusted by `unique_birth_days`.
    """
    n = len(birth)
    keys = (birth.astype(np.int64) * 4) + (sex.astype(np.int64) - 1) * 2 + coord.astype(np.int64)
    rank = _ranks_in_groups(keys)
    if n and rank.max() >= _SERIALS_PER_SEX:
        raise ValueError("birth dates not spread: call unique_birth_days first")
    idx = (rank * 37 + (keys % _SERIALS_PER_SEX)) % _SERIALS_PER_SEX
    serial = np.where(sex == 1, 2 * idx + 1, 2 * idx + 2)  # odd 1..997 for boys, even 2..998 for girls
    d = birth.astype("datetime64[D]")
    year = d.astype("datetime64[Y]").astype(np.int64) + 1970
    month = (d.astype("datetime64[M]") - d.astype("datetime64[Y]").astype("datetime64[M]")).astype(np.int64)
    month = month + 1
    dom = (d - d.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
    dom = np.where(coord, dom + 60, dom)
    mat = np.empty((n, 12), dtype=np.int32)
    for i, (val, div) in enumerate(((year, 1000), (year, 100), (year, 10), (year, 1), (month, 10), (month, 1),
                                    (dom, 10), (dom, 1), (serial, 100), (serial, 10), (serial, 1))):
        mat[:, i] = (val // div) % 10
    mat[:, 11] = luhn_check_digit(mat[:, 2:11])
    ascii_bytes = (mat + 48).astype(np.uint8)
    offsets = np.arange(0, 12 * n + 1, 12, dtype=np.int32)
    plain = pa.StringArray.from_buffers(n, pa.py_buffer(offsets.tobytes()),
                                        pa.py_buffer(ascii_bytes.tobytes()))
    dashed = pc.binary_join_element_wise(pc.utf8_slice_codeunits(plain, 0, 8),
                                         pc.utf8_slice_codeunits(plain, 8, 12), "-")
    out = pc.if_else(pa.array(dash, pa.bool_()), dashed, plain)
    assert isinstance(out, pa.StringArray)
    return out
