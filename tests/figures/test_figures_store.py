"""The store computes each report once; report 1 of many districts in one grouped pass equals each
district's report computed alone."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from audit_db import Db

from bbic_core.figures import ReportKind, ReportStore
from bbic_core.figures.report_context import report_context
from bbic_core.figures.verksamhet import compute_verksamhet
from bbic_core.register import Register
from bbic_core.scopes import Period, Scope, ScopeLevel

DISTRICTS = [Scope(ScopeLevel.DISTRICT, code) for code in ("norr", "soder", "ost")]


@pytest.mark.parametrize("period", [
    Period(dt.date(2025, 1, 1), dt.date(2025, 6, 30)),
    Period(dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
    Period(dt.date(2025, 5, 1), dt.date(2025, 6, 15)),
    Period(dt.date(2023, 9, 1), dt.date(2023, 12, 31)),
])
def test_grouped_report_1_equals_each_district_alone(con: duckdb.DuckDBPyConnection, register: Register,
                                                     period: Period) -> None:
    store = ReportStore(con, register)
    for district in DISTRICTS:
        ctx = report_context(con, register, ReportKind.VERKSAMHET, district, period)
        assert store.internal(ReportKind.VERKSAMHET, district, period) == compute_verksamhet(con, ctx).figures
    assert store.computed == 1  # one grouped pass for the three districts


def test_grouped_pass_on_random_rows(register: Register) -> None:
    import random

    rng = random.Random(7)
    db = Db()
    for i in range(120):
        district = rng.choice(["norr", "soder", "ost"])
        inkom = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(560))
        db.add("aktualisering", aktualisering_id=f"AK{i}", barn_id=f"B{rng.randrange(30)}", stadsdel=district,
               typ=rng.choice(["ANMALAN", "INFORMATION", "ANSOKAN"]), inkom_datum=inkom,
               skyddsbedomning_datum=inkom + dt.timedelta(days=rng.randrange(3)),
               forhandsbedomning_datum=(inkom + dt.timedelta(days=rng.randrange(30))) if rng.random() < .7
               else None, forhandsbedomning_beslut="INLEDA")
        if rng.random() < 0.6:
            inledd = inkom + dt.timedelta(days=rng.randrange(20))
            closed = inledd + dt.timedelta(days=rng.randrange(200))
            db.add("utredning", utredning_id=f"U{i}", barn_id=f"B{rng.randrange(30)}", stadsdel=district,
                   inledd_datum=inledd, avslutad_datum=closed if closed <= dt.date(2025, 6, 15) else None)
        if rng.random() < 0.3:
            db.add("insats", insats_id=f"I{i}", barn_id=f"B{rng.randrange(30)}", stadsdel=district,
                   beslut_datum=inkom, start_datum=inkom)
    period = Period(dt.date(2025, 1, 1), dt.date(2025, 6, 30))
    store = ReportStore(db.con, register)
    for district in DISTRICTS:
        ctx = report_context(db.con, register, ReportKind.VERKSAMHET, district, period)
        alone = compute_verksamhet(db.con, ctx).figures
        assert store.internal(ReportKind.VERKSAMHET, district, period) == alone


SCOPES = [Scope(ScopeLevel.MUNICIPALITY, "0999"), Scope(ScopeLevel.NETWORK, "testnat"), *DISTRICTS]


@pytest.mark.parametrize("seed", [3, 11])
@pytest.mark.parametrize("kind", [ReportKind.VERKSAMHET, ReportKind.KLIENTGRUPP])
def test_grouped_pass_of_every_scope_equals_each_scope_alone(register: Register, seed: int,
                                                             kind: ReportKind) -> None:
    """The municipality and the network share their districts' rows in one grouped pass; each scope's
    report is still exactly its own (a row counts once in every scope whose districts hold it)."""
    from test_audit_random import build

    from bbic_core.figures.klientgrupp import compute_klientgrupp

    db = build(seed)[0]
    alone = {ReportKind.VERKSAMHET: compute_verksamhet, ReportKind.KLIENTGRUPP: compute_klientgrupp}[kind]
    periods = [Period(dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
               Period(dt.date(2025, 1, 1), dt.date(2025, 6, 30)),
               Period(dt.date(2023, 7, 1), dt.date(2024, 6, 30))]
    store = ReportStore(db.con, register)
    for period in periods:
        for scope in SCOPES:
            ctx = report_context(db.con, register, kind, scope, period)
            figures = store.internal(kind, scope, period)
            assert figures == alone(db.con, ctx).figures
            if scope.code != "ost":  # the random rows are all of norr and söder
                assert any(f.value not in ("0", "", "0.0") for f in figures)
    assert store.computed == len(periods)  # one pass per period for all five scopes


def test_licence_check_of_every_scope_from_the_citys_equals_each_scope_alone(con: duckdb.DuckDBPyConnection,
                                                                              register: Register) -> None:
    """The store cuts every scope's licence check out of the city's at the same D; each is still exactly
    the check computed for that scope alone, in both modes."""
    from bbic_core.figures.licens import compute_licens

    days = [dt.date(2025, 6, 15), dt.date(2024, 12, 31), dt.date(2025, 3, 31)]
    store = ReportStore(con, register)
    for d in days:
        for mode in ("internal", "published"):
            for scope in SCOPES:
                ctx = report_context(con, register, ReportKind.LICENS, scope, Period(d, d), d)
                figures = store.internal(ReportKind.LICENS, scope, Period(d, d), as_of=d, mode=mode)
                assert figures == compute_licens(con, register, ctx, mode).figures
                assert {f.scope for f in figures} <= {str(scope)}
            city = store.internal(ReportKind.LICENS, SCOPES[0], Period(d, d), as_of=d, mode=mode)
            assert any(f.measure == "C4.anvandare" and f.value != "0" for f in city)
    assert store.computed == len(days) * 2  # the city's check once per check date and mode


def test_headers_sharing_their_counts_equal_headers_counted_alone(con: duckdb.DuckDBPyConnection,
                                                                   register: Register) -> None:
    """One `HeaderCounts` for every header of a connection: each header as if counted on its own."""
    from bbic_core.figures.report_context import HeaderCounts

    counts = HeaderCounts(con)
    periods = [Period(dt.date(2025, 1, 1), dt.date(2025, 6, 30)),
               Period(dt.date(2024, 1, 1), dt.date(2024, 12, 31))]
    seen = set()
    for kind in ReportKind:
        for scope in SCOPES:
            for period in periods:
                for as_of in (None, dt.date(2024, 12, 31)):
                    shared = report_context(con, register, kind, scope, period, as_of, counts=counts)
                    assert shared == report_context(con, register, kind, scope, period, as_of)
                    seen.add((shared.quarantined, shared.unknown_user_records))
    assert len(seen) > 2  # the headers differ: the counts are not one cached number
