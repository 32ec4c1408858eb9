from __future__ import annotations

import datetime as dt

import pytest

from bbic_core.dates import add_months, days


@pytest.mark.parametrize(("start", "n", "expected"), [
    (dt.date(2024, 10, 31), 4, dt.date(2025, 2, 28)),
    (dt.date(2023, 10, 31), 4, dt.date(2024, 2, 29)),
    (dt.date(2008, 5, 15), 24, dt.date(2010, 5, 15)),
    (dt.date(2024, 1, 31), 1, dt.date(2024, 2, 29)),
    (dt.date(2024, 12, 15), 1, dt.date(2025, 1, 15)),
    (dt.date(2025, 3, 31), -1, dt.date(2025, 2, 28)),
    (dt.date(2025, 1, 15), -1, dt.date(2024, 12, 15)),
    (dt.date(2025, 5, 31), -12, dt.date(2024, 5, 31)),
    (dt.date(2025, 5, 31), 0, dt.date(2025, 5, 31)),
])
def test_add_months_clamps_to_month_end(start: dt.date, n: int, expected: dt.date) -> None:
    assert add_months(start, n) == expected


def test_days_is_signed() -> None:
    assert days(dt.date(2026, 11, 25), dt.date(2027, 1, 15)) == 51
    assert days(dt.date(2027, 1, 15), dt.date(2026, 11, 25)) == -51
    assert days(dt.date(2024, 2, 28), dt.date(2024, 3, 1)) == 2
