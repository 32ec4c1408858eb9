"""Calendar helpers shared by the register, the figures and the generator.

Month arithmetic clamps to the month's last day, as the law's "four months" and the licence's
"24 months" are read: 2024-10-31 + 4 months is 2025-02-28.
"""

from __future__ import annotations

import calendar
import datetime as dt


def add_months(d: dt.date, n: int) -> dt.date:
    """`d` moved `n` calendar months (n may be negative); the day is clamped to the target month's end."""
    years, month0 = divmod(d.month - 1 + n, 12)
    year = d.year + years
    month = month0 + 1
    return dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def days(a: dt.date, b: dt.date) -> int:
    """Whole days from `a` to `b` (negative when `b` is before `a`)."""
    return (b - a).days
