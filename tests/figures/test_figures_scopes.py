"""Scopes, modes and dates beyond the key test: networks add up, published mode, a past check date."""

from __future__ import annotations

import datetime as dt

import duckdb
from figures_fixture import A

from bbic_core.figures import compute_all, compute_report
from bbic_core.figures.figure import Figure, ReportKind
from bbic_core.register import Register
from bbic_core.scopes import Period, Scope, ScopeLevel

P = Period(dt.date(2025, 1, 1), dt.date(2025, 6, 30))
NORR = Scope(ScopeLevel.DISTRICT, "norr")
SODER = Scope(ScopeLevel.DISTRICT, "soder")
NAT = Scope(ScopeLevel.NETWORK, "testnat")


def values(figures: list[Figure]) -> dict[tuple[str, str], Figure]:
    return {(f.measure, f.breakdown): f for f in figures}


def test_network_counts_are_the_sum_of_its_districts(con: duckdb.DuckDBPyConnection,
                                                     register: Register) -> None:
    for kind in (ReportKind.VERKSAMHET, ReportKind.KLIENTGRUPP):
        norr = values(compute_report(con, register, kind, NORR, P))
        soder = values(compute_report(con, register, kind, SODER, P))
        nat = values(compute_report(con, register, kind, NAT, P))
        for key, f in nat.items():
            distinct_children = key[0] in ("A1.barn", "A8.placerade_barn", "B1.utredda_barn",
                                            "B4.barn_med_insats")
            if f.numerator == "" and f.denominator == "" and f.value.isdigit() and not distinct_children:
                total = sum(int(s[key].value) for s in (norr, soder) if key in s)
                assert int(f.value) == total, key
    nat = values(compute_report(con, register, ReportKind.VERKSAMHET, NAT, P))
    # soder adds AK10 (2025-02-01); A9 adds I9's review due 2025-03-01, made in time (D14)
    assert nat[("A1.aktualiseringar", "typ=ALL")].value == "8"
    a9 = nat[("A9.overvagande_i_tid", "ALL")]
    assert (a9.numerator, a9.denominator) == ("3", "4")


def test_network_licence_report_has_a_section_per_district(con: duckdb.DuckDBPyConnection,
                                                           register: Register) -> None:
    figures = compute_report(con, register, ReportKind.LICENS, NAT, P)
    assert {f.scope for f in figures} == {"natverk:testnat"}
    assert {f.breakdown.split("&")[0] for f in figures} == {"stadsdel=norr", "stadsdel=soder"}
    summary = [f for f in figures if f.measure == "C.krav" and f.breakdown.endswith("krav=ALL")]
    assert [(f.breakdown, f.value) for f in summary] == [
        ("stadsdel=norr&krav=ALL", "EJ_UPPFYLLT"), ("stadsdel=soder&krav=ALL", "EJ_UPPFYLLT")]


def test_published_licence_report_lists_no_user_ids(con: duckdb.DuckDBPyConnection,
                                                    register: Register) -> None:
    internal = compute_report(con, register, ReportKind.LICENS, NORR, P)
    published = compute_report(con, register, ReportKind.LICENS, NORR, P, mode="published")
    assert any("handlaggare_id=" in f.breakdown for f in internal)
    assert not any("handlaggare_id=" in f.breakdown for f in published)
    assert values(published)[("C4.utan_utbildning", "stadsdel=norr")].value == "3"
    assert len(internal) - len(published) == 3


def test_a_past_check_date_ignores_later_records(con: duckdb.DuckDBPyConnection,
                                                 register: Register) -> None:
    d = dt.date(2025, 1, 31)  # W = [2024-02-01, 2025-01-31]
    v = values(compute_report(con, register, ReportKind.LICENS, NORR, P, as_of=d))
    assert {f.as_of for f in v.values()} == {d}
    # active on D: N1, N2, N3, N4; trained on D: N1, N2 (N3 only from 2025-03-01)
    assert (v[("C4.anvandare_utbildade", "stadsdel=norr")].numerator,
            v[("C4.anvandare_utbildade", "stadsdel=norr")].denominator) == ("2", "4")
    # ANMALAN/ANSOKAN in W: AK1, AK2, AK5, AK6, AK12 (AK4 of 2025-05-20 is after D)
    assert v[("C5.formular", "stadsdel=norr&dokument=ANMALAN_ANSOKAN")].denominator == "5"
    # norr closed no investigation in W (U4, of 2025-02-28, is the first after D): no data
    assert v[("C5.formular", "stadsdel=norr&dokument=UTREDNING")].value == ""
    # reviews due in W up to D: I1 2025-01-01 (in time, form), I8 2024-07-01 (in time, form)
    assert v[("C5.formular", "stadsdel=norr&dokument=OVERVAGANDE_OMPROVNING")].value == "100.0"
    # N3 worked untrained on AK1 (2025-01-10); N4 on U9 (2025-01-15); N5 on AK6
    assert v[("C4.utan_utbildning", "stadsdel=norr")].value == "3"


def test_period_ending_before_as_of_uses_its_end_as_t(con: duckdb.DuckDBPyConnection,
                                                      register: Register) -> None:
    q1 = Period(dt.date(2025, 1, 1), dt.date(2025, 3, 31))
    v = values(compute_report(con, register, ReportKind.VERKSAMHET, NORR, q1))
    # ongoing at t = 2025-03-31: U1, U2, U3, U9, U10 (U4 and U5 closed before; U11 and U13 began later)
    assert v[("A4.utr_pagaende", "ALL")].value == "5"
    assert [k[1] for k in v if k[0] == "A1.aktualiseringar_manad"] == [
        "manad=2025-01", "manad=2025-02", "manad=2025-03"]


def test_compute_all_covers_every_scope_and_report(con: duckdb.DuckDBPyConnection,
                                                   register: Register) -> None:
    figures = compute_all(con, register, periods={"h1": P})
    assert {(f.report, f.scope) for f in figures} == {
        (report, scope) for report in ("verksamhet", "klientgrupp", "licens")
        for scope in ("kommun:0999", "natverk:testnat", "stadsdel:norr", "stadsdel:soder", "stadsdel:ost")}
    assert {f.as_of for f in figures} == {A}
