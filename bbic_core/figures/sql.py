"""Shared SQL pieces of the measures: parameter binding, scope filter, age, age band, sex, months.

Every measure is one set-based DuckDB query over the snapshot tables; parameters are bound by
name (`$p_from`), and only those a query names are passed (DuckDB refuses extra ones).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import duckdb

from bbic_core import codes

_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")

PLACEMENT_TYPES: tuple[str, ...] = tuple(c.code for c in codes.INSATSTYP if c.placement)


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    """Run `sql` with the named parameters it uses; every row as a tuple."""
    used = set(_PARAM.findall(sql))
    missing = used - params.keys()
    if missing:
        raise KeyError(f"SQL parameters not given: {sorted(missing)}")
    return con.execute(sql, {name: params[name] for name in used}).fetchall()


def records(con: duckdb.DuckDBPyConnection, sql: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
    """As `rows`, each row by its column names: a query's wide result is read by name, so a column added
    or moved cannot silently shift another's meaning."""
    used = set(_PARAM.findall(sql))
    missing = used - params.keys()
    if missing:
        raise KeyError(f"SQL parameters not given: {sorted(missing)}")
    cursor = con.execute(sql, {name: params[name] for name in used})
    names = [d[0] for d in cursor.description or ()]
    if len(set(names)) != len(names):
        raise ValueError(f"a query's columns must be named once each: {names}")
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def one(con: duckdb.DuckDBPyConnection, sql: str, params: Mapping[str, Any]) -> tuple[Any, ...]:
    found = rows(con, sql, params)
    if len(found) != 1:
        raise ValueError(f"expected one row, got {len(found)}")
    return found[0]


def in_scope(column: str = "stadsdel") -> str:
    """`column` is one of the report's districts (`$districts`, a VARCHAR list)."""
    return f"{column} IN (SELECT unnest($districts::VARCHAR[]))"


def grouped(table: str) -> str:
    """`table`'s rows of the report groups, each with its group `g`: a row is in every group whose
    districts hold its `stadsdel` (`$groups` and `$members`, two VARCHAR lists of equal length: group i
    holds district i). One group per scope lets the scopes of one period share a pass, a network and
    the municipality as their districts together."""
    return (f"(SELECT m.g, t.* FROM {table} t JOIN (SELECT unnest($groups::VARCHAR[]) AS g, "
            f"unnest($members::VARCHAR[]) AS d) m ON m.d = t.stadsdel)")


def group_params(members: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """`$groups` and `$members` of `grouped` from group → its districts."""
    pairs = [(group, district)
             for group, districts in members.items() for district in dict.fromkeys(districts)]
    return {"groups": [g for g, _ in pairs], "members": [d for _, d in pairs]}


def age_sql(birth: str, on: str) -> str:
    """Completed years on `on`; a child born on 29 February completes a year on 1 March in other years.

    DuckDB's `date_diff('year', …)` counts year boundaries, not completed years, so the month and
    day are compared instead: (month, day) of `on` before (month, day) of birth means one year less.
    """
    return (f"(year({on}) - year({birth}) - CASE WHEN month({on}) * 100 + day({on}) "
            f"< month({birth}) * 100 + day({birth}) THEN 1 ELSE 0 END)")


def age_band_sql(age: str) -> str:
    """The report's age bands; an age below 0 (a report before birth) counts in `0-6`."""
    return (f"CASE WHEN {age} <= 6 THEN '0-6' WHEN {age} <= 12 THEN '7-12' WHEN {age} <= 15 THEN '13-15' "
            f"WHEN {age} <= 17 THEN '16-17' WHEN {age} <= 20 THEN '18-20' ELSE '21+' END")


def sex_sql(column: str = "kon_effektiv") -> str:
    """`1`, `2`, or `okant` when the effective sex is unknown."""
    return f"coalesce({column}, 'okant')"


def plus_months_sql(date: str, months: str) -> str:
    """`date + N months`, clamped to the month's last day like `bbic_core.dates.add_months`."""
    return f"CAST({date} + to_months(CAST({months} AS INTEGER)) AS DATE)"


def placement_sql(column: str = "insatstyp") -> str:
    return f"{column} IN ({', '.join(repr(t) for t in PLACEMENT_TYPES)})"


def user_records_sql() -> str:
    """Every record that names a user, with its date and district, dated in `[$w_from, $d]`.

    The record's date is `inkom_datum`, `inledd_datum`, `beslut_datum` or `datum` (reports.md,
    report 3); a document's district is its intervention's (null without one).
    """
    window = "BETWEEN $w_from AND $d"
    return f"""
        SELECT handlaggare_id, inkom_datum AS datum, stadsdel FROM aktualisering
         WHERE handlaggare_id IS NOT NULL AND inkom_datum {window}
        UNION ALL
        SELECT handlaggare_id, inledd_datum, stadsdel FROM utredning
         WHERE handlaggare_id IS NOT NULL AND inledd_datum {window}
        UNION ALL
        SELECT handlaggare_id, beslut_datum, stadsdel FROM insats
         WHERE handlaggare_id IS NOT NULL AND beslut_datum {window}
        UNION ALL
        SELECT d.handlaggare_id, d.datum, i.stadsdel
          FROM dokument d LEFT JOIN insats i ON i.insats_id = d.insats_id
         WHERE d.handlaggare_id IS NOT NULL AND d.datum {window}
    """
