"""Report 2, klientgruppen: measures B1–B6 (reports.md).

The investigated children are the distinct children with an investigation in scope closed in P;
each is described by its first such investigation (earliest `inledd_datum`, then smallest id in
text order: ids are compared exactly, as the contract says).
"""

from __future__ import annotations

from collections import Counter
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


def compute_klientgrupp(con: duckdb.DuckDBPyConnection, ctx: ReportContext) -> FigureList:
    out = FigureList(ctx)
    params = ctx.params()
    _utredda_barn(con, params, out)
    _aktualiseringar(con, params, out)
    _behov(con, params, out)
    _insatser(con, params, out)
    _resultat(con, params, out)
    return out.sort_by_catalogue()


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


def _utredda_barn(con: duckdb.DuckDBPyConnection, params: dict[str, Any], out: FigureList) -> None:
    age = sql.age_sql("b.fodelsedatum_effektiv", "f.inledd_datum")
    found = sql.rows(con, f"""
        -- the first: earliest inledd_datum, then smallest id in text order (decisions.md, "Figures audit")
        WITH f AS (
            SELECT * FROM utredning
             WHERE {sql.in_scope()} AND avslutad_datum BETWEEN $p_from AND $p_to
            QUALIFY row_number() OVER (PARTITION BY barn_id
                                       ORDER BY inledd_datum, utredning_id) = 1
        ),
        -- B6: the aktualisering that led to the investigation is its aktualisering_id; when empty,
        -- the latest one of the child received on or before inledd_datum (all of them on that date)
        lead AS (
            SELECT f.utredning_id, max(a.inkom_datum) AS lead_date
              FROM f JOIN aktualisering a ON a.barn_id = f.barn_id AND a.inkom_datum <= f.inledd_datum
             WHERE f.aktualisering_id IS NULL
             GROUP BY f.utredning_id
        ),
        earlier AS (
            SELECT DISTINCT f.utredning_id
              FROM f LEFT JOIN lead l ON l.utredning_id = f.utredning_id
                     JOIN aktualisering a ON a.barn_id = f.barn_id AND a.inkom_datum < f.inledd_datum
             WHERE CASE WHEN f.aktualisering_id IS NOT NULL THEN a.aktualisering_id <> f.aktualisering_id
                        ELSE a.inkom_datum < l.lead_date END
        )
        SELECT {sql.age_band_sql(age)} AS band, {sql.sex_sql('b.kon_effektiv')} AS sex,
               count(*), count(e.utredning_id)
          FROM f JOIN barn b ON b.barn_id = f.barn_id LEFT JOIN earlier e ON e.utredning_id = f.utredning_id
         GROUP BY ALL
    """, params)
    cells: Counter[tuple[str, str]] = Counter()
    earlier = 0
    for band, sex, n, n_earlier in found:
        cells[(band, sex)] += n
        earlier += n_earlier
    _age_sex_cube(out, "B1.utredda_barn", cells)
    out.share("B6.tidigare_aktualiserade", ALL, earlier, sum(cells.values()))


def _aktualiseringar(con: duckdb.DuckDBPyConnection, params: dict[str, Any], out: FigureList) -> None:
    in_p = f"FROM aktualisering WHERE {sql.in_scope()} AND inkom_datum BETWEEN $p_from AND $p_to"
    by_anmalare = dict(sql.rows(con, f"""
        SELECT coalesce(anmalare, 'SAKNAS'), count(*) {in_p} AND typ = 'ANMALAN' GROUP BY 1
    """, params))
    for code in (*codes.ANMALARE.values(), "SAKNAS"):
        out.count("B2.anmalare", breakdown(("anmalare", code)), by_anmalare.get(code, 0))
    by_orsak = dict(sql.rows(con, f"SELECT orsak, count(*) {in_p} GROUP BY 1", params))
    for code in codes.ORSAK.values():
        out.count("B2.orsak", breakdown(("orsak", code)), by_orsak.get(code, 0))


