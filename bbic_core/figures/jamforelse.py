"""Report 4, jämförelse: districts side by side, against the targets and against themselves a year ago.

No measure is computed here. Each D1/D2 value is the unit's own report figure for that period, read
from the `ReportStore` (so it is the same object the unit's own report shows); only the pooled C4 and
C.krav of a network or the municipality are added up from the districts' licence rows. D1.status
compares with the register's targets, D3 takes the difference of the two written values.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from bbic_core.dates import add_months
from bbic_core.figures.disclosure import _share_hidden
from bbic_core.figures.figure import SUPPRESSED, Figure, ReportKind
from bbic_core.figures.format import ALL, breakdown, decimal_one, share_value
from bbic_core.figures.indicators import INDICATORS, Indicator
from bbic_core.figures.licens import EJ_UPPFYLLT, UPPFYLLT, Mode
from bbic_core.figures.periods import months_period
from bbic_core.figures.store import ReportStore
from bbic_core.register.targets import Target
from bbic_core.scopes import Period, Scope, ScopeLevel

GRON, GUL, ROD, SAKNAS = "GRON", "GUL", "ROD", "SAKNAS"
TERTIALS = 6
D_IDS = ("D1.nyckeltal", "D1.status", "D2.trend", "D3.forandring", "D3.avvikelse")


@dataclass(frozen=True, slots=True)
class Cell:
    """One indicator of one unit over one period, as written (value, numerator, denominator)."""

    value: str = ""
    numerator: str = ""
    denominator: str = ""
    krav: tuple[str, ...] = ()  # C.krav: the districts' `krav=ALL` codes (one for a district)

    @property
    def suppressed(self) -> bool:
        return self.value == SUPPRESSED


def units(store: ReportStore, scope: Scope, t: dt.date) -> list[Scope]:
    """The report's units in order: districts in force on `t`, networks in force on `t`, the municipality."""
    register = store.register
    municipality = Scope(ScopeLevel.MUNICIPALITY, register.municipality.code)
    if scope.level == ScopeLevel.MUNICIPALITY:
        districts = [d.code for d in register.districts_in_force(t)]
        networks = [n.code for n in register.networks if n.in_force(t)]
    elif scope.level == ScopeLevel.NETWORK:
        districts = register.districts_for_scope(scope, t)
        networks = [scope.code] if register.network(scope.code).in_force(t) else []
    else:
        districts = register.districts_for_scope(scope, t)
        network = register.network_of(scope.code, t)
        networks = [network] if network is not None else []
    return [*(Scope(ScopeLevel.DISTRICT, d) for d in districts),
            *(Scope(ScopeLevel.NETWORK, n) for n in networks), municipality]


def unit_code(unit: Scope) -> str:
    return unit.code


def tertials(t: dt.date) -> list[tuple[str, Period]]:
    """The tertial holding `t` and the five before it, oldest first, each cut at `t`: (label, period)."""
    year, index = t.year, (t.month - 1) // 4 + 1
    found: list[tuple[str, Period]] = []
    for _ in range(TERTIALS):
        whole = months_period(year, (index - 1) * 4 + 1, 4)
        found.append((f"{year}-T{index}", Period(whole.start, min(whole.end, t))))
        year, index = (year - 1, 3) if index == 1 else (year, index - 1)
    return found[::-1]


def year_before(period: Period, t: dt.date) -> Period:
    """`P′ = [from − 12 months, t − 12 months]` (29 February maps to 28 February)."""
    return Period(add_months(period.start, -12), add_months(t, -12))


class Comparison:
    """Reads report 4's cells from the store, in one mode."""

    def __init__(self, store: ReportStore, mode: Mode) -> None:
        self.store = store
        self.mode = mode

    def cell(self, unit: Scope, indicator: Indicator, period: Period) -> Cell:
        t = min(period.end, self.store.as_of)
        if indicator.licence:
            return self._licence_cell(unit, indicator, t)
        figure = self.store.figure(indicator.report, unit, period, self.mode,
                                   (indicator.id, indicator.breakdown))
        if figure is None:
            return Cell()
        return Cell(figure.value, figure.numerator, figure.denominator)

    def _licence_cell(self, unit: Scope, indicator: Indicator, d: dt.date) -> Cell:
        """C4 and C.krav at D: a district's own row of the licence check; a network or the municipality
        pooled over its districts in force on D (the municipality's check holds every one of them)."""
        store = self.store
        register = store.register
        municipality = Scope(ScopeLevel.MUNICIPALITY, register.municipality.code)
        if unit.level == ScopeLevel.DISTRICT:
            districts = [unit.code]
        elif unit.level == ScopeLevel.NETWORK:
            districts = register.districts_for_scope(unit, d)
        else:
            districts = [x.code for x in register.districts_in_force(d)]
        rows: list[Figure] = []
        for district in districts:
            key = (indicator.id, breakdown(("stadsdel", district), *(
                [("krav", ALL)] if indicator.kind == "krav" else [])))
            found = store.figure(ReportKind.LICENS, municipality, Period(d, d), "internal", key, as_of=d)
            if found is not None:
                rows.append(found)
        if unit.level == ScopeLevel.DISTRICT:
            if not rows:
                return Cell()
            row = rows[0]
            return Cell(row.value, row.numerator, row.denominator, (row.value,))
        if indicator.kind == "krav":
            met = sum(1 for r in rows if r.value == UPPFYLLT)
            return Cell(str(met), str(met), str(len(rows)), tuple(r.value for r in rows))
        numerator = sum(int(r.numerator) for r in rows)
        denominator = sum(int(r.denominator) for r in rows)
        if self.mode == "published" and _share_hidden(numerator, denominator, store.k):
            return Cell(SUPPRESSED, SUPPRESSED, SUPPRESSED)
        return Cell(share_value(numerator, denominator), str(numerator), str(denominator))


