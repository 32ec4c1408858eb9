"""Report 2, klientgruppen: measures B1–B6 (reports.md).

The investigated children are the distinct children with an investigation in scope closed in P;
each is described by its first such investigation (earliest `inledd_datum`, then smallest id in
text order: ids are compared exactly, as the contract says).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

import duckdb

from bbic_core import codes
from bbic_core.figures import sql
from bbic_core.figures.builder import FigureList
from bbic_core.figures.format import ALL, breakdown
from bbic_core.figures.report_context import ReportContext

AGE_BANDS = codes.ALDERSGRUPP.values()
SEXES = codes.KON_RAPPORT.values()
GRUPPER = (ALL, *codes.INSATS_GRUPP.values())


Outs = Mapping[str, FigureList]  # group → the figures of its scope (`out.ctx.districts`, its members)


def compute_klientgrupp(con: duckdb.DuckDBPyConnection, ctx: ReportContext) -> FigureList:
    """Report 2 of `ctx`'s scope."""
    return compute_klientgrupp_grouped(con, {"*": ctx})["*"]


def compute_klientgrupp_grouped(con: duckdb.DuckDBPyConnection,
                                contexts: Mapping[str, ReportContext]) -> dict[str, FigureList]:
    """Report 2 of several scopes of one period and A (group → its scope's context) in one pass, each
    query grouped by scope (`sql.grouped`) as report 1's are."""
    first = next(iter(contexts.values()))
    if any((c.period, c.as_of) != (first.period, first.as_of) for c in contexts.values()):
        raise ValueError("the scopes of one grouped pass share their period and as-of date")
    outs = {group: FigureList(c) for group, c in contexts.items()}
    params = {**first.params(), **sql.group_params({group: c.districts for group, c in contexts.items()})}
    _utredda_barn(con, params, outs)
    _tidigare_aktualiserade(con, params, outs)
    _aktualiseringar(con, params, outs)
    _behov(con, params, outs)
    _insatser(con, params, outs)
    _resultat(con, params, outs)
    return {group: out.sort_by_catalogue() for group, out in outs.items()}


def _age_sex_cube(out: FigureList, measure: str, cells: Counter[tuple[str, str]],
                  prefix: tuple[tuple[str, str], ...] = ()) -> None:
    """`alder` and `kon` each alone, both together, and ALL: every age band × sex, with totals."""
    out.count(measure, breakdown(*prefix, ("alder", ALL), ("kon", ALL)), sum(cells.values()))
    for band in AGE_BANDS:
        out.count(measure, breakdown(*prefix, ("alder", band), ("kon", ALL)),
                  sum(n for (b, _), n in cells.items() if b == band))
    for sex in SEXES:
        out.count(measure, breakdown(*prefix, ("alder", ALL), ("kon", sex)),
                  sum(n for (_, s), n in cells.items() if s == sex))
    for band in AGE_BANDS:
        for sex in SEXES:
            out.count(measure, breakdown(*prefix, ("alder", band), ("kon", sex)), cells.get((band, sex), 0))


# The investigated children of P: each child's first investigation in scope closed in P (earliest
# inledd_datum, then smallest id in text order: decisions.md, "Figures audit"), per group.
_FIRST = f"""
    SELECT * FROM {sql.grouped('utredning')}
     WHERE avslutad_datum BETWEEN $p_from AND $p_to
    QUALIFY row_number() OVER (PARTITION BY g, barn_id ORDER BY inledd_datum, utredning_id) = 1
"""


def _utredda_barn(con: duckdb.DuckDBPyConnection, params: dict[str, Any], outs: Outs) -> None:
    """B1: the investigated children by age band and sex."""
    age = sql.age_sql("b.fodelsedatum_effektiv", "f.inledd_datum")
    found = sql.rows(con, f"""
        WITH f AS ({_FIRST})
        SELECT f.g, {sql.age_band_sql(age)} AS band, {sql.sex_sql('b.kon_effektiv')} AS sex, count(*)
          FROM f JOIN barn b ON b.barn_id = f.barn_id
         GROUP BY ALL
    """, params)
    for key, out in outs.items():
        cells: Counter[tuple[str, str]] = Counter()
        for group, band, sex, n in found:
            if str(group) == key:
                cells[(band, sex)] += n
        _age_sex_cube(out, "B1.utredda_barn", cells)


