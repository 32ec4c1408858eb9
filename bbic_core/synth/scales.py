"""The sizes `bbic synth` can generate, from a few hundred children to millions of rows.

Volumes are set by aktualiseringar per year (Stockholm receives about 40,000 a year); every
other file follows from the case chain. `sweden-10y` keeps Stockholm's 14 districts and
municipality code at ten times the volume (see docs/decisions.md), so that the built-in
register stays valid and every district/network scope of the reports is exercised at scale.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Scale:
    name: str
    years: int  # length of the history window ending at the as-of date
    aktualiseringar_per_year: int  # target for all districts together (approximate)
    district_count: int | None  # None: every district of the register
    description: str


SCALES: dict[str, Scale] = {
    s.name: s
    for s in (
        Scale("demo", 2, 260, 2, "2 districts of one network, two years, a few hundred children"),
        Scale("stockholm-1y", 1, 40_000, None,
              "Stockholm's 14 districts, one year (about 40,000 aktualiseringar)"),
        Scale("stockholm-10y", 10, 40_000, None, "Stockholm's 14 districts, ten years"),
        Scale("sweden-10y", 10, 400_000, None,
              "ten times Stockholm's volume over ten years, in its 14 districts"),
    )
}


def get_scale(name: str) -> Scale:
    try:
        return SCALES[name]
    except KeyError:
        raise ValueError(f"unknown scale {name!r}; choose one of {', '.join(SCALES)}") from None
