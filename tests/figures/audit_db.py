"""Tiny snapshots for the audit tests (test_audit_*.py): one table row per call, every column not named
given a harmless default, so that each test shows only the values its expected figure depends on.

The register is the key test's (`fixture_register/`: districts norr, soder, ost); the export's as-of
date is A = 2025-06-15 unless a test says otherwise.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb
from figures_fixture import A, snapshot_meta

from bbic_core.figures import compute_report
from bbic_core.figures.figure import Figure, ReportKind
from bbic_core.figures.schema import create_snapshot_schema
from bbic_core.register import Register
from bbic_core.scopes import Period, Scope, ScopeLevel

NORR = Scope(ScopeLevel.DISTRICT, "norr")
KOMMUN = Scope(ScopeLevel.MUNICIPALITY, "0999")

_DEFAULTS: dict[str, dict[str, Any]] = {
    "barn": {"fodelsedatum": dt.date(2015, 1, 1), "fodelsedatum_effektiv": dt.date(2015, 1, 1), "kon": "1",
             "kon_effektiv": "1"},
    "aktualisering": {"arende_id": "AR", "stadsdel": "norr", "typ": "ANMALAN", "orsak": "OVRIGT",
                      "bbic_formular": True},
    "utredning": {"arende_id": "AR", "stadsdel": "norr", "bbic_formular": True, "triangel_version": "2006"},
    "insats": {"arende_id": "AR", "stadsdel": "norr", "insatstyp": "FAMILJEHEM", "lagrum": "SOL"},
    "dokument": {"bbic_formular": True},
    "personal": {"stadsdel": "norr", "roll": "HANDLAGGARE", "bbic_anvandare": True,
                 "anstalld_fran": dt.date(2000, 1, 1)},
}


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


class Db:
    """A fresh in-memory snapshot; `add(table, **columns)` inserts one row (dates as `YYYY-MM-DD` text)."""

    def __init__(self, as_of: dt.date = A) -> None:
        self.con = duckdb.connect()
        create_snapshot_schema(self.con)
        snapshot_meta(self.con, as_of=as_of)

    def add(self, table: str, **columns: Any) -> Db:
        row = {**_DEFAULTS.get(table, {}), **columns}
        values = [d(v) if isinstance(v, str) and len(v) == 10 and v[4] == "-" and v[7] == "-" else v
                  for v in row.values()]
        self.con.execute(f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})",
                         values)
        return self

    def report(self, register: Register, kind: ReportKind, period: Period | None = None,
               scope: Scope = NORR, as_of: dt.date | None = None) -> dict[tuple[str, str], Figure]:
        chosen = period or Period(d("2025-01-01"), d("2025-06-30"))
        figures = compute_report(self.con, register, kind, scope, chosen, as_of)
        return {(f.measure, f.breakdown): f for f in figures}


def triple(figure: Figure) -> tuple[str, str, str]:
    """value, numerator, denominator."""
    return (figure.value, figure.numerator, figure.denominator)
