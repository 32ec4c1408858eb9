from __future__ import annotations

import datetime as dt

import pytest

from bbic_core.figures.periods import latest_complete_tertial, parse_period, period_label, standard_periods
from bbic_core.scopes import Period

A = dt.date(2025, 6, 15)
D = dt.date


@pytest.mark.parametrize(("text", "start", "end"), [
    ("2025", D(2025, 1, 1), D(2025, 12, 31)),
    ("2025-H1", D(2025, 1, 1), D(2025, 6, 30)),
    ("2025-h2", D(2025, 7, 1), D(2025, 12, 31)),
    ("2025-T1", D(2025, 1, 1), D(2025, 4, 30)),
    ("2025-T2", D(2025, 5, 1), D(2025, 8, 31)),
    ("2025-T3", D(2025, 9, 1), D(2025, 12, 31)),
    ("2025-Q1", D(2025, 1, 1), D(2025, 3, 31)),
    ("2024-Q4", D(2024, 10, 1), D(2024, 12, 31)),
    ("2024-02", D(2024, 2, 1), D(2024, 2, 29)),
    ("2025-05", D(2025, 5, 1), D(2025, 5, 31)),
    ("12m", D(2024, 6, 16), D(2025, 6, 15)),
    (" 12M ", D(2024, 6, 16), D(2025, 6, 15)),
    ("2025-01-10..2025-02-20", D(2025, 1, 10), D(2025, 2, 20)),
])
def test_parse_period(text: str, start: dt.date, end: dt.date) -> None:
    assert parse_period(text, A) == Period(start, end)


def test_twelve_months_clamps_at_month_end() -> None:
    # A − 12 months + 1 day, A = 2024-02-29: 2023-02-28 + 1 day
    assert parse_period("12m", D(2024, 2, 29)) == Period(D(2023, 3, 1), D(2024, 2, 29))


@pytest.mark.parametrize("text", ["2025-T4", "2025-Q5", "2025-H3", "2025-13", "2025-00", "last year", "",
                                  "2025-03-01..2025-02-01", "2025-02-30..2025-03-01"])
def test_parse_period_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        parse_period(text, A)


def test_standard_periods() -> None:
    periods = standard_periods(A)
    assert periods == {
        "year_to_date": Period(D(2025, 1, 1), A),
        "previous_year": Period(D(2024, 1, 1), D(2024, 12, 31)),
        "latest_tertial": Period(D(2025, 1, 1), D(2025, 4, 30)),
    }


@pytest.mark.parametrize(("as_of", "start", "end"), [
    (D(2025, 5, 1), D(2025, 1, 1), D(2025, 4, 30)),
    (D(2025, 4, 30), D(2024, 9, 1), D(2024, 12, 31)),  # T1 ends on A: not complete yet
    (D(2025, 1, 1), D(2024, 9, 1), D(2024, 12, 31)),
    (D(2025, 12, 31), D(2025, 5, 1), D(2025, 8, 31)),
    (D(2025, 9, 1), D(2025, 5, 1), D(2025, 8, 31)),
])
def test_latest_complete_tertial(as_of: dt.date, start: dt.date, end: dt.date) -> None:
    assert latest_complete_tertial(as_of) == Period(start, end)


def test_period_label() -> None:
    for text in ("2025", "2025-H1", "2025-T2", "2025-Q3", "2025-05"):
        assert period_label(parse_period(text, A)) == text
    assert period_label(Period(D(2025, 1, 10), D(2025, 2, 20))) == "2025-01-10–2025-02-20"
