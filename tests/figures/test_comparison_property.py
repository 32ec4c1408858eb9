"""Property: report 4 never disagrees with the units' own reports.

For random registers (network membership, targets, thresholds), scopes, periods and modes, every D1
and D2 row equals the unit's own report figure of that period (value, numerator, denominator; C4 and
C.krav pooled from the districts' own licence checks at D), D3.forandring is the difference of the two
periods' figures as written, and in published mode a cell is suppressed exactly when the unit's own
published report suppresses it. The unit's own reports are computed afresh with `compute_report`,
independently of the store report 4 reads from.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from typing import Literal

import duckdb
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from bbic_core.dates import add_months
from bbic_core.figures import compute_report
from bbic_core.figures.figure import SUPPRESSED, Figure
from bbic_core.figures.format import parse_breakdown, share_value
from bbic_core.figures.indicators import BY_NYCKELTAL
from bbic_core.register import Network, Register
from bbic_core.register.targets import Target
from bbic_core.scopes import Period, Scope, ScopeLevel

A = dt.date(2025, 6, 15)
Mode = Literal["internal", "published"]
MEMBERS = [["norr", "soder"], ["norr"], ["soder", "ost"], None]  # None: no network at all


@st.composite
def registers(draw: st.DrawFn, base: Register) -> Register:
    members = draw(st.sampled_from(MEMBERS))
    networks = [] if members is None else [Network(code="testnat", name="Testnätverket", districts=members)]
    mal = draw(st.integers(50, 100))
    targets = {"A5.utr_inom_4man": Target(mal=mal, grans=draw(st.integers(0, mal))),
               "A10.ateraktualiserade": Target(mal=10, grans=30)}
    settings_ = base.settings.model_copy(update={
        "mal": targets, "avvikelse_pp": draw(st.sampled_from([5.0, 15.0, 50.0])),
        "avvikelse_andel": draw(st.sampled_from([10.0, 30.0]))})
    return base.model_copy(update={"networks": networks, "settings": settings_})


def _scope_of(register: Register, code: str) -> Scope:
    if code == register.municipality.code:
        return Scope(ScopeLevel.MUNICIPALITY, code)
    if any(n.code == code for n in register.networks):
        return Scope(ScopeLevel.NETWORK, code)
    return Scope(ScopeLevel.DISTRICT, code)


class OwnReports:
    """The units' own reports, each computed afresh once per example."""

    def __init__(self, con: duckdb.DuckDBPyConnection, register: Register, mode: Mode) -> None:
        self.con, self.register, self.mode = con, register, mode
        self.cache: dict[tuple[str, Scope, Period], dict[tuple[str, str], Figure]] = {}

    def report(self, kind: str, scope: Scope, period: Period, as_of: dt.date | None = None
               ) -> dict[tuple[str, str], Figure]:
        key = (kind, scope, period)
        if key not in self.cache:
            mode: Mode = self.mode if kind == "verksamhet" else "internal"
            figures = compute_report(self.con, self.register, kind, scope, period, as_of, mode=mode)
            self.cache[key] = {(f.measure, f.breakdown): f for f in figures}
        return self.cache[key]

    def cell(self, unit: Scope, nyckeltal: str, period: Period) -> tuple[str, str, str]:
        indicator = BY_NYCKELTAL[nyckeltal]
        if not indicator.licence:
            figure = self.report("verksamhet", unit, period)[(indicator.id, indicator.breakdown)]
            return figure.value, figure.numerator, figure.denominator
        d = min(period.end, A)
        if unit.level == ScopeLevel.DISTRICT:
            districts = [unit.code] if self.register.district(unit.code).in_force(d) else []
        elif unit.level == ScopeLevel.NETWORK:
            districts = self.register.districts_for_scope(unit, d)
        else:
            districts = [x.code for x in self.register.districts_in_force(d)]
        own = []
        for code in districts:
            licence = self.report("licens", Scope(ScopeLevel.DISTRICT, code), Period(d, d), as_of=d)
            suffix = "&krav=ALL" if indicator.kind == "krav" else ""
            own.append(licence[(indicator.id, f"stadsdel={code}{suffix}")])
        if unit.level == ScopeLevel.DISTRICT:
            return (own[0].value, own[0].numerator, own[0].denominator) if own else ("", "", "")
        if indicator.kind == "krav":
            met = str(sum(f.value == "UPPFYLLT" for f in own))
            return met, met, str(len(own))
        num, den = sum(int(f.numerator) for f in own), sum(int(f.denominator) for f in own)
        hidden = den >= 1 and (den < 5 or 1 <= num < 5 or 1 <= den - num < 5)
        if self.mode == "published" and hidden:
            return SUPPRESSED, SUPPRESSED, SUPPRESSED
        return share_value(num, den), str(num), str(den)


