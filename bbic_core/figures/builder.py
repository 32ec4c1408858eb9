"""Computed numbers as `Figure` rows of one report, scope and period, written as the spec writes them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from bbic_core.figures.figure import Figure
from bbic_core.figures.format import median_value, share_value
from bbic_core.figures.measures import MEASURES
from bbic_core.figures.report_context import ReportContext


class FigureList:
    """The figures of one report in the order they are added (the catalogue's and the code lists')."""

    def __init__(self, ctx: ReportContext) -> None:
        self.ctx = ctx
        self.figures: list[Figure] = []

    def _add(self, measure: str, breakdown: str, value: str, numerator: str = "",
             denominator: str = "") -> None:
        ctx = self.ctx
        self.figures.append(Figure(
            report=ctx.kind.value, scope=str(ctx.scope), period_from=ctx.period.start,
            period_to=ctx.period.end, as_of=ctx.as_of, measure=measure, breakdown=breakdown, value=value,
            numerator=numerator, denominator=denominator,
        ))

    def count(self, measure: str, breakdown: str, n: int) -> None:
        self._add(measure, breakdown, str(int(n)))

    def share(self, measure: str, breakdown: str, numerator: int, denominator: int) -> None:
        self._add(measure, breakdown, share_value(int(numerator), int(denominator)), str(int(numerator)),
                  str(int(denominator)))

    def median(self, measure: str, breakdown: str, median: float | Decimal | None, n: int) -> None:
        self._add(measure, breakdown, median_value(median) if n else "", "", str(int(n)))

    def value(self, measure: str, breakdown: str, value: str | dt.date | bool | None) -> None:
        if value is None:
            text = ""
        elif isinstance(value, bool):
            text = "J" if value else "N"
        elif isinstance(value, dt.date):
            text = value.isoformat()
        else:
            text = value
        self._add(measure, breakdown, text)

    def sort_by_catalogue(self) -> FigureList:
        """Catalogue order of measure ids; within a measure the order figures were added (stable sort)."""
        self.figures.sort(key=lambda f: _ORDER[f.measure])
        return self


_ORDER = {m.id: i for i, m in enumerate(MEASURES)}
