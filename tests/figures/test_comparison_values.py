"""Reports 4 and 5 on the key test's snapshot (figures_fixture.py, A = 2025-06-15), hand-computed.

D1.status at each boundary, D3.avvikelse at its thresholds and with small n, tertials cut at t,
C.krav counted for a network, the units and the row order, and report 5's extra rows.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from figures_fixture import EXPORT_ID, A

from bbic_core.figures import ReportKind, compute_report
from bbic_core.figures.figure import Figure
from bbic_core.figures.format import parse_breakdown
from bbic_core.figures.indicators import BY_NYCKELTAL, INDICATORS
from bbic_core.figures.jamforelse import Cell, anomaly, change, status, tertials, year_before
from bbic_core.register import Register
from bbic_core.register.targets import Target
from bbic_core.scopes import Period, Scope, ScopeLevel

P = Period(dt.date(2025, 1, 1), dt.date(2025, 6, 30))
KOMMUN = Scope(ScopeLevel.MUNICIPALITY, "0999")
NAT = Scope(ScopeLevel.NETWORK, "testnat")
NORR = Scope(ScopeLevel.DISTRICT, "norr")
SHARE, MEDIAN, COUNT, KRAV = (BY_NYCKELTAL[i] for i in ("A5.utr_inom_4man", "A5.utr_median_dagar",
                                                         "A1.aktualiseringar", "C.krav"))
LOWER_SHARE = BY_NYCKELTAL["A10.ateraktualiserade"]


def rows(figures: list[Figure], measure: str) -> dict[str, Figure]:
    return {f.breakdown: f for f in figures if f.measure == measure}


# --- D1.status: the boundaries ---------------------------------------------------------------------------

@pytest.mark.parametrize(("numerator", "denominator", "expected"), [
    (9, 10, "GRON"),     # exactly at mal 90
    (3, 4, "GUL"),       # exactly at grans 75
    (74, 100, "ROD"),    # just below grans
    (233, 259, "GUL"),   # 89.96 %, written 90.0, is below mal 90 as an exact fraction
    (10, 10, "GRON"),
])
def test_status_higher_is_better_compares_exact_fractions(numerator: int, denominator: int,
                                                          expected: str) -> None:
    from bbic_core.figures.format import share_value

    cell = Cell(share_value(numerator, denominator), str(numerator), str(denominator))
    assert status(SHARE, cell, Target(mal=90, grans=75), NORR) == expected


def test_status_exact_fraction_below_a_grans_written_as_it() -> None:
    # reports.md: 233 of 259 = 89.96 % is below a grans of 90 although it is written 90.0
    assert status(SHARE, Cell("90.0", "233", "259"), Target(mal=95, grans=90), NORR) == "ROD"


@pytest.mark.parametrize(("value", "expected"), [
    ("90.0", "GRON"),    # exactly at mal 90 days
    ("89.5", "GRON"),
    ("90.5", "GUL"),
    ("120.0", "GUL"),    # exactly at grans 120
    ("120.5", "ROD"),
])
def test_status_lower_is_better_median_at_written_value(value: str, expected: str) -> None:
    assert status(MEDIAN, Cell(value, "", "8"), Target(mal=90, grans=120), NORR) == expected


def test_status_lower_is_better_share() -> None:
    target = Target(mal=10, grans=20)
    assert status(LOWER_SHARE, Cell("10.0", "1", "10"), target, NORR) == "GRON"
    assert status(LOWER_SHARE, Cell("20.0", "2", "10"), target, NORR) == "GUL"
    assert status(LOWER_SHARE, Cell("30.0", "3", "10"), target, NORR) == "ROD"


def test_status_empty_or_suppressed_is_saknas() -> None:
    assert status(SHARE, Cell("", "0", "0"), Target(mal=90, grans=75), NORR) == "SAKNAS"
    assert status(SHARE, Cell("..", "..", ".."), Target(mal=90, grans=75), NORR) == "SAKNAS"


def test_status_c_krav_district_and_pooled() -> None:
    assert status(KRAV, Cell("UPPFYLLT", krav=("UPPFYLLT",)), None, NORR) == "GRON"
    assert status(KRAV, Cell("EJ_UPPFYLLT", krav=("EJ_UPPFYLLT",)), None, NORR) == "ROD"
    assert status(KRAV, Cell("UNDERLAG_SAKNAS", krav=("UNDERLAG_SAKNAS",)), None, NORR) == "SAKNAS"
    assert status(KRAV, Cell("2", "2", "2", ("UPPFYLLT", "UPPFYLLT")), None, NAT) == "GRON"
    assert status(KRAV, Cell("1", "1", "2", ("UPPFYLLT", "EJ_UPPFYLLT")), None, NAT) == "ROD"
    assert status(KRAV, Cell("1", "1", "2", ("UPPFYLLT", "UNDERLAG_SAKNAS")), None, NAT) == "SAKNAS"
    assert status(KRAV, Cell("0", "0", "0"), None, NAT) == "SAKNAS"  # no district in force


def test_no_target_means_no_status_row(con: duckdb.DuckDBPyConnection, register: Register) -> None:
    figures = compute_report(con, register, "jamforelse", NORR, P)
    statuses = {parse_breakdown(b)[1][1] for b in rows(figures, "D1.status")}
    # the defaults: no target for the volumes or A10; C.krav always has its status
    assert statuses == {"A2.skydd_inom_1dag", "A3.fhb_inom_14d", "A5.utr_inom_4man", "A5.utr_median_dagar",
                        "A8.vardplan", "A9.overvagande_i_tid", "C4.anvandare_utbildade", "C.krav"}
    # a target set to null removes it; one set for A10 adds it
    mal = {"A2.skydd_inom_1dag": None, "A10.ateraktualiserade": Target(mal=10, grans=20)}
    settings = register.settings.model_copy(update={"mal": mal})
    changed = register.model_copy(update={"settings": settings})
    figures = compute_report(con, changed, "jamforelse", NORR, P)
    statuses = {parse_breakdown(b)[1][1] for b in rows(figures, "D1.status")}
    assert "A2.skydd_inom_1dag" not in statuses and "A10.ateraktualiserade" in statuses
    # norr's A10 over P: 3 of 7 = 42.9 % > grans 20 → ROD
    assert rows(figures, "D1.status")["enhet=norr&nyckeltal=A10.ateraktualiserade"].value == "ROD"


def test_status_on_the_fixture(con: duckdb.DuckDBPyConnection, register: Register) -> None:
    figures = compute_report(con, register, "jamforelse", NORR, P)
    d1, st = rows(figures, "D1.nyckeltal"), rows(figures, "D1.status")
    # norr: 5 of 6 closed within four months = 83.3 %: between grans 75 and mal 90
    key = "enhet=norr&nyckeltal=A5.utr_inom_4man"
    assert (d1[key].value, st[key].value) == ("83.3", "GUL")
    # median 108.5 days: above mal 90, within grans 120
    assert st["enhet=norr&nyckeltal=A5.utr_median_dagar"].value == "GUL"
    # A2: 1 of 3 → 33.3 % < 80
    assert st["enhet=norr&nyckeltal=A2.skydd_inom_1dag"].value == "ROD"


# --- D3 ----------------------------------------------------------------------------------------------------

def test_change_is_the_difference_of_written_values() -> None:
    assert change(SHARE, Cell("66.7", "2", "3"), Cell("50.0", "1", "2")) == "16.7"
    assert change(SHARE, Cell("50.0", "1", "2"), Cell("66.7", "2", "3")) == "-16.7"
    assert change(SHARE, Cell("50.0", "1", "2"), Cell("50.0", "2", "4")) == "0.0"  # never -0.0
    assert change(COUNT, Cell("7"), Cell("12")) == "-5"
    assert change(MEDIAN, Cell("108.5", "", "6"), Cell("80.0", "", "1")) == "28.5"
    assert change(SHARE, Cell("", "0", "0"), Cell("50.0", "1", "2")) == ""
    assert change(SHARE, Cell("..", "..", ".."), Cell("50.0", "5", "10")) == ".."
    assert change(SHARE, Cell("..", "..", ".."), Cell("", "0", "0")) == ""  # no change to hide
    assert change(KRAV, Cell("UPPFYLLT"), Cell("UPPFYLLT")) == ""


def _anomaly(indicator: object, now: Cell, before: Cell, k: int = 5) -> str:
    from bbic_core.figures.indicators import Indicator

    assert isinstance(indicator, Indicator)
    return anomaly(indicator, now, before, change(indicator, now, before), k, 15, 30)


@pytest.mark.parametrize(("now", "before", "expected"), [
    (Cell("65.0", "13", "20"), Cell("50.0", "10", "20"), "J"),    # exactly 15 points
    (Cell("64.9", "649", "1000"), Cell("50.0", "10", "20"), "N"),  # 14.9 points
    (Cell("35.0", "7", "20"), Cell("50.0", "10", "20"), "J"),      # −15: the absolute value counts
    (Cell("100.0", "4", "4"), Cell("0.0", "0", "20"), "N"),        # n = 4 < k this year
    (Cell("100.0", "5", "5"), Cell("0.0", "0", "4"), "N"),         # n = 4 < k last year
    (Cell("100.0", "5", "5"), Cell("0.0", "0", "5"), "J"),         # both n = k
    (Cell("", "0", "0"), Cell("50.0", "10", "20"), "N"),           # no change written
])
def test_anomaly_of_a_share(now: Cell, before: Cell, expected: str) -> None:
    assert _anomaly(SHARE, now, before) == expected


@pytest.mark.parametrize(("now", "before", "expected"), [
    (Cell("13"), Cell("10"), "J"),   # +30 % of last year's 10: exactly at avvikelse_andel
    (Cell("12"), Cell("10"), "N"),   # +20 %
    (Cell("7"), Cell("10"), "J"),    # −30 %
    (Cell("4"), Cell("10"), "N"),    # n = 4 < k this year
    (Cell("9"), Cell("0"), "N"),     # last year 0: no share of it
])
def test_anomaly_of_a_count(now: Cell, before: Cell, expected: str) -> None:
    assert _anomaly(COUNT, now, before) == expected


def test_anomaly_of_a_median_and_of_c_krav() -> None:
    assert _anomaly(MEDIAN, Cell("130.0", "", "5"), Cell("100.0", "", "5")) == "J"
    assert _anomaly(MEDIAN, Cell("129.5", "", "5"), Cell("100.0", "", "5")) == "N"
    assert _anomaly(MEDIAN, Cell("130.0", "", "5"), Cell("100.0", "", "4")) == "N"  # small n
    assert _anomaly(KRAV, Cell("UPPFYLLT"), Cell("EJ_UPPFYLLT")) == "N"
    assert _anomaly(SHARE, Cell("..", "..", ".."), Cell("50.0", "10", "20")) == ".."


# --- periods --------------------------------------------------------------------------------------------

def test_tertials_are_cut_at_t() -> None:
    found = tertials(dt.date(2025, 6, 15))
    assert [label for label, _ in found] == ["2023-T3", "2024-T1", "2024-T2", "2024-T3", "2025-T1", "2025-T2"]
    assert found[0][1] == Period(dt.date(2023, 9, 1), dt.date(2023, 12, 31))
    assert found[-1][1] == Period(dt.date(2025, 5, 1), dt.date(2025, 6, 15))
    # t on a tertial's last day: the whole tertial, and whatever `from` is
    whole = Period(dt.date(2024, 9, 1), dt.date(2024, 12, 31))
    assert tertials(dt.date(2024, 12, 31))[-1] == ("2024-T3", whole)


def test_year_before_maps_29_february() -> None:
    assert year_before(Period(dt.date(2024, 2, 29), dt.date(2024, 6, 30)), dt.date(2024, 6, 15)) == Period(
        dt.date(2023, 2, 28), dt.date(2023, 6, 15))
    assert year_before(P, A) == Period(dt.date(2024, 1, 1), dt.date(2024, 6, 15))


def test_d2_rows_carry_the_tertials(con: duckdb.DuckDBPyConnection, register: Register) -> None:
    figures = compute_report(con, register, "jamforelse", NORR, P)
    d2 = [f for f in figures if f.measure == "D2.trend"]
    labels = [dict(parse_breakdown(f.breakdown))["tertial"] for f in d2[:6]]
    assert labels == ["2023-T3", "2024-T1", "2024-T2", "2024-T3", "2025-T1", "2025-T2"]
    # the last tertial over [2025-05-01, t]: the district's own verksamhet of that period
    own = compute_report(con, register, "verksamhet", NORR, Period(dt.date(2025, 5, 1), A))
    a1 = next(f for f in own if f.measure == "A1.aktualiseringar" and f.breakdown == "typ=ALL")
    trend = rows(figures, "D2.trend")["enhet=norr&nyckeltal=A1.aktualiseringar&tertial=2025-T2"]
    assert trend.value == a1.value


# --- C.krav and C4 of a network ----------------------------------------------------------------------------

def test_c_krav_and_c4_counted_for_a_network(con: duckdb.DuckDBPyConnection, register: Register) -> None:
    figures = compute_report(con, register, "jamforelse", NAT, P)
    d1, st = rows(figures, "D1.nyckeltal"), rows(figures, "D1.status")
    # at D = t = A: norr EJ_UPPFYLLT (R4, R5), soder EJ_UPPFYLLT (R2, R3, R4): 0 of the 2 districts
    assert [(f.value, f.numerator, f.denominator) for f in (d1["enhet=norr&nyckeltal=C.krav"],
                                                              d1["enhet=testnat&nyckeltal=C.krav"])] == [
        ("EJ_UPPFYLLT", "", ""), ("0", "0", "2")]
    assert st["enhet=testnat&nyckeltal=C.krav"].value == "ROD"
    # the municipality: its three districts in force (ost UNDERLAG_SAKNAS)
    city = d1["enhet=0999&nyckeltal=C.krav"]
    assert (city.value, city.denominator) == ("0", "3")
    # C4 pooled: norr 3 of 4 trained, soder 0 of 3 → 3 of 7 = 42.9
    c4 = d1["enhet=testnat&nyckeltal=C4.anvandare_utbildade"]
    assert (c4.value, c4.numerator, c4.denominator) == ("42.9", "3", "7")
    assert rows(figures, "D3.forandring")["enhet=testnat&nyckeltal=C.krav"].value == ""
    assert rows(figures, "D3.avvikelse")["enhet=testnat&nyckeltal=C.krav"].value == "N"


# --- units, columns and order -------------------------------------------------------------------------------

@pytest.mark.parametrize(("scope", "units"), [
    (KOMMUN, ["norr", "soder", "ost", "testnat", "0999"]),
    (NAT, ["norr", "soder", "testnat", "0999"]),
    (NORR, ["norr", "testnat", "0999"]),
    (Scope(ScopeLevel.DISTRICT, "ost"), ["ost", "0999"]),  # in no network
])
def test_units_and_order(con: duckdb.DuckDBPyConnection, register: Register, scope: Scope,
                         units: list[str]) -> None:
    figures = compute_report(con, register, "jamforelse", scope, P)
    assert {(f.report, f.scope, f.period_from, f.period_to, f.as_of) for f in figures} == {
        ("jamforelse", str(scope), P.start, P.end, A)}
    ids = ["D1.nyckeltal", "D1.status", "D2.trend", "D3.forandring", "D3.avvikelse"]
    assert [f.measure for f in figures] == sorted((f.measure for f in figures), key=ids.index)
    d1 = [dict(parse_breakdown(f.breakdown)) for f in figures if f.measure == "D1.nyckeltal"]
    assert [(b["enhet"], b["nyckeltal"]) for b in d1] == [(u, i.id) for u in units for i in INDICATORS]
    assert all(list(b) == ["enhet", "nyckeltal"] for b in d1)
    n = len(units) * len(INDICATORS)
    counts = {m: sum(f.measure == m for f in figures) for m in ids}
    assert counts == {"D1.nyckeltal": n, "D1.status": len(units) * 8, "D2.trend": 6 * n, "D3.forandring": n,
                      "D3.avvikelse": n}


def test_d3_on_the_fixture(con: duckdb.DuckDBPyConnection, register: Register) -> None:
    figures = compute_report(con, register, "jamforelse", NORR, P)
    before = compute_report(con, register, "verksamhet", NORR,
                            Period(dt.date(2024, 1, 1), dt.date(2024, 6, 15)))
    a1_before = next(f for f in before if f.measure == "A1.aktualiseringar" and f.breakdown == "typ=ALL")
    a1_now = rows(figures, "D1.nyckeltal")["enhet=norr&nyckeltal=A1.aktualiseringar"]
    d3 = rows(figures, "D3.forandring")["enhet=norr&nyckeltal=A1.aktualiseringar"]
    assert int(d3.value) == int(a1_now.value) - int(a1_before.value)
    assert (d3.numerator, d3.denominator) == ("", "")


# --- report 5 -----------------------------------------------------------------------------------------------

def test_arsrapport_rows(con: duckdb.DuckDBPyConnection, register: Register) -> None:
    year = Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    figures = compute_report(con, register, "arsrapport", KOMMUN, year, mode="internal")
    assert {f.report for f in figures} == {"arsrapport"}
    d_rows = [f for f in figures if f.measure.startswith("D")]
    four = compute_report(con, register, "jamforelse", KOMMUN, year)
    assert [(f.measure, f.breakdown, f.value, f.numerator, f.denominator) for f in d_rows] == [
        (f.measure, f.breakdown, f.value, f.numerator, f.denominator) for f in four]
    # report 3 at D = A (the year has not ended), with W and D as report 3 writes them
    licence = [f for f in figures if f.measure.startswith("C")]
    own = compute_report(con, register, "licens", KOMMUN, year, as_of=A)
    assert [(f.measure, f.breakdown, f.value, f.period_from, f.period_to, f.as_of) for f in licence] == [
        (f.measure, f.breakdown, f.value, f.period_from, f.period_to, f.as_of) for f in own]
    e = {(f.measure, f.breakdown): f for f in figures if f.measure.startswith("E")}
    assert all((f.period_from, f.period_to, f.as_of) == (year.start, year.end, A) for f in e.values())
    assert next(iter(e)) == ("E1.karantan", "regel=ALL")
    total = con.execute("SELECT count(*) FROM quarantine WHERE export_id = ?", [EXPORT_ID]).fetchone()
    assert total is not None
    assert int(e[("E1.karantan", "regel=ALL")].value) <= int(total[0])
    assert ("E2.okand_handlaggare", "ALL") in e
    # the order: report 4, then report 3, then E
    kinds = ["D" if f.measure[0] == "D" else "C" if f.measure[0] == "C" else "E" for f in figures]
    assert kinds == sorted(kinds, key="DCE".index)


def test_arsrapport_is_published_by_default_and_lists_no_user_ids(con: duckdb.DuckDBPyConnection,
                                                                 register: Register) -> None:
    year = Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    figures = compute_report(con, register, ReportKind.ARSRAPPORT, KOMMUN, year, mode="published")
    assert not [f for f in figures if "handlaggare_id=" in f.breakdown]
    assert any(f.value == ".." for f in figures if f.measure == "D1.nyckeltal")


def test_e1_per_rule_hand_counted(con: duckdb.DuckDBPyConnection, register: Register) -> None:
    year = Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    figures = compute_report(con, register, "arsrapport", NORR, year, mode="internal")
    e1 = {f.breakdown: f.value for f in figures if f.measure == "E1.karantan"}
    # the fixture's current export: Norr (V003), no stadsdel (V035, V013), xyz (V003), norr (V002) are
    # in scope or unreadable; soder (V020) and the earlier export are not
    assert e1["regel=ALL"] == "5"
    assert {k: v for k, v in e1.items() if v != "0"} == {
        "regel=ALL": "5", "regel=V003": "2", "regel=V035": "1", "regel=V002": "1", "regel=V013": "1"}


def test_e1_a_row_breaking_several_rules_counts_once_under_each(register: Register) -> None:
    from audit_db import Db

    db = Db()
    db.con.execute("INSERT INTO quarantine VALUES (?, 'aktualisering.csv', 3, 'norr', "
                   "['V003', 'V005', 'V003'], '{}')", [EXPORT_ID])
    figures = compute_report(db.con, register, "arsrapport", NORR, Period(dt.date(2025, 1, 1),
                                                                            dt.date(2025, 12, 31)))
    e1 = {f.breakdown: f.value for f in figures if f.measure == "E1.karantan"}
    assert (e1["regel=ALL"], e1["regel=V003"], e1["regel=V005"]) == ("1", "1", "1")