def _difference(kind: str, now: str, before: str) -> str:
    if kind == "krav" or "" in (now, before):
        return ""
    if SUPPRESSED in (now, before):
        return SUPPRESSED
    if kind == "count":
        return str(int(now) - int(before))
    tenths = Fraction(Decimal(now)) * 10 - Fraction(Decimal(before)) * 10
    assert tenths.denominator == 1
    sign = "-" if tenths < 0 else ""
    whole = abs(tenths.numerator)
    return f"{sign}{whole // 10}.{whole % 10}"


def _tertial(label: str, t: dt.date) -> Period:
    year, part = int(label[:4]), int(label[-1])
    first = dt.date(year, (part - 1) * 4 + 1, 1)
    last = add_months(first, 4) - dt.timedelta(days=1)
    return Period(first, min(last, t))


# few examples, no shrinking: each one computes dozens of reports twice (the suite must stay quick)
@settings(max_examples=3, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_every_d_row_is_the_units_own_figure(con: duckdb.DuckDBPyConnection, register: Register,
                                            data: st.DataObject) -> None:
    reg = data.draw(registers(register))
    mode: Mode = data.draw(st.sampled_from(["internal", "published"]))
    codes = ["0999", "norr", "soder", "ost", *(n.code for n in reg.networks)]
    scope = _scope_of(reg, data.draw(st.sampled_from(codes)))
    start = data.draw(st.dates(dt.date(2023, 1, 1), dt.date(2025, 6, 1)))
    end = data.draw(st.dates(start, dt.date(2025, 12, 31)))
    period = Period(start, end)
    t = min(end, A)
    before = Period(add_months(start, -12), add_months(t, -12))

    figures = compute_report(con, reg, "jamforelse", scope, period, mode=mode)
    own = OwnReports(con, reg, mode)
    d1: dict[tuple[str, str], Figure] = {}
    for figure in figures:
        pairs = dict(parse_breakdown(figure.breakdown))
        unit = _scope_of(reg, pairs["enhet"])
        nyckeltal = pairs["nyckeltal"]
        shown = (figure.value, figure.numerator, figure.denominator)
        if figure.measure == "D1.nyckeltal":
            assert shown == own.cell(unit, nyckeltal, period), figure
            d1[(pairs["enhet"], nyckeltal)] = figure
        elif figure.measure == "D2.trend":
            assert shown == own.cell(unit, nyckeltal, _tertial(pairs["tertial"], t)), figure
        elif figure.measure == "D3.forandring":
            now = d1[(pairs["enhet"], nyckeltal)].value
            assert figure.value == _difference(BY_NYCKELTAL[nyckeltal].kind, now,
                                               own.cell(unit, nyckeltal, before)[0]), figure
        elif figure.measure == "D1.status" and d1[(pairs["enhet"], nyckeltal)].value in ("", SUPPRESSED):
            assert figure.value == "SAKNAS"
        elif figure.measure == "D3.avvikelse" and nyckeltal == "C.krav":
            assert figure.value == "N"
