"""Report 5, årsrapport: report 4 for the year, the licence check at its end, and the data quality.

Its `figures.csv` holds, under `report=arsrapport`: every row of report 4 for `P = Y`, every row of
report 3 at `D` = the last day of Y (or A when earlier) with W and D in its period and as-of
columns, and E1.karantan and E2.okand_handlaggare (period Y, as-of A).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from bbic_core.figures import sql
from bbic_core.figures.figure import Figure, ReportKind
from bbic_core.figures.format import ALL, breakdown
from bbic_core.figures.jamforelse import compute_jamforelse
from bbic_core.figures.licens import Mode
from bbic_core.figures.store import ReportStore
from bbic_core.rules import RULES
from bbic_core.scopes import Period, Scope, ScopeLevel

# The rule codes that put a row in quarantine, in the catalogue's order (E1.karantan's code list).
QUARANTINE_RULES: tuple[str, ...] = tuple(r.code for r in RULES if r.quarantines)


def is_preliminary(year: Period, as_of: dt.date) -> bool:
    """A year not yet ended at A is marked *preliminär*."""
    return as_of < year.end


def licence_date(year: Period, as_of: dt.date) -> dt.date:
    """D = the last day of Y, or A when earlier."""
    return min(year.end, as_of)


def compute_arsrapport(store: ReportStore, scope: Scope, year: Period,
                       mode: Mode = "published") -> list[Figure]:
    """Report 5 for `scope` and the calendar year `year`, as of the store's A."""
    a = store.as_of
    report = ReportKind.ARSRAPPORT.value
    figures = compute_jamforelse(store, scope, year, mode, ReportKind.ARSRAPPORT)
    d = licence_date(year, a)
    licence = store.internal(ReportKind.LICENS, scope, Period(d, d), as_of=d, mode=mode)
    figures += [replace(f, report=report) for f in licence]
    districts = store.register.districts_for_scope(scope, year.end)
    whole = scope.level == ScopeLevel.MUNICIPALITY

    def add(measure: str, brk: str, value: int) -> None:
        figures.append(Figure(report, str(scope), year.start, year.end, a, measure, brk, str(value)))

    per_rule, total = quarantined_by_rule(store, districts)
    add("E1.karantan", breakdown(("regel", ALL)), total)
    for code in [*QUARANTINE_RULES, *sorted(set(per_rule) - set(QUARANTINE_RULES))]:
        add("E1.karantan", breakdown(("regel", code)), per_rule.get(code, 0))
    add("E2.okand_handlaggare", ALL, store.counts.unknown_user_records(districts, year, whole))
    return figures


def quarantined_by_rule(store: ReportStore, districts: list[str]) -> tuple[dict[str, int], int]:
    """Quarantined rows of the snapshot's export (every file) whose raw `stadsdel` is in scope or
    unreadable (empty, absent, or no district of the register): per rule code (a row that broke several
    rules counts once under each) and in all (each row once)."""
    raw = "lower(trim(stadsdel_raw, ' \t'))"
    params = {"export_id": store.meta.export_id, "districts": list(districts),
              "all_districts": sorted(store.register.district_codes())}
    rows = f"""
        SELECT rules FROM quarantine
         WHERE export_id = $export_id
           AND ({raw} IS NULL OR {raw} = ''
                OR {raw} IN (SELECT unnest($districts::VARCHAR[]))
                OR {raw} NOT IN (SELECT unnest($all_districts::VARCHAR[])))
    """
    (total,) = sql.one(store.con, f"SELECT count(*) FROM ({rows})", params)
    per_rule = {str(code): int(n) for code, n in sql.rows(store.con, f"""
        SELECT code, count(*) FROM (SELECT unnest(list_distinct(rules)) AS code FROM ({rows}))
         GROUP BY code
    """, params)}
    return per_rule, int(total)