def _behov(con: duckdb.DuckDBPyConnection, params: dict[str, Any], out: FigureList) -> None:
    closed = f"SELECT * FROM utredning WHERE {sql.in_scope()} AND avslutad_datum BETWEEN $p_from AND $p_to"
    per_version = dict(sql.rows(con, f"SELECT triangel_version, count(*) FROM ({closed}) GROUP BY 1", params))
    assessed = sql.rows(con, f"""
        SELECT c.triangel_version, b.omrade,
               count(*) FILTER (WHERE b.bedomning = 'BEHOV'),
               count(*) FILTER (WHERE b.bedomning = 'INGET_BEHOV')
          FROM ({closed}) c JOIN utredning_bedomning b ON b.utredning_id = c.utredning_id
         GROUP BY ALL
    """, params)
    by_area = {(version, area): (int(behov), int(inget)) for version, area, behov, inget in assessed}
    for version, areas in codes.TRIANGEL_OMRADEN.items():
        n = int(per_version.get(version.value, 0))
        if n == 0:
            continue  # a version is listed only when one of its investigations closed in P
        for area in areas.values():
            behov, inget = by_area.get((version.value, area), (0, 0))
            key = breakdown(("version", version.value), ("omrade", area))
            out.share("B3.behov", key, behov, behov + inget)
            # EJ_BEDOMT or no row for the area: each investigation has at most one row per area
            out.count("B3.ej_bedomt", key, n - behov - inget)


def _insatser(con: duckdb.DuckDBPyConnection, params: dict[str, Any], out: FigureList) -> None:
    active = f"""SELECT * FROM insats
         WHERE {sql.in_scope()} AND coalesce(start_datum, beslut_datum) <= $t
           AND (slut_datum IS NULL OR slut_datum >= $p_from)"""
    age = sql.age_sql("b.fodelsedatum_effektiv", "$t")
    found = sql.rows(con, f"""
        WITH per_child AS (
            SELECT barn_id, bool_or({sql.placement_sql()}) AS placed,
                   bool_or(NOT {sql.placement_sql()}) AS open_help
              FROM ({active}) GROUP BY barn_id
        )
        SELECT {sql.age_band_sql(age)}, {sql.sex_sql('b.kon_effektiv')}, c.placed, c.open_help, count(*)
          FROM per_child c JOIN barn b ON b.barn_id = c.barn_id
         GROUP BY ALL
    """, params)
    for grupp in GRUPPER:
        cells: Counter[tuple[str, str]] = Counter()
        for band, sex, placed, open_help, n in found:
            if grupp == ALL or (grupp == "PLACERING" and placed) or (grupp == "OPPEN" and open_help):
                cells[(band, sex)] += n
        _age_sex_cube(out, "B4.barn_med_insats", cells, (("grupp", grupp),))
    pairs = {(typ, lagrum): int(n) for typ, lagrum, n in sql.rows(con, f"""
        SELECT insatstyp, lagrum, count(*) FROM ({active}) WHERE {sql.placement_sql()} GROUP BY ALL
    """, params)}
    out.count("B4.placeringar", breakdown(("insatstyp", ALL), ("lagrum", ALL)), sum(pairs.values()))
    for typ in codes.INSATSTYP.values():
        for lagrum in codes.LAGRUM.values():
            if (typ, lagrum) in pairs:  # only the pairs that occur
                out.count("B4.placeringar", breakdown(("insatstyp", typ), ("lagrum", lagrum)),
                          pairs[(typ, lagrum)])


def _resultat(con: duckdb.DuckDBPyConnection, params: dict[str, Any], out: FigureList) -> None:
    by_resultat = dict(sql.rows(con, f"""
        SELECT resultat, count(*) FROM utredning
         WHERE {sql.in_scope()} AND avslutad_datum BETWEEN $p_from AND $p_to GROUP BY 1
    """, params))
    for code in codes.UTREDNING_RESULTAT.values():
        out.count("B5.utredningsresultat", breakdown(("resultat", code)), by_resultat.get(code, 0))

