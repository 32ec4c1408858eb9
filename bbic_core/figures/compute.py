"""The entry points: one report for one scope and period, or every report of several scopes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

import duckdb

from bbic_core.figures.disclosure import DEFAULT_K
from bbic_core.figures.figure import Figure, ReportKind
from bbic_core.figures.licens import Mode
from bbic_core.figures.periods import standard_periods
from bbic_core.figures.produce import ReportRequest, produce_reports
from bbic_core.figures.published import default_scopes
from bbic_core.figures.report_context import ReportContext, snapshot_meta
from bbic_core.figures.store import ReportStore
from bbic_core.register import Register
from bbic_core.scopes import Period, Scope

__all__ = ["compute_all", "compute_report", "compute_with_context", "default_scopes"]


def compute_report(con: duckdb.DuckDBPyConnection, register: Register, kind: ReportKind | str, scope: Scope,
                   period: Period, as_of: dt.date | None = None, mode: Mode = "internal",
                   k: int = DEFAULT_K) -> list[Figure]:
    """The figures of one report, exactly as `figures.csv` holds them. `as_of` overrides the export's
    as-of date A; for the licence report it is the check date D and `period` is not used (the window is
    W). `mode` = "published" applies disclosure control (reports 1, 2, 4, 5: together with every scope
    in force on A, as the archive publishes them) and leaves the licence check's user ids out."""
    kind = ReportKind(kind)
    if kind == ReportKind.LICENS:
        d = as_of or snapshot_meta(con).as_of
        request = ReportRequest(kind, scope, Period(d, d))
    else:
        request = ReportRequest(kind, scope, period)
    (produced,) = produce_reports(con, register, [request], mode=mode, as_of=as_of, k=k)
    return list(produced.figures)


def compute_with_context(con: duckdb.DuckDBPyConnection, register: Register, ctx: ReportContext,
                         mode: Mode = "internal") -> list[Figure]:
    """As `compute_report`, for a context already resolved (exact figures of reports 1–3)."""
    store = ReportStore(con, register, as_of=ctx.export_as_of)
    if ctx.kind == ReportKind.LICENS:
        return store.internal(ctx.kind, ctx.scope, ctx.period, as_of=ctx.as_of, mode=mode)
    if ctx.kind in (ReportKind.VERKSAMHET, ReportKind.KLIENTGRUPP):
        return store.internal(ctx.kind, ctx.scope, ctx.period, as_of=ctx.as_of)
    return compute_report(con, register, ctx.kind, ctx.scope, ctx.period, ctx.as_of, mode)


def compute_all(con: duckdb.DuckDBPyConnection, register: Register, scopes: Iterable[Scope] | None = None,
                periods: Mapping[str, Period] | None = None, as_of: dt.date | None = None,
                mode: Mode = "internal") -> list[Figure]:
    """Reports 1–3 for every scope: verksamhet and klientgrupp for each period (default: the standard
    periods of A), the licence check once per scope as of D = A (or `as_of`)."""
    a = as_of or snapshot_meta(con).as_of
    chosen_scopes = list(scopes) if scopes is not None else default_scopes(register, a)
    chosen_periods = periods if periods is not None else standard_periods(a)
    requests: list[ReportRequest] = []
    for scope in chosen_scopes:
        for period in chosen_periods.values():
            requests += [ReportRequest(kind, scope, period) for kind in (ReportKind.VERKSAMHET,
                                                                          ReportKind.KLIENTGRUPP)]
        requests.append(ReportRequest(ReportKind.LICENS, scope, Period(a, a)))
    produced = produce_reports(con, register, requests, mode=mode, as_of=as_of,
                               published_scopes=chosen_scopes)
    return [f for p in produced for f in p.figures]
