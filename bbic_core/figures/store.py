"""Every report figure of one snapshot and as-of date, each computed once and reused.

Reports 4 and 5 read other reports' figures (a unit's own report for P, P′ and six tertials, the
licence check at several dates), and the nightly set asks for the same reports again and again:
`ReportStore` computes each (report, scope, period) once with the existing report functions and
hands out that same result, so a figure shown in two documents can never differ.

In published mode the figures of reports 1 and 2 are disclosure-controlled together with every
other scope published the same day (`published_scopes`), exactly as the archive publishes them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import replace

import duckdb

from bbic_core.figures.disclosure import DEFAULT_K, apply_disclosure
from bbic_core.figures.figure import Figure, ReportKind
from bbic_core.figures.klientgrupp import compute_klientgrupp, compute_klientgrupp_grouped
from bbic_core.figures.licens import Mode, compute_licens_sections
from bbic_core.figures.published import default_scopes, scope_hierarchy
from bbic_core.figures.report_context import HeaderCounts, ReportContext, report_context
from bbic_core.figures.verksamhet import compute_verksamhet, compute_verksamhet_grouped
from bbic_core.register import Register
from bbic_core.scopes import Period, Scope, ScopeLevel

FigureKey = tuple[str, str]  # (measure, breakdown)
_BASE_KINDS = (ReportKind.VERKSAMHET, ReportKind.KLIENTGRUPP, ReportKind.LICENS)
_GROUPED = {ReportKind.VERKSAMHET: compute_verksamhet_grouped,
            ReportKind.KLIENTGRUPP: compute_klientgrupp_grouped}


class ReportStore:
    """The figures of reports 1–3 for any scope and period of one snapshot, computed at most once."""

    def __init__(self, con: duckdb.DuckDBPyConnection, register: Register, *, as_of: dt.date | None = None,
                 k: int = DEFAULT_K, published_scopes: Iterable[Scope] | None = None) -> None:
        self.con = con
        self.register = register
        self.counts = HeaderCounts(con)  # every header of the store counts the snapshot once
        self.meta = self.counts.meta()
        self.as_of = as_of or self.meta.as_of  # A
        self.k = k
        self.published_scopes = (list(published_scopes) if published_scopes is not None
                                 else default_scopes(register, self.as_of))
        self._contexts: dict[tuple[ReportKind, Scope, Period, dt.date], ReportContext] = {}
        self._internal: dict[tuple[ReportKind, Scope, Period, dt.date, Mode], list[Figure]] = {}
        self._published: dict[tuple[ReportKind, Period, frozenset[Scope]], dict[str, list[Figure]]] = {}
        self._lookup: dict[tuple[ReportKind, Scope, Period, dt.date | None, Mode],
                           dict[FigureKey, Figure]] = {}
        self._licence_sections: dict[tuple[dt.date, Mode], dict[str, list[Figure]]] = {}
        self.computed = 0  # reports actually computed (the rest came from the store)

    # --- contexts and exact figures ----------------------------------------------------------------

    def context(self, kind: ReportKind, scope: Scope, period: Period, as_of: dt.date | None = None
                ) -> ReportContext:
        """The report's header facts; for the licence check `as_of` is D (default A) and `period` unused."""
        a = as_of or self.as_of
        key = (kind, scope, Period(a, a) if kind == ReportKind.LICENS else period, a)
        found = self._contexts.get(key)
        if found is None:
            found = report_context(self.con, self.register, kind, scope, period, a, counts=self.counts)
            self._contexts[key] = found
        return found

    def internal(self, kind: ReportKind, scope: Scope, period: Period, as_of: dt.date | None = None,
                 mode: Mode = "internal") -> list[Figure]:
        """The exact figures of report 1, 2 or 3 (`mode` only leaves the licence check's user ids out)."""
        if kind not in _BASE_KINDS:
            raise ValueError(f"{kind} is made from other reports' figures, not stored")
        ctx = self.context(kind, scope, period, as_of)
        licence_mode: Mode = mode if kind == ReportKind.LICENS else "internal"
        key = (kind, scope, ctx.period, ctx.as_of, licence_mode)
        found = self._internal.get(key)
        if found is None and kind in _GROUPED:
            self._grouped(kind, scope, ctx.period, ctx.as_of)
            found = self._internal.get(key)
        if found is None:
            if kind == ReportKind.LICENS:
                found = self._licence(ctx, licence_mode)
            else:
                self.computed += 1
                compute = compute_verksamhet if kind == ReportKind.VERKSAMHET else compute_klientgrupp
                found = compute(self.con, ctx).figures
            self._internal[key] = found
        return found

    def _licence(self, ctx: ReportContext, mode: Mode) -> list[Figure]:
        """The licence check of `ctx` from the city's check at the same D (`compute_licens_sections`): its
        districts' sections, in `ctx`'s order, with `ctx`'s scope; one computation per D and mode."""
        key = (ctx.as_of, mode)
        sections = self._licence_sections.get(key)
        if sections is None:
            city = Scope(ScopeLevel.MUNICIPALITY, self.register.municipality.code)
            whole = self.context(ReportKind.LICENS, city, ctx.period, ctx.as_of)
            self.computed += 1
            sections = compute_licens_sections(self.con, self.register, whole, mode)
            self._licence_sections[key] = sections
        if not set(ctx.districts) <= sections.keys():  # the city's check judges every district in force
            raise ValueError(f"{ctx.scope}'s districts are not all in the city's check as of {ctx.as_of}")
        scope = str(ctx.scope)
        return [f if f.scope == scope else replace(f, scope=scope)
                for district in ctx.districts for f in sections[district]]

    def _grouped(self, kind: ReportKind, scope: Scope, period: Period, as_of: dt.date) -> None:
        """Report 1 or 2 of every scope published with `scope` (and of `scope`) over `period` at once:
        the same queries grouped by scope, each row counted in every scope whose districts hold it
        (`compute_verksamhet_grouped`, `compute_klientgrupp_grouped`), one pass instead of one per
        scope. A scope that covers no district in force is left to itself."""
        wanted = list(self.published_scopes)
        if scope not in wanted:
            wanted.append(scope)
        contexts: dict[str, ReportContext] = {}
        for one in wanted:
            if (kind, one, period, as_of, "internal") in self._internal:
                continue
            ctx = self.context(kind, one, period, as_of)
            if ctx.districts:
                contexts[str(one)] = ctx
        if not contexts:
            return
        self.computed += 1
        for out in _GROUPED[kind](self.con, contexts).values():
            ctx = out.ctx
            exact: Mode = "internal"
            self._internal[(kind, ctx.scope, ctx.period, ctx.as_of, exact)] = out.figures

    # --- published figures ---------------------------------------------------------------------------

    def published(self, kind: ReportKind, scope: Scope, period: Period) -> list[Figure]:
        """Report 1 or 2 of `scope` as published: suppressed together with every scope published the
        same day (a scope outside that set is added to the pool it is published with)."""
        extra = frozenset() if scope in self.published_scopes else frozenset({scope})
        key = (kind, period, extra)
        pool = self._published.get(key)
        if pool is None:
            scopes = [*self.published_scopes, *sorted(extra, key=str)]
            figures = [f for s in scopes for f in self.internal(kind, s, period)]
            published = apply_disclosure(figures, self.k,
                                         hierarchy=scope_hierarchy(self.register, scopes, period.end))
            pool = {}
            for figure in published:
                pool.setdefault(figure.scope, []).append(figure)
            self._published[key] = pool
        return pool.get(str(scope), [])

    def figures(self, kind: ReportKind, scope: Scope, period: Period, mode: Mode,
                as_of: dt.date | None = None) -> list[Figure]:
        """Report 1, 2 or 3 as the given mode shows it (the licence check is never suppressed)."""
        if mode == "published" and kind != ReportKind.LICENS:
            return self.published(kind, scope, period)
        return self.internal(kind, scope, period, as_of, mode)

    def figure(self, kind: ReportKind, scope: Scope, period: Period, mode: Mode, key: FigureKey,
               as_of: dt.date | None = None) -> Figure | None:
        """One figure of a report by (measure, breakdown); None when the report has no such row."""
        lookup_key = (kind, scope, period, as_of, mode)
        index = self._lookup.get(lookup_key)
        if index is None:
            index = {(f.measure, f.breakdown): f for f in self.figures(kind, scope, period, mode, as_of)}
            self._lookup[lookup_key] = index
        return index.get(key)
