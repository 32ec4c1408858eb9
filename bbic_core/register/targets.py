"""The key indicators' targets (`settings.mal`, register.md) and their direction.

A `mal` entry replaces its indicator's default only; `null` removes the target. `mal` and
`grans` are numbers (0–100 for shares) with `grans` on the worse side of `mal` or equal to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Direction = Literal["higher", "lower"]

# Indicators a target may be set for: the direction that is better, and whether the value is a
# share (0–100) or a median in days (reports.md, report 4 "Key indicators").
TARGETABLE: Mapping[str, tuple[Direction, bool]] = {
    "A2.skydd_inom_1dag": ("higher", True),
    "A3.fhb_inom_14d": ("higher", True),
    "A5.utr_inom_4man": ("higher", True),
    "A5.utr_median_dagar": ("lower", False),
    "A8.vardplan": ("higher", True),
    "A9.overvagande_i_tid": ("higher", True),
    "A10.ateraktualiserade": ("lower", True),
    "C4.anvandare_utbildade": ("higher", True),
}
# Key indicators that can never carry a target: volumes, and C.krav (its status is fixed).
NO_TARGET = frozenset({"A1.aktualiseringar", "A4.utr_inledda", "A8.placerade_barn", "C.krav"})

Number = Annotated[float, Field(strict=True)]


class Target(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    mal: Number
    grans: Number


DEFAULT_TARGETS: Mapping[str, Target] = {
    "A2.skydd_inom_1dag": Target(mal=95, grans=80),
    "A3.fhb_inom_14d": Target(mal=90, grans=75),
    "A5.utr_inom_4man": Target(mal=90, grans=75),
    "A5.utr_median_dagar": Target(mal=90, grans=120),
    "A8.vardplan": Target(mal=95, grans=80),
    "A9.overvagande_i_tid": Target(mal=95, grans=80),
    "C4.anvandare_utbildade": Target(mal=100, grans=90),
}


def merged_targets(written: Mapping[str, Target | None]) -> dict[str, Target]:
    """The defaults with the register's entries laid over them; an entry set to null has no target."""
    out = dict(DEFAULT_TARGETS)
    for indicator, target in written.items():
        if target is None:
            out.pop(indicator, None)
        else:
            out[indicator] = target
    return out


def target_problems(written: Mapping[str, Target | None]) -> list[tuple[tuple[str, ...], str]]:
    """The register errors of `settings.mal`: (path of the key at fault, message)."""
    problems: list[tuple[tuple[str, ...], str]] = []
    for indicator, target in written.items():
        where = ("settings", "mal", indicator)
        if indicator in NO_TARGET:
            problems.append((where, f"{indicator} cannot have a target (a volume or C.krav)"))
            continue
        if indicator not in TARGETABLE:
            known = ", ".join(TARGETABLE)
            problems.append((where, f"unknown indicator {indicator!r} (targets may be set for {known})"))
            continue
        if target is None:
            continue
        direction, is_share = TARGETABLE[indicator]
        for key in ("mal", "grans"):
            value = getattr(target, key)
            if value < 0 or (is_share and value > 100):
                limit = "0–100 (a share in per cent)" if is_share else "0 or more (days)"
                problems.append(((*where, key), f"{value:g} is out of range: write {limit}"))
        if direction == "higher" and target.grans > target.mal:
            problems.append(((*where, "grans"), f"grans {target.grans:g} is above mal {target.mal:g}: "
                                                f"higher is better, so grans must be at most mal"))
        if direction == "lower" and target.grans < target.mal:
            problems.append(((*where, "grans"), f"grans {target.grans:g} is below mal {target.mal:g}: "
                                                f"lower is better, so grans must be at least mal"))
    return problems