def _tidigare_aktualiserade(con: duckdb.DuckDBPyConnection, params: dict[str, Any], outs: Outs) -> None:
    """B6: the share of the investigated children (B1's) with an aktualisering before the one that led
    to their first investigation."""
    found = {str(row["g"]): row for row in sql.records(con, f"""
        WITH f AS ({_FIRST}),
        -- the aktualisering that led to the investigation is its aktualisering_id; when empty, the
        -- latest one of the child received on or before inledd_datum (all of them on that date)
        first_ids AS (SELECT DISTINCT utredning_id, barn_id, inledd_datum, aktualisering_id FROM f),
        lead AS (
            SELECT f.utredning_id, max(a.inkom_datum) AS lead_date
              FROM first_ids f
                   JOIN aktualisering a ON a.barn_id = f.barn_id AND a.inkom_datum <= f.inledd_datum
             WHERE f.aktualisering_id IS NULL
             GROUP BY f.utredning_id
        ),
        earlier AS (
            SELECT DISTINCT f.utredning_id
              FROM first_ids f LEFT JOIN lead l ON l.utredning_id = f.utredning_id
                     JOIN aktualisering a ON a.barn_id = f.barn_id AND a.inkom_datum < f.inledd_datum
             WHERE CASE WHEN f.aktualisering_id IS NOT NULL THEN a.aktualisering_id <> f.aktualisering_id
                        ELSE a.inkom_datum < l.lead_date END
        )
        -- the children B1 counts: those with a barn row
        SELECT f.g AS g, count(*) AS utredda_barn, count(e.utredning_id) AS tidigare_aktualiserade
          FROM f JOIN barn b ON b.barn_id = f.barn_id LEFT JOIN earlier e ON e.utredning_id = f.utredning_id
         GROUP BY f.g
    """, params)}
    for key, out in outs.items():
        row = found.get(key, {})
        out.share("B6.tidigare_aktualiserade", ALL, row.get("tidigare_aktualiserade", 0),
                  row.get("utredda_barn", 0))


def _aktualiseringar(con: duckdb.DuckDBPyConnection, params: dict[str, Any], outs: Outs) -> None:
    in_p = f"FROM {sql.grouped('aktualisering')} WHERE inkom_datum BETWEEN $p_from AND $p_to"
    by_anmalare = sql.rows(con, f"""
        SELECT g, coalesce(anmalare, 'SAKNAS'), count(*) {in_p} AND typ = 'ANMALAN' GROUP BY 1, 2
    """, params)
    by_orsak = sql.rows(con, f"SELECT g, orsak, count(*) {in_p} GROUP BY 1, 2", params)
    for key, out in outs.items():
        mine = {code: n for group, code, n in by_anmalare if str(group) == key}
        for code in (*codes.ANMALARE.values(), "SAKNAS"):
            out.count("B2.anmalare", breakdown(("anmalare", code)), mine.get(code, 0))
        mine = {code: n for group, code, n in by_orsak if str(group) == key}
        for code in codes.ORSAK.values():
            out.count("B2.orsak", breakdown(("orsak", code)), mine.get(code, 0))


