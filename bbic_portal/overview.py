"""The Översikt table and the licence-check table, computed from the current snapshot.

`overview_table` is the one function the Översikt page asks for its rows: today the key figures of
reports 1–3 for year to date; once report 4 (`jamforelse`) is in the library its D1 table takes
its place here. Figures are computed once per export (and per check day) for every scope, in both
modes (published ones disclosure-controlled across all scopes, as the archive does), and each
user is shown each scope in the mode `may_read` gives.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import duckdb

from bbic_core.documents.archive import hierarchy, scope_names
from bbic_core.figures import (
    Figure,
    Period,
    ReportKind,
    Scope,
    ScopeLevel,
    compute_with_context,
    default_scopes,
    report_context,
    standard_periods,
)
from bbic_core.figures.disclosure import DEFAULT_K, apply_disclosure
from bbic_core.register import Register
from bbic_portal.access import Mode, document, may_read
from bbic_portal.roles import Role
from bbic_portal.snapshot import Snapshot

# (report, measure, breakdown, column header)
KEY_FIGURES: tuple[tuple[ReportKind, str, str, str], ...] = (
    (ReportKind.VERKSAMHET, "A1.aktualiseringar", "typ=ALL", "Aktualiseringar"),
    (ReportKind.VERKSAMHET, "A4.utr_inledda", "ALL", "Inledda utredningar"),
    (ReportKind.VERKSAMHET, "A5.utr_inom_4man", "ALL", "Utredningar klara inom 4 mån (%)"),
    (ReportKind.KLIENTGRUPP, "B4.barn_med_insats", "grupp=ALL&alder=ALL&kon=ALL", "Barn med insats"),
)
KRAV = ("R1", "R2", "R3", "R4", "R5")
STATUS_TEXT = {
    "UPPFYLLT": "✔ Uppfyllt",
    "EJ_UPPFYLLT": "✘ Ej uppfyllt",
    "UNDERLAG_SAKNAS": "– Underlag saknas",
}
LEVEL_ORDER = {ScopeLevel.MUNICIPALITY: 0, ScopeLevel.NETWORK: 1, ScopeLevel.DISTRICT: 2}


@dataclass(frozen=True)
class OverviewRow:
    scope: Scope
    name: str
    mode: Mode
    values: tuple[str, ...]
    licence: str  # C.krav ALL as words and a symbol
    own: bool  # one of the user's own scopes (listed first)


@dataclass(frozen=True)
class LicenceRow:
    district: str
    name: str
    statuses: tuple[str, ...]  # R1..R5 and ALL, codes
    warning: str  # a trial licence ending soon without an application, in words; "" otherwise


@dataclass
class _Computed:
    export_id: str
    as_of: dt.date
    period: Period
    by_mode: dict[str, dict[tuple[str, str, str], str]]  # mode → (scope, measure, breakdown) → value
    licence: list[Figure]


def _compute(
    con: duckdb.DuckDBPyConnection,
    register: Register,
    export_id: str,
    as_of: dt.date,
    kinds: Sequence[ReportKind],
    period: Period,
    scopes: Sequence[Scope],
) -> list[Figure]:
    figures: list[Figure] = []
    for kind in kinds:
        for scope in scopes:
            rc = report_context(con, register, kind, scope, period, as_of)
            figures.extend(compute_with_context(con, register, rc, "internal"))
    return figures


class Overview:
    """Figures per export (and check day), computed once; while a new export's are being computed, other
    requests get the previous export's (the page names the export and date it shows)."""

    MAX_ENTRIES = 32

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self._cache: dict[tuple[str, str], _Computed] = {}
        self._latest: dict[str, _Computed] = {}  # check day → the newest result for it
        self._locks: dict[tuple[str, str], threading.Lock] = {}
        self._guard = threading.Lock()

    def computed(self, register: Register, licence_day: dt.date | None = None) -> _Computed:
        day = licence_day.isoformat() if licence_day else ""
        with self.snapshot.connect() as (con, current):
            key = (current.export_id, day)
            with self._guard:
                found = self._cache.get(key)
                if found is not None:
                    return found
                stale = self._latest.get(day)
                lock = self._locks.setdefault(key, threading.Lock())
            if not lock.acquire(blocking=stale is None):
                assert stale is not None
                return stale
            try:
                with self._guard:
                    found = self._cache.get(key)
                if found is not None:
                    return found
                result = self._make(con, register, current.export_id, current.as_of, licence_day)
                with self._guard:
                    kept = {k: v for k, v in self._cache.items() if k[0] == current.export_id}
                    self._cache = dict(list(kept.items())[-self.MAX_ENTRIES :])
                    self._cache[key] = result
                    self._latest[day] = result
                    self._locks = {k: v for k, v in self._locks.items() if k[0] == current.export_id}
                return result
            finally:
                lock.release()

    def _make(
        self,
        con: duckdb.DuckDBPyConnection,
        register: Register,
        export_id: str,
        as_of: dt.date,
        licence_day: dt.date | None,
    ) -> _Computed:
        period = standard_periods(as_of)["year_to_date"]
        scopes = default_scopes(register, as_of)
        # another check day than the export's: the licence table alone is wanted (Licenskontroll)
        kinds = () if licence_day is not None else (ReportKind.VERKSAMHET, ReportKind.KLIENTGRUPP)
        internal = _compute(con, register, export_id, as_of, kinds, period, scopes)
        wanted = {(m, b) for _, m, b, _ in KEY_FIGURES}
        by_mode: dict[str, dict[tuple[str, str, str], str]] = {"internal": {}, "published": {}}
        for f in internal:
            if (f.measure, f.breakdown) in wanted:
                by_mode["internal"][(f.scope, f.measure, f.breakdown)] = f.value
        for kind in (ReportKind.VERKSAMHET, ReportKind.KLIENTGRUPP):
            pooled = [f for f in internal if f.report == kind.value]
            published = apply_disclosure(pooled, DEFAULT_K, hierarchy=hierarchy(register, scopes, period.end))
            for f in published:
                if (f.measure, f.breakdown) in wanted:
                    by_mode["published"][(f.scope, f.measure, f.breakdown)] = f.value
        day = licence_day or as_of
        municipality = Scope(ScopeLevel.MUNICIPALITY, register.municipality.code)
        rc = report_context(con, register, ReportKind.LICENS, municipality, Period(day, day), day)
        licence = compute_with_context(con, register, rc, "published")  # no staff ids are needed here
        return _Computed(export_id, as_of, period, by_mode, licence)


