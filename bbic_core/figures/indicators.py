"""Report 4's key indicators (*nyckeltal*): which figure of which report each one is, and its direction.

Report 4 adds no measure of its own for a district: every indicator is read from the unit's own
report (reports.md, report 4), so this table only says where to find it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bbic_core.figures.figure import ReportKind
from bbic_core.figures.format import ALL

IndicatorKind = Literal["count", "share", "median", "krav"]
Better = Literal["higher", "lower", "volume", "fixed"]


@dataclass(frozen=True, slots=True)
class Indicator:
    id: str  # the `nyckeltal` value, also the measure id in the unit's own report
    kind: IndicatorKind
    better: Better
    report: ReportKind = ReportKind.VERKSAMHET
    breakdown: str = ALL  # the figure's breakdown in the unit's own report

    @property
    def licence(self) -> bool:
        """Read from the licence check at D = t (the look-back window plays no part)."""
        return self.report == ReportKind.LICENS


INDICATORS: tuple[Indicator, ...] = (
    Indicator("A1.aktualiseringar", "count", "volume", breakdown="typ=ALL"),
    Indicator("A2.skydd_inom_1dag", "share", "higher"),
    Indicator("A3.fhb_inom_14d", "share", "higher"),
    Indicator("A4.utr_inledda", "count", "volume"),
    Indicator("A5.utr_inom_4man", "share", "higher"),
    Indicator("A5.utr_median_dagar", "median", "lower"),
    Indicator("A8.placerade_barn", "count", "volume"),
    Indicator("A8.vardplan", "share", "higher"),
    Indicator("A9.overvagande_i_tid", "share", "higher"),
    Indicator("A10.ateraktualiserade", "share", "lower"),
    Indicator("C4.anvandare_utbildade", "share", "higher", ReportKind.LICENS),
    Indicator("C.krav", "krav", "fixed", ReportKind.LICENS, breakdown="krav=ALL"),
)
BY_NYCKELTAL = {i.id: i for i in INDICATORS}
