"""What a report states besides its figures: scope, districts, dates, export, quarantine, notes.

`report_context` resolves the scope to its districts (register.md: a district or network scope
takes the districts in force on the period's last day, the municipality every district), fixes
the as-of date `A` (for the licence report the check date `D` and the window `W`), and counts
what the reader must be told about: quarantined rows that may belong to the scope, and records
naming an unknown user (licence report).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

import duckdb

from bbic_core import contract
from bbic_core.figures import sql
from bbic_core.figures.figure import ReportKind
from bbic_core.figures.periods import last_12_months
from bbic_core.register import Register
from bbic_core.scopes import Period, Scope, ScopeLevel

# The files each report reads (for its count of quarantined rows).
FILES_READ: dict[ReportKind, tuple[str, ...]] = {
    ReportKind.VERKSAMHET: ("aktualisering", "utredning", "insats", "dokument"),
    ReportKind.KLIENTGRUPP: ("barn", "aktualisering", "utredning", "utredning_bedomning", "insats"),
    ReportKind.LICENS: ("aktualisering", "utredning", "insats", "dokument", "personal"),
    # report 4 reads reports 1 and 3; report 5 also counts every quarantined row (E1.karantan)
    ReportKind.JAMFORELSE: ("aktualisering", "utredning", "insats", "dokument", "personal"),
    ReportKind.ARSRAPPORT: tuple(spec.table for spec in contract.FILES),
}

NOTE_STAFF_NO_HISTORY = (
    "Personaluppgifterna saknar historik: kontrollen per {d} använder dagens personalrader (exporten {a})."
)


class NoSnapshotError(LookupError):
    """The connection holds no loaded export (`snapshot_meta` is empty)."""


@dataclass(frozen=True, slots=True)
class SnapshotMeta:
    export_id: str
    municipality: str
    as_of: dt.date


@dataclass(frozen=True)
class ReportContext:
    kind: ReportKind
    scope: Scope
    scope_name: str
    districts: tuple[str, ...]
    period: Period  # P; for the licence report the window W
    as_of: dt.date  # A; for the licence report the check date D
    export_id: str
    export_as_of: dt.date  # the export's own as-of date A
    municipality: str
    quarantined: int  # rows of the files read whose raw stadsdel is in scope or unreadable
    unknown_user_records: int | None = None  # licence report: records in W naming an unknown user (V015)
    notes: tuple[str, ...] = field(default=())

    @property
    def t(self) -> dt.date:
        """`t = min(to, A)`: the day "at the end of the period" measures are taken."""
        return min(self.period.end, self.as_of)

    def params(self) -> dict[str, object]:
        """The SQL parameters every measure query may use."""
        return {
            "districts": list(self.districts),
            "p_from": self.period.start,
            "p_to": self.period.end,
            "t": self.t,
            "a": self.as_of,
            "d": self.as_of,
            "w_from": self.period.start,
        }


def snapshot_meta(con: duckdb.DuckDBPyConnection) -> SnapshotMeta:
    found = con.execute(
        "SELECT export_id, municipality, as_of FROM snapshot_meta ORDER BY loaded_at DESC NULLS LAST LIMIT 1"
    ).fetchall()
    if not found:
        raise NoSnapshotError("no export is loaded: snapshot_meta is empty")
    export_id, municipality, as_of = found[0]
    return SnapshotMeta(str(export_id), str(municipality), as_of)


def scope_name(register: Register, scope: Scope) -> str:
    if scope.level == ScopeLevel.DISTRICT:
        return register.district(scope.code).name
    if scope.level == ScopeLevel.NETWORK:
        return register.network(scope.code).name
    return register.municipality.name


def licence_window(d: dt.date) -> Period:
    """`W = [D − 12 months + 1 day, D]`."""
    return last_12_months(d)


class HeaderCounts:
    """The counts the reports' headers state, read once per connection and grouped by district, so that
    the hundreds of headers of a report set add up their districts' rows instead of each counting again:
    the snapshot's meta, the current export's quarantined rows per (file, raw `stadsdel`) and, per window,
    the records naming an unknown user per district."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self._meta: SnapshotMeta | None = None
        self._quarantine: dict[tuple[str, str | None], int] | None = None
        self._unknown: dict[Period, dict[str | None, int]] = {}

    def meta(self) -> SnapshotMeta:
        if self._meta is None:
            self._meta = snapshot_meta(self.con)
        return self._meta

    def quarantined(self, register: Register, kind: ReportKind, districts: tuple[str, ...]) -> int:
        """Quarantined rows of the current export, of the files `kind` reads, whose raw `stadsdel` (trimmed,
        any case) is in scope, or unreadable: empty, absent (a file without the column) or no district of
        the register."""
        if self._quarantine is None:
            self._quarantine = {(str(file), raw): int(n) for file, raw, n in sql.rows(self.con, """
                SELECT file, lower(trim(stadsdel_raw, ' \t')), count(*) FROM quarantine
                 WHERE export_id = $export_id GROUP BY ALL
            """, {"export_id": self.meta().export_id})}
        files: set[str] = set()
        for table in FILES_READ[kind]:
            files.update((table, contract.BY_TABLE[table].name))
        known, wanted = register.district_codes(), set(districts)
        return sum(n for (file, raw), n in self._quarantine.items()
                   if file in files and (not raw or raw in wanted or raw not in known))

    def unknown_user_records(self, districts: Iterable[str], window: Period, whole_municipality: bool) -> int:
        """Records dated in W whose `handlaggare_id` names no `personal` row (V015), in scope. A document
        without an intervention has no district: it counts in the municipality's report only."""
        by_district = self._unknown.get(window)
        if by_district is None:
            by_district = {s: int(n) for s, n in sql.rows(self.con, f"""
                SELECT r.stadsdel, count(*) FROM ({sql.user_records_sql()}) r
                 WHERE r.handlaggare_id NOT IN (SELECT handlaggare_id FROM personal)
                 GROUP BY 1
            """, {"w_from": window.start, "d": window.end})}
            self._unknown[window] = by_district
        count = sum(by_district.get(code, 0) for code in set(districts))
        return count + (by_district.get(None, 0) if whole_municipality else 0)


