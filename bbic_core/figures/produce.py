"""The one compute-and-disclose step: requested reports → their figures as the chosen mode shows them.

The command line (`bbic report`), the nightly marts table and the library all call `produce_reports`:
one `ReportStore` per call computes every (report, scope, period) once, published figures are
suppressed together with every scope published the same day, and reports 4 and 5 read the very
figures the units' own reports show.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import duckdb

from bbic_core.figures.arsrapport import compute_arsrapport
from bbic_core.figures.disclosure import DEFAULT_K
from bbic_core.figures.figure import Figure, ReportKind
from bbic_core.figures.jamforelse import compute_jamforelse
from bbic_core.figures.licens import Mode
from bbic_core.figures.periods import months_period, standard_periods
from bbic_core.figures.report_context import ReportContext
from bbic_core.figures.store import ReportStore
from bbic_core.register import Register
from bbic_core.scopes import Period, Scope, ScopeLevel

LICENCE_PERIOD_NAME = "kontrolldag"
CURRENT_YEAR = "current_year"
PREVIOUS_YEAR = "previous_year"


@dataclass(frozen=True, slots=True)
class ReportRequest:
    """One document's report: kind, scope and period (for the licence check `Period(D, D)`)."""

    kind: ReportKind
    scope: Scope
    period: Period
    name: str = ""  # the standard set's period name (year_to_date, …); empty for one chosen by hand


@dataclass(frozen=True)
class ProducedReport:
    request: ReportRequest
    context: ReportContext
    figures: tuple[Figure, ...]


def produce_reports(con: duckdb.DuckDBPyConnection, register: Register, requests: Iterable[ReportRequest], *,
                    mode: Mode = "internal", as_of: dt.date | None = None, k: int = DEFAULT_K,
                    published_scopes: Iterable[Scope] | None = None,
                    store: ReportStore | None = None) -> list[ProducedReport]:
    """The figures of every requested report, in request order, exact (`internal`) or disclosure-
    controlled (`published`; `published_scopes`, default every scope in force on A, are the scopes
    published the same day). Pass `store` to share computed reports with a later call."""
    store = store or ReportStore(con, register, as_of=as_of, k=k, published_scopes=published_scopes)
    out: list[ProducedReport] = []
    for request in requests:
        kind, scope, period = request.kind, request.scope, request.period
        if kind == ReportKind.LICENS:
            d = period.end
            ctx = store.context(kind, scope, period, as_of=d)
            figures = store.internal(kind, scope, period, as_of=d, mode=mode)
        elif kind == ReportKind.JAMFORELSE:
            ctx = store.context(kind, scope, period)
            figures = compute_jamforelse(store, scope, period, mode)
        elif kind == ReportKind.ARSRAPPORT:
            ctx = store.context(kind, scope, period)
            figures = compute_arsrapport(store, scope, period, mode)
        else:
            ctx = store.context(kind, scope, period)
            figures = store.figures(kind, scope, period, mode)
        out.append(ProducedReport(request, ctx, tuple(figures)))
    return out


def standard_requests(register: Register, as_of: dt.date, scopes: Sequence[Scope], *,
                      licence: bool = True) -> list[ReportRequest]:
    """The nightly standard set of `as_of` for `scopes`: per scope, `verksamhet` and `klientgrupp` for
    each standard period and the licence check as of A; `jamforelse` for the municipality and each
    network over the standard periods; `arsrapport` for the previous and the current year (marked
    preliminär in its document) for every scope. Without `licence` (an invalid register) the reports
    that state licence figures (3, 4 and 5) are left out."""
    periods = standard_periods(as_of)
    years = {PREVIOUS_YEAR: months_period(as_of.year - 1, 1, 12),
             CURRENT_YEAR: months_period(as_of.year, 1, 12)}
    requests: list[ReportRequest] = []
    for scope in scopes:
        for name, period in periods.items():
            for kind in (ReportKind.VERKSAMHET, ReportKind.KLIENTGRUPP):
                requests.append(ReportRequest(kind, scope, period, name))
        if not licence:
            continue
        requests.append(ReportRequest(ReportKind.LICENS, scope, Period(as_of, as_of), LICENCE_PERIOD_NAME))
        if scope.level != ScopeLevel.DISTRICT:
            for name, period in periods.items():
                requests.append(ReportRequest(ReportKind.JAMFORELSE, scope, period, name))
        for name, year in years.items():
            requests.append(ReportRequest(ReportKind.ARSRAPPORT, scope, year, name))
    return requests
