"""Dates as int32 day numbers (days since 1970-01-01), vectorised over numpy arrays.

The generator keeps every date as a day number until a file is written: arithmetic is cheap,
and `NULL_DAY` marks an empty value without masked arrays.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import numpy.typing as npt

Days = npt.NDArray[np.int32]
NULL_DAY = np.int32(np.iinfo(np.int32).min)
FAR_FUTURE = np.int32(np.iinfo(np.int32).max)
_EPOCH = dt.date(1970, 1, 1)


def day(d: dt.date) -> int:
    return (d - _EPOCH).days


def to_date(n: int) -> dt.date:
    return _EPOCH + dt.timedelta(days=int(n))


def add_months(days: npt.NDArray[np.integer], months: npt.NDArray[np.integer] | int) -> Days:
    """`days` moved `months` calendar months, clamped to the month's end (as `bbic_core.dates.add_months`)."""
    d = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    m = d.astype("datetime64[M]")
    dom = (d - m.astype("datetime64[D]")).astype(np.int64)  # 0-based day of month
    m2 = m + np.asarray(months, dtype=np.int64)
    first = m2.astype("datetime64[D]")
    length = ((m2 + 1).astype("datetime64[D]") - first).astype(np.int64)
    out = first + np.minimum(dom, length - 1)
    result: Days = out.astype(np.int64).astype(np.int32)
    return result


def add_years(days: npt.NDArray[np.integer], years: int) -> Days:
    return add_months(days, 12 * years)


def year_of(days: npt.NDArray[np.integer]) -> npt.NDArray[np.int64]:
    years = np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype("datetime64[Y]")
    return years.astype(np.int64) + 1970


def month_index(days: npt.NDArray[np.integer]) -> npt.NDArray[np.int64]:
    """Months since 1970-01."""
    return np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)


def month_start(month: npt.NDArray[np.integer]) -> npt.NDArray[np.int64]:
    return np.asarray(month, dtype=np.int64).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
