"""The entry points: one report for one scope and period, or every report the pipeline publishes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

import duckdb

from bbic_core.figures.context import ReportContext, report_context, snapshot_meta
from bbic_core.figures.klientgrupp import compute_klientgrupp
from bbic_core.figures.licens import Mode, compute_licens
from bbic_core.figures.model import Figure, Period, ReportKind, Scope, ScopeLevel
from bbic_core.figures.periods import standard_periods
from bbic_core.figures.verksamhet import compute_verksamhet
from bbic_core.register import Register


def compute_report(con: duckdb.DuckDBPyConnection, register: Register, kind: ReportKind | str, scope: Scope,
                   period: Period, as_of: dt.date | None = None, mode: Mode = "internal") -> list[Figure]:
    """The figures of one report, exactly as `figures.csv` holds them (exact values: disclosure control
    is applied afterwards). `as_of` overrides the export's as-of date A; for the licence report it is
    the check date D and `period` is not used (the window is W). `mode` = "published" leaves the user
    ids out of C4.utan_utbildning."""
    kind = ReportKind(kind)
    ctx = report_context(con, register, kind, scope, period, as_of)
    return compute_with_context(con, register, ctx, mode)


def compute_with_context(con: duckdb.DuckDBPyConnection, register: Register, ctx: ReportContext,
                         mode: Mode = "internal") -> list[Figure]:
    """As `compute_report`, for a context already resolved (the documents show both)."""
    if ctx.kind == ReportKind.VERKSAMHET:
        return compute_verksamhet(con, ctx).figures
    if ctx.kind == ReportKind.KLIENTGRUPP:
        return compute_klientgrupp(con, ctx).figures
    return compute_licens(con, register, ctx, mode).figures


def default_scopes(register: Register, on: dt.date) -> list[Scope]:
    """The municipality, every network and every district in force on `on`."""
    scopes = [Scope(ScopeLevel.MUNICIPALITY, register.municipality.code)]
    scopes += [Scope(ScopeLevel.NETWORK, n.code) for n in register.networks if n.in_force(on)]
    scopes += [Scope(ScopeLevel.DISTRICT, d.code) for d in register.districts_in_force(on)]
    return scopes


def compute_all(con: duckdb.DuckDBPyConnection, register: Register, scopes: Iterable[Scope] | None = None,
                periods: Mapping[str, Period] | None = None, as_of: dt.date | None = None,
                mode: Mode = "internal") -> list[Figure]:
    """Every report for every scope: verksamhet and klientgrupp for each period (default: the standard
    periods of A), the licence check once per scope as of D = A (or `as_of`)."""
    a = as_of or snapshot_meta(con).as_of
    chosen_scopes = list(scopes) if scopes is not None else default_scopes(register, a)
    chosen_periods = periods if periods is not None else standard_periods(a)
    figures: list[Figure] = []
    for scope in chosen_scopes:
        for period in chosen_periods.values():
            for kind in (ReportKind.VERKSAMHET, ReportKind.KLIENTGRUPP):
                figures += compute_report(con, register, kind, scope, period, as_of, mode)
        figures += compute_report(con, register, ReportKind.LICENS, scope, Period(a, a), as_of, mode)
    return figures