def _behov(con: duckdb.DuckDBPyConnection, params: dict[str, Any], outs: Outs) -> None:
    closed = f"SELECT * FROM {sql.grouped('utredning')} WHERE avslutad_datum BETWEEN $p_from AND $p_to"
    per_version = sql.rows(con, f"SELECT g, triangel_version, count(*) FROM ({closed}) GROUP BY 1, 2", params)
    assessed = sql.rows(con, f"""
        SELECT c.g, c.triangel_version, b.omrade,
               count(*) FILTER (WHERE b.bedomning = 'BEHOV'),
               count(*) FILTER (WHERE b.bedomning = 'INGET_BEHOV')
          FROM ({closed}) c JOIN utredning_bedomning b ON b.utredning_id = c.utredning_id
         GROUP BY ALL
    """, params)
    for key, out in outs.items():
        versions = {version: n for group, version, n in per_version if str(group) == key}
        by_area = {(version, area): (int(behov), int(inget))
                   for group, version, area, behov, inget in assessed if str(group) == key}
        for version, areas in codes.TRIANGEL_OMRADEN.items():
            n = int(versions.get(version.value, 0))
            if n == 0:
                continue  # a version is listed only when one of its investigations closed in P
            for area in areas.values():
                behov, inget = by_area.get((version.value, area), (0, 0))
                area_key = breakdown(("version", version.value), ("omrade", area))
                out.share("B3.behov", area_key, behov, behov + inget)
                # EJ_BEDOMT or no row for the area: each investigation has at most one row per area
                out.count("B3.ej_bedomt", area_key, n - behov - inget)


def _insatser(con: duckdb.DuckDBPyConnection, params: dict[str, Any], outs: Outs) -> None:
    active = f"""SELECT * FROM {sql.grouped('insats')}
         WHERE coalesce(start_datum, beslut_datum) <= $t AND (slut_datum IS NULL OR slut_datum >= $p_from)"""
    age = sql.age_sql("b.fodelsedatum_effektiv", "$t")
    found = sql.rows(con, f"""
        WITH per_child AS (
            SELECT g, barn_id, bool_or({sql.placement_sql()}) AS placed,
                   bool_or(NOT {sql.placement_sql()}) AS open_help
              FROM ({active}) GROUP BY g, barn_id
        )
        SELECT c.g, {sql.age_band_sql(age)}, {sql.sex_sql('b.kon_effektiv')}, c.placed, c.open_help, count(*)
          FROM per_child c JOIN barn b ON b.barn_id = c.barn_id
         GROUP BY ALL
    """, params)
    pairs_all = sql.rows(con, f"""
        SELECT g, insatstyp, lagrum, count(*) FROM ({active}) WHERE {sql.placement_sql()} GROUP BY ALL
    """, params)
    for key, out in outs.items():
        mine = [row[1:] for row in found if str(row[0]) == key]
        for grupp in GRUPPER:
            cells: Counter[tuple[str, str]] = Counter()
            for band, sex, placed, open_help, n in mine:
                if grupp == ALL or (grupp == "PLACERING" and placed) or (grupp == "OPPEN" and open_help):
                    cells[(band, sex)] += n
            _age_sex_cube(out, "B4.barn_med_insats", cells, (("grupp", grupp),))
        pairs = {(typ, lagrum): int(n) for group, typ, lagrum, n in pairs_all if str(group) == key}
        out.count("B4.placeringar", breakdown(("insatstyp", ALL), ("lagrum", ALL)), sum(pairs.values()))
        for typ in codes.INSATSTYP.values():
            for lagrum in codes.LAGRUM.values():
                if (typ, lagrum) in pairs:  # only the pairs that occur
                    out.count("B4.placeringar", breakdown(("insatstyp", typ), ("lagrum", lagrum)),
                              pairs[(typ, lagrum)])


def _resultat(con: duckdb.DuckDBPyConnection, params: dict[str, Any], outs: Outs) -> None:
    found = sql.rows(con, f"""
        SELECT g, resultat, count(*) FROM {sql.grouped('utredning')}
         WHERE avslutad_datum BETWEEN $p_from AND $p_to GROUP BY 1, 2
    """, params)
    for key, out in outs.items():
        by_resultat = {code: n for group, code, n in found if str(group) == key}
        for code in codes.UTREDNING_RESULTAT.values():
            out.count("B5.utredningsresultat", breakdown(("resultat", code)), by_resultat.get(code, 0))
