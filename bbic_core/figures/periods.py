"""Report periods: the presets of reports.md (year, half, tertial, quarter, month, 12 months)."""

from __future__ import annotations

import calendar
import datetime as dt
import re

from bbic_core.dates import add_months
from bbic_core.scopes import Period

_YEAR = re.compile(r"^(\d{4})$")
_PART = re.compile(r"^(\d{4})-([HTQ])(\d)$", re.IGNORECASE)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_LAST_12 = re.compile(r"^12\s*m$", re.IGNORECASE)
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\s*(?:\.\.|/)\s*(\d{4}-\d{2}-\d{2})$")
# months per part: H = half year, T = tertial (Jan–Apr, May–Aug, Sep–Dec), Q = quarter
_PART_MONTHS = {"H": 6, "T": 4, "Q": 3}


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def months_period(year: int, first_month: int, months: int) -> Period:
    last_month = first_month + months - 1
    return Period(dt.date(year, first_month, 1), month_end(year, last_month))


def last_12_months(as_of: dt.date) -> Period:
    """`[A − 12 months + 1 day, A]`."""
    return Period(add_months(as_of, -12) + dt.timedelta(days=1), as_of)


def parse_period(text: str, as_of: dt.date) -> Period:
    """A preset as text: `2025`, `2025-H1`, `2025-T2`, `2025-Q1`, `2025-05`, `12m` (up to `as_of`), or
    an explicit `2025-01-01..2025-03-31`. ValueError for anything else."""
    value = text.strip()
    if m := _YEAR.match(value):
        return months_period(int(m[1]), 1, 12)
    if m := _PART.match(value):
        year, kind, number = int(m[1]), m[2].upper(), int(m[3])
        size = _PART_MONTHS[kind]
        if not 1 <= number <= 12 // size:
            raise ValueError(f"{text!r}: {kind}{number} does not exist (a year has {12 // size})")
        return months_period(year, (number - 1) * size + 1, size)
    if m := _MONTH.match(value):
        month = int(m[2])
        if not 1 <= month <= 12:
            raise ValueError(f"{text!r}: no month {month}")
        return months_period(int(m[1]), month, 1)
    if _LAST_12.match(value):
        return last_12_months(as_of)
    if m := _RANGE.match(value):
        try:
            start, end = dt.date.fromisoformat(m[1]), dt.date.fromisoformat(m[2])
        except ValueError as exc:
            raise ValueError(f"{text!r}: {exc}") from None
        if end < start:
            raise ValueError(f"{text!r}: the period ends before it starts")
        return Period(start, end)
    raise ValueError(f"{text!r} is not a period: write 2025, 2025-H1, 2025-T2, 2025-Q1, 2025-05, 12m "
                     f"or 2025-01-01..2025-03-31")


def latest_complete_tertial(as_of: dt.date) -> Period:
    """The latest tertial whose last day lies before `as_of` (an export of day A holds A only in part)."""
    year, tertial = as_of.year, (as_of.month - 1) // 4  # the current one is 0-based `tertial`
    if tertial == 0:
        year, tertial = year - 1, 3
    return months_period(year, (tertial - 1) * 4 + 1, 4)


def standard_periods(as_of: dt.date) -> dict[str, Period]:
    """The periods the pipeline publishes: this year to date, last calendar year, latest complete tertial."""
    return {
        "year_to_date": Period(dt.date(as_of.year, 1, 1), as_of),
        "previous_year": months_period(as_of.year - 1, 1, 12),
        "latest_tertial": latest_complete_tertial(as_of),
    }


def period_label(period: Period) -> str:
    """A short label: `2025`, `2025-T1`, `2025-05`, or `2025-01-01–2025-03-31`."""
    start, end = period.start, period.end
    if start.day == 1 and end == month_end(end.year, end.month) and start.year == end.year:
        months = end.month - start.month + 1
        if months == 12:
            return str(start.year)
        if months == 1:
            return f"{start.year}-{start.month:02d}"
        for kind, size in (("H", 6), ("T", 4), ("Q", 3)):
            if months == size and (start.month - 1) % size == 0:
                return f"{start.year}-{kind}{(start.month - 1) // size + 1}"
    return f"{start.isoformat()}–{end.isoformat()}"