def _licence_by_district(figures: Iterable[Figure]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for f in figures:
        parts = dict(p.split("=", 1) for p in f.breakdown.split("&") if "=" in p)
        district = parts.get("stadsdel")
        if district is None:
            continue
        entry = out.setdefault(district, {})
        if f.measure == "C.krav":
            entry[parts.get("krav", "")] = f.value
        elif f.measure == "C1.provolicens_slut" and parts.get("uppgift") == "varning":
            entry["varning"] = f.value
        elif f.measure == "C1.provolicens_slut" and parts.get("uppgift") == "dagar_kvar":
            entry["dagar_kvar"] = f.value
        elif f.measure == "C1.provolicens_slut" and len(parts) == 1:
            entry["slut"] = f.value
    return out


def licence_rows(computed: _Computed, register: Register) -> list[LicenceRow]:
    """Districts × R1–R5 (and all), warnings first, then the unmet ones, then by name."""
    names = scope_names(register)
    rows = []
    for district, entry in _licence_by_district(computed.licence).items():
        warning = ""
        if entry.get("varning") == "J":
            warning = (
                f"Provlicensen upphör {entry.get('slut', '')} ({entry.get('dagar_kvar', '')} dagar kvar) "
                f"och ansökan om licens saknas"
            )
        rows.append(
            LicenceRow(
                district,
                names.get(district, district),
                tuple(entry.get(k, "") for k in (*KRAV, "ALL")),
                warning,
            )
        )
    rank = {"EJ_UPPFYLLT": 0, "UNDERLAG_SAKNAS": 1, "UPPFYLLT": 2}
    return sorted(rows, key=lambda r: (not r.warning, rank.get(r.statuses[-1], 3), r.name))


def overview_table(roles: Sequence[Role], register: Register, computed: _Computed) -> list[OverviewRow]:
    """The Översikt rows for this user: every scope, each in the mode the user may read it in."""
    names = scope_names(register)
    licence = _licence_by_district(computed.licence)
    rows = []
    for scope in default_scopes(register, computed.as_of):
        decision = may_read(roles, document(scope, (ReportKind.VERKSAMHET, ReportKind.KLIENTGRUPP)), register)
        if not decision.allowed or decision.mode is None:
            continue
        values = computed.by_mode[decision.mode]
        row_values = tuple(values.get((str(scope), m, b), "") for _, m, b, _ in KEY_FIGURES)
        status = licence.get(scope.code, {}).get("ALL", "") if scope.level == ScopeLevel.DISTRICT else ""
        own = decision.mode == "internal" and not any(r.kind == "samordnare" for r in roles)
        rows.append(
            OverviewRow(
                scope,
                names.get(scope.code, scope.code),
                decision.mode,
                row_values,
                STATUS_TEXT.get(status, ""),
                own,
            )
        )
    return sorted(rows, key=lambda r: (not r.own, LEVEL_ORDER[r.scope.level], r.name))
