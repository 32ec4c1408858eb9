from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bbic_core.figures.format import (
    breakdown,
    free_name,
    median_of,
    median_value,
    parse_breakdown,
    share_at_least,
    share_value,
)


@pytest.mark.parametrize(("num", "den", "expected"), [
    (2, 3, "66.7"),
    (1, 8, "12.5"),
    (1, 16, "6.3"),  # 6.25 rounds up
    (3, 16, "18.8"),  # 18.75
    (1, 3, "33.3"),
    (1, 6, "16.7"),
    (0, 5, "0.0"),
    (5, 5, "100.0"),
    (1, 1000, "0.1"),  # 0.1 exactly
    (1, 2001, "0.0"),  # 0.0499…
    (1, 1999, "0.1"),  # 0.05002…
    (1, 2000, "0.1"),  # 0.05 exactly: half up
    (0, 0, ""),
    (3, 0, ""),
])
def test_share_rounds_half_up_from_the_exact_fraction(num: int, den: int, expected: str) -> None:
    assert share_value(num, den) == expected


@given(st.integers(0, 10**9), st.integers(1, 10**9))
def test_share_equals_decimal_half_up(num: int, den: int) -> None:
    exact = Decimal(num * 100) / Decimal(den)
    reference = (Fraction(num * 100, den) * 10 + Fraction(1, 2)).__floor__()
    assert share_value(num, den) == f"{reference // 10}.{reference % 10}"
    if exact == exact.quantize(Decimal("0.0000001")):  # when Decimal holds it exactly, it agrees too
        assert share_value(num, den) == str(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def test_median_of_even_count_is_the_mean_of_the_middle_two() -> None:
    assert median_of([10, 21, 14, 19]) == "16.5"
    assert median_of([1, 3]) == "2.0"
    assert median_of([7]) == "7.0"
    assert median_of([]) == ""
    assert median_value(16.5) == "16.5"
    assert median_value(115.0) == "115.0"
    assert median_value(None) == ""


def test_requirement_comparison_is_exact() -> None:
    # 89.96 % is written 90.0 but does not reach 90
    assert share_value(8996, 10000) == "90.0"
    assert not share_at_least(8996, 10000, 90)
    assert share_at_least(9, 10, 90)
    assert share_at_least(9, 10, 90.0)
    assert not share_at_least(2, 3, 66.7)


def test_breakdown_strings() -> None:
    assert breakdown() == "ALL"
    assert breakdown(("grupp", "PLACERING"), ("alder", "0-6"), ("kon",
        "1")) == "grupp=PLACERING&alder=0-6&kon=1"
    assert parse_breakdown("grupp=ALL&kon=okant") == [("grupp", "ALL"), ("kon", "okant")]
    assert parse_breakdown("ALL") == []
    with pytest.raises(ValueError):
        breakdown(("enhet", "A & B"))
    assert free_name("Jour & Natt") == "Jour och Natt"
    assert free_name("a=b") == "a-b"