def report_context(con: duckdb.DuckDBPyConnection, register: Register, kind: ReportKind, scope: Scope,
                   period: Period, as_of: dt.date | None = None, *,
                   counts: HeaderCounts | None = None) -> ReportContext:
    """Everything a report states besides its figures. For the licence report `period` is not used:
    its window is W, ending on `D` = `as_of` (default: the export's as-of date). Pass the same `counts`
    to every header of one connection to count the snapshot once for all of them."""
    counts = counts or HeaderCounts(con)
    meta = counts.meta()
    kind = ReportKind(kind)
    report_as_of = as_of or meta.as_of
    if kind == ReportKind.LICENS:
        period = licence_window(report_as_of)
    if period.end < period.start:
        raise ValueError(f"the period ends ({period.end}) before it starts ({period.start})")
    districts = tuple(register.districts_for_scope(scope, period.end))
    if kind == ReportKind.LICENS:
        # a licence check as of D judges the committees that exist on D, for the city as for a network or
        # a district (docs/decisions.md, "Figures audit"); the follow-up reports keep every district
        districts = tuple(code for code in districts if register.district(code).in_force(period.end))
    quarantined = counts.quarantined(register, kind, districts)
    unknown: int | None = None
    notes: list[str] = []
    if kind == ReportKind.LICENS:
        unknown = counts.unknown_user_records(districts, period, scope.level == ScopeLevel.MUNICIPALITY)
        if report_as_of < meta.as_of:
            notes.append(NOTE_STAFF_NO_HISTORY.format(d=report_as_of.isoformat(), a=meta.as_of.isoformat()))
    return ReportContext(
        kind=kind, scope=scope, scope_name=scope_name(register, scope), districts=districts, period=period,
        as_of=report_as_of, export_id=meta.export_id, export_as_of=meta.as_of, municipality=meta.municipality,
        quarantined=quarantined, unknown_user_records=unknown, notes=tuple(notes),
    )
