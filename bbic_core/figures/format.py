"""How a figure's value is written (reports.md, Conventions): shares, medians, counts, breakdowns.

Shares are rounded half up from the exact fraction with integer arithmetic, never through a
float: 1/16 is 6.25 % and is written 6.3, which binary floating point would not promise.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

ALL = "ALL"


def share_value(numerator: int, denominator: int) -> str:
    """`numerator / denominator × 100` half up to one decimal, always written; empty for denominator 0."""
    if denominator == 0:
        return ""
    if numerator < 0 or denominator < 0:
        raise ValueError("a share counts records: numerator and denominator are never negative")
    # tenths of a per cent, rounded half up: floor(x + 1/2) with x = 1000·n/d
    tenths = (2000 * numerator + denominator) // (2 * denominator)
    return f"{tenths // 10}.{tenths % 10}"


def decimal_one(value: Decimal | Fraction | int) -> str:
    """Any exact number written with one decimal, half up (away from zero on ties)."""
    if isinstance(value, Fraction):
        exact = Decimal(value.numerator) / Decimal(value.denominator)
    else:
        exact = Decimal(value)
    return str(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def median_value(median: float | Decimal | None) -> str:
    """A median from SQL (`median()` of whole days: an integer or a half) with one decimal; empty for none."""
    if median is None:
        return ""
    # Decimal(float) is exact, and the median of whole numbers is a multiple of 0.5: no rounding error.
    return decimal_one(Decimal(median))


def median_of(values: list[int]) -> str:
    """The median of whole numbers, the mean of the two middle ones for an even count; empty for none."""
    if not values:
        return ""
    ordered = sorted(values)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return decimal_one(ordered[mid])
    return decimal_one(Fraction(ordered[mid - 1] + ordered[mid], 2))


def share_at_least(numerator: int, denominator: int, percent: float | int | Decimal) -> bool:
    """`numerator / denominator × 100 ≥ percent`, compared exactly (requirements never use rounded shares)."""
    return Fraction(numerator * 100, denominator) >= Fraction(Decimal(str(percent)))


def free_name(text: str) -> str:
    """A free name fit for a breakdown value: `&` is written `och`, `=` becomes `-` (reports.md)."""
    return " ".join(text.replace("&", " och ").replace("=", "-").split())


def breakdown(*pairs: tuple[str, str]) -> str:
    """`key=value` pairs joined by `&` in the given order; `ALL` for a measure without dimensions."""
    if not pairs:
        return ALL
    for key, value in pairs:
        if any(ch in value for ch in "&=") or any(ch in key for ch in "&="):
            raise ValueError(f"a breakdown value may not hold & or =: {key}={value}")
    return "&".join(f"{key}={value}" for key, value in pairs)


def parse_breakdown(text: str) -> list[tuple[str, str]]:
    """The pairs of a breakdown string; [] for `ALL`."""
    if text == ALL:
        return []
    pairs: list[tuple[str, str]] = []
    for part in text.split("&"):
        key, sep, value = part.partition("=")
        if not sep:
            raise ValueError(f"not a breakdown: {text!r}")
        pairs.append((key, value))
    return pairs
