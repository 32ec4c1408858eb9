"""What a report states besides its figures: districts, dates, quarantine, unknown users, notes."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from figures_fixture import EXPORT_ID, A

from bbic_core.figures import NoSnapshotError, create_snapshot_schema, report_context
from bbic_core.figures.figure import ReportKind
from bbic_core.register import Register
from bbic_core.scopes import Period, Scope, ScopeLevel

P = Period(dt.date(2025, 1, 1), dt.date(2025, 6, 30))
NORR = Scope(ScopeLevel.DISTRICT, "norr")
NAT = Scope(ScopeLevel.NETWORK, "testnat")
KOMMUN = Scope(ScopeLevel.MUNICIPALITY, "0999")


def test_district_context(con: duckdb.DuckDBPyConnection, register: Register) -> None:
    ctx = report_context(con, register, ReportKind.VERKSAMHET, NORR, P)
    assert ctx.export_id == EXPORT_ID
    assert ctx.as_of == ctx.export_as_of == A
    assert ctx.t == A  # min(2025-06-30, A)
    assert ctx.scope_name == "Norr"
    assert ctx.districts == ("norr",)
    assert ctx.unknown_user_records is None
    assert ctx.notes == ()


@pytest.mark.parametrize(("kind", "scope", "expected"), [
    # aktualisering "Norr " (trimmed, lower-cased), dokument without stadsdel, insats "xyz" (no district)
    (ReportKind.VERKSAMHET, NORR, 3),
    # aktualisering "Norr ", insats "xyz", barn without stadsdel
    (ReportKind.KLIENTGRUPP, NORR, 3),
    # aktualisering, dokument, insats, and personal "norr"
    (ReportKind.LICENS, NORR, 4),
    # the network also holds utredning "soder"
    (ReportKind.VERKSAMHET, NAT, 4),
    (ReportKind.LICENS, KOMMUN, 5),
])
def test_quarantined_rows_in_scope_or_unreadable(con: duckdb.DuckDBPyConnection, register: Register,
                                                 kind: ReportKind, scope: Scope, expected: int) -> None:
    # the row of the older export never counts
    assert report_context(con, register, kind, scope, P).quarantined == expected


@pytest.mark.parametrize(("scope", "expected"), [
    (NORR, 1),  # AK4 names X9
    (NAT, 1),
    (KOMMUN, 2),  # and D15, a document without an intervention (no district)
])
def test_unknown_users_in_the_licence_report(con: duckdb.DuckDBPyConnection, register: Register, scope: Scope,
                                             expected: int) -> None:
    ctx = report_context(con, register, ReportKind.LICENS, scope, P)
    assert ctx.unknown_user_records == expected
    assert ctx.period == Period(dt.date(2024, 6, 16), A)  # W; the period argument is not used


def test_network_and_municipality_districts(con: duckdb.DuckDBPyConnection, register: Register) -> None:
    assert report_context(con, register, ReportKind.VERKSAMHET, NAT, P).districts == ("norr", "soder")
    assert report_context(con, register, ReportKind.VERKSAMHET, NAT, P).scope_name == "Testnätverket"
    kommun = report_context(con, register, ReportKind.KLIENTGRUPP, KOMMUN, P)
    assert kommun.districts == ("norr", "soder", "ost")
    assert kommun.scope_name == "Testkommun"


def test_a_past_licence_check_says_staff_has_no_history(con: duckdb.DuckDBPyConnection,
                                                        register: Register) -> None:
    d = dt.date(2025, 1, 31)
    ctx = report_context(con, register, ReportKind.LICENS, NORR, P, as_of=d)
    assert ctx.as_of == d
    assert ctx.period == Period(dt.date(2024, 2, 1), d)
    assert len(ctx.notes) == 1 and "2025-01-31" in ctx.notes[0] and "historik" in ctx.notes[0]
    assert report_context(con, register, ReportKind.LICENS, NORR, P).notes == ()


def test_no_snapshot(register: Register) -> None:
    with duckdb.connect() as empty:
        create_snapshot_schema(empty)
        with pytest.raises(NoSnapshotError):
            report_context(empty, register, ReportKind.VERKSAMHET, NORR, P)