def status(indicator: Indicator, cell: Cell, target: Target | None, unit: Scope) -> str:
    """D1.status: GRON/GUL/ROD against the target, SAKNAS when the value is empty or suppressed."""
    if indicator.kind == "krav":
        if unit.level == ScopeLevel.DISTRICT:
            code = cell.krav[0] if cell.krav else ""
            return GRON if code == UPPFYLLT else ROD if code == EJ_UPPFYLLT else SAKNAS
        if not cell.krav:
            return SAKNAS
        if all(code == UPPFYLLT for code in cell.krav):
            return GRON
        return ROD if EJ_UPPFYLLT in cell.krav else SAKNAS
    if target is None:
        raise ValueError(f"{indicator.id} has no target")
    if cell.value in ("", SUPPRESSED):
        return SAKNAS
    # shares as exact fractions (like the requirements), a median at its written value
    if indicator.kind == "share":
        value = Fraction(int(cell.numerator) * 100, int(cell.denominator))
    else:
        value = Fraction(Decimal(cell.value))
    mal, grans = Fraction(Decimal(str(target.mal))), Fraction(Decimal(str(target.grans)))
    if indicator.better == "lower":
        return GRON if value <= mal else GUL if value <= grans else ROD
    return GRON if value >= mal else GUL if value >= grans else ROD


def change(indicator: Indicator, now: Cell, before: Cell) -> str:
    """D3.forandring: the difference of the two written values; empty when either is empty (there is no
    change to hide, even if the other is suppressed), `..` when either is suppressed, always empty for
    C.krav."""
    if indicator.kind == "krav":
        return ""
    if now.value == "" or before.value == "":
        return ""
    if now.suppressed or before.suppressed:
        return SUPPRESSED
    if indicator.kind == "count":
        return str(int(now.value) - int(before.value))
    return decimal_one(Decimal(now.value) - Decimal(before.value))  # "0.0", never "-0.0"


def _n(indicator: Indicator, cell: Cell) -> int:
    """The n of the threshold k: a share's denominator, a median's n, a count itself."""
    text = cell.value if indicator.kind == "count" else cell.denominator
    return int(text) if text.isdigit() else 0


def anomaly(indicator: Indicator, now: Cell, before: Cell, written_change: str, k: int, pp: float,
            andel: float) -> str:
    """D3.avvikelse: J when both periods have n ≥ k and the change reaches its threshold, else N."""
    if written_change == SUPPRESSED:
        return SUPPRESSED
    if indicator.kind == "krav" or written_change == "":
        return "N"
    if _n(indicator, now) < k or _n(indicator, before) < k:
        return "N"
    size = abs(Decimal(written_change))
    if indicator.kind == "share":
        return "J" if size >= Decimal(str(pp)) else "N"
    last = Decimal(before.value)
    if last <= 0:
        return "N"
    return "J" if size * 100 >= Decimal(str(andel)) * last else "N"


def compute_jamforelse(store: ReportStore, scope: Scope, period: Period, mode: Mode = "internal",
                       report: ReportKind = ReportKind.JAMFORELSE) -> list[Figure]:
    """Report 4 for `scope` over `period` as of the store's A, in the order reports.md gives."""
    comparison = Comparison(store, mode)
    a = store.as_of
    t = min(period.end, a)
    previous = year_before(period, t)
    chosen = units(store, scope, t)
    trend = tertials(t)
    settings = store.register.settings
    targets = settings.targets
    rows: dict[str, list[Figure]] = {i: [] for i in D_IDS}

    def add(measure: str, pairs: list[tuple[str, str]], value: str, numerator: str = "",
            denominator: str = "") -> None:
        rows[measure].append(Figure(report.value, str(scope), period.start, period.end, a, measure,
                                    breakdown(*pairs), value, numerator, denominator))

    for unit in chosen:
        for indicator in INDICATORS:
            here = [("enhet", unit_code(unit)), ("nyckeltal", indicator.id)]
            now = comparison.cell(unit, indicator, period)
            add("D1.nyckeltal", here, now.value, now.numerator, now.denominator)
            target = targets.get(indicator.id)
            if indicator.kind == "krav" or target is not None:
                add("D1.status", here, status(indicator, now, target, unit))
            for label, tertial in trend:
                cell = comparison.cell(unit, indicator, tertial)
                add("D2.trend", [*here, ("tertial", label)], cell.value, cell.numerator, cell.denominator)
            before = comparison.cell(unit, indicator, previous)
            written = change(indicator, now, before)
            add("D3.forandring", here, written)
            add("D3.avvikelse", here, anomaly(indicator, now, before, written, store.k,
                                              settings.avvikelse_pp, settings.avvikelse_andel))
    return [f for measure in D_IDS for f in rows[measure]]
