"""The Översikt table and the licence-check table, computed from the current snapshot.

`overview_table` is the one function the Översikt page asks for its rows: report 4's D1 table
(`jamforelse` of the municipality for the year to date: every district, network and the city with
each key indicator's value and status against the register's targets). It is computed once per
export (and per check day), in both modes (the published one disclosure-controlled as the unit's
own published report is), and each user is shown each unit in the mode `may_read` gives.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import duckdb

from bbic_core.documents.report_set import scope_names
from bbic_core.figures import (
    Figure,
    ReportKind,
    ReportRequest,
    ReportStore,
    compute_with_context,
    default_scopes,
    produce_reports,
    report_context,
    standard_periods,
)
from bbic_core.register import Register
from bbic_core.scopes import Period, Scope, ScopeLevel
from bbic_portal.access import Mode, document, may_read
from bbic_portal.roles import Role
from bbic_portal.snapshot import Snapshot

# report 4's key indicators shown in Översikt (nyckeltal, column header); C.krav is the Licenskrav column
KEY_FIGURES: tuple[tuple[str, str], ...] = (
    ("A1.aktualiseringar", "Aktualiseringar"),
    ("A2.skydd_inom_1dag", "Skyddsbedömning inom 1 dag (%)"),
    ("A3.fhb_inom_14d", "Förhandsbedömning inom 14 dagar (%)"),
    ("A4.utr_inledda", "Inledda utredningar"),
    ("A5.utr_inom_4man", "Utredningar klara inom 4 mån (%)"),
    ("A5.utr_median_dagar", "Utredningstid, median (dagar)"),
    ("A8.placerade_barn", "Placerade barn"),
    ("A8.vardplan", "Placerade med vårdplan (%)"),
    ("A9.overvagande_i_tid", "Överväganden i tid (%)"),
    ("A10.ateraktualiserade", "Återaktualiserade (%)"),
    ("C4.anvandare_utbildade", "Användare med grundutbildning (%)"),
)
# D1.status as a mark and a word, never colour alone
STATUS_CELL = {"GRON": "✔ grön", "GUL": "! gul", "ROD": "✘ röd", "SAKNAS": "– saknas"}
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
    statuses: tuple[str, ...]  # D1.status per value: GRON, GUL, ROD, SAKNAS, or "" without a target
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
    by_mode: dict[str, dict[tuple[str, str, str], str]]  # mode → (unit code, D1 measure, nyckeltal) → value
    licence: list[Figure]


def _d1(figures: Iterable[Figure]) -> dict[tuple[str, str, str], str]:
    out: dict[tuple[str, str, str], str] = {}
    for f in figures:
        if f.measure in ("D1.nyckeltal", "D1.status"):
            parts = dict(part.split("=", 1) for part in f.breakdown.split("&"))
            out[(parts["enhet"], f.measure, parts["nyckeltal"])] = f.value
    return out


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
        municipality = Scope(ScopeLevel.MUNICIPALITY, register.municipality.code)
        by_mode: dict[str, dict[tuple[str, str, str], str]] = {"internal": {}, "published": {}}
        # another check day than the export's: the licence table alone is wanted (Licenskontroll)
        if licence_day is None:
            store = ReportStore(con, register, as_of=as_of, published_scopes=scopes)
            wanted = [ReportRequest(ReportKind.JAMFORELSE, municipality, period)]
            for mode in ("internal", "published"):
                produced = produce_reports(con, register, wanted, mode=mode, store=store)
                by_mode[mode] = _d1(produced[0].figures)
        day = licence_day or as_of
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
        row_values = tuple(values.get((scope.code, "D1.nyckeltal", n), "") for n, _ in KEY_FIGURES)
        statuses = tuple(values.get((scope.code, "D1.status", n), "") for n, _ in KEY_FIGURES)
        status = licence.get(scope.code, {}).get("ALL", "") if scope.level == ScopeLevel.DISTRICT else ""
        own = decision.mode == "internal" and not any(r.kind == "samordnare" for r in roles)
        rows.append(
            OverviewRow(
                scope,
                names.get(scope.code, scope.code),
                decision.mode,
                row_values,
                statuses,
                STATUS_TEXT.get(status, ""),
                own,
            )
        )
    return sorted(rows, key=lambda r: (not r.own, LEVEL_ORDER[r.scope.level], r.name))
