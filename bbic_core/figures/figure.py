"""The long form of every figure: one row of `figures.csv`, the single source of every output."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

FIGURES_CSV_COLUMNS = (
    "report",
    "scope",
    "period_from",
    "period_to",
    "as_of",
    "measure",
    "breakdown",
    "value",
    "numerator",
    "denominator",
)
SUPPRESSED = ".."


class ReportKind(StrEnum):
    VERKSAMHET = "verksamhet"
    KLIENTGRUPP = "klientgrupp"
    LICENS = "licens"
    JAMFORELSE = "jamforelse"
    ARSRAPPORT = "arsrapport"


@dataclass(frozen=True, slots=True)
class Figure:
    report: str
    scope: str
    period_from: dt.date
    period_to: dt.date
    as_of: dt.date
    measure: str
    breakdown: str
    value: (
        str  # already formatted as the spec writes it ("66.7", "12", "2025-05-01", "J", "UPPFYLLT", "..", "")
    )
    numerator: str = ""
    denominator: str = ""

    def as_row(self) -> list[str]:
        return [
            self.report,
            self.scope,
            self.period_from.isoformat(),
            self.period_to.isoformat(),
            self.as_of.isoformat(),
            self.measure,
            self.breakdown,
            self.value,
            self.numerator,
            self.denominator,
        ]
