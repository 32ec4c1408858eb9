"""Report 1, verksamhetsuppföljning: measures A1–A10 (reports.md), plus the chart series
A1.aktualiseringar_manad, A4.utr_inledda_manad and A5.utr_tid_fordelning (docs/decisions.md).

Each group of measures is one set-based query; Python only lays the aggregates out as figures,
listing every code of a dimension's code list.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import duckdb

from bbic_core import codes
from bbic_core.figures import sql
from bbic_core.figures.builder import FigureList
from bbic_core.figures.format import ALL, breakdown
from bbic_core.figures.measures import MANADER_BUCKETS
from bbic_core.figures.report_context import ReportContext
from bbic_core.figures.reviews import due_reviews

FHB_TYPES = "('ANMALAN', 'INFORMATION')"  # an ansökan is always investigated (A3)


def months_of(start: dt.date, end: dt.date) -> list[str]:
    """`YYYY-MM` of every month that meets `[start, end]`; none when end < start."""
    out: list[str] = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month) and start <= end:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


# The group of a query's rows: the whole scope, or each district on its own (`by_district`).
WHOLE = "'*'"
Outs = Mapping[str, FigureList]


def compute_verksamhet(con: duckdb.DuckDBPyConnection, ctx: ReportContext) -> FigureList:
    """Report 1 of `ctx`'s scope."""
    return _compute(con, ctx, {"*": FigureList(ctx)}, WHOLE)["*"]


def compute_verksamhet_by_district(con: duckdb.DuckDBPyConnection, ctx: ReportContext,
                                   contexts: Mapping[str, ReportContext]) -> dict[str, FigureList]:
    """Report 1 of each district of `contexts` (district → its own one-district context, all of one
    period and A) with the same queries, grouped by `stadsdel` instead of run once per district: a
    district's rows never meet another's, so each group is exactly that district's own report.
    `ctx` is a context whose districts are all of them (the queries' filter)."""
    outs = {district: FigureList(c) for district, c in contexts.items()}
    return _compute(con, ctx, outs, "stadsdel")


def _compute(con: duckdb.DuckDBPyConnection, ctx: ReportContext, outs: dict[str, FigureList],
             g: str) -> dict[str, FigureList]:
    params = ctx.params()
    months = months_of(ctx.period.start, ctx.t)
    _aktualiseringar(con, params, outs, g, months)
    _utredningar(con, params, outs, g, months)
    _insatser(con, params, outs, g)
    _placeringar(con, params, outs, g)
    reviews = due_reviews(con, ctx.districts, ctx.as_of, ctx.period.start, ctx.period.end,
                          bbic_form_only=False)
    for key, out in outs.items():
        mine = [v for s, v in reviews.items() if g == WHOLE or s == key]
        out.share("A9.overvagande_i_tid", ALL, sum(v[1] for v in mine), sum(v[0] for v in mine))
    _ateraktualiserade(con, params, outs, g)
    return {key: out.sort_by_catalogue() for key, out in outs.items()}


def _by_group(found: list[tuple[Any, ...]]) -> dict[str, dict[Any, Any]]:
    """(group, key, value) rows → group → {key: value}."""
    out: dict[str, dict[Any, Any]] = {}
    for group, key, value in found:
        out.setdefault(str(group), {})[key] = value
    return out


def _aktualiseringar(con: duckdb.DuckDBPyConnection, params: dict[str, Any], outs: Outs, g: str,
                     months: list[str]) -> None:
    in_p = f"SELECT * FROM aktualisering WHERE {sql.in_scope()} AND inkom_datum BETWEEN $p_from AND $p_to"
    by_typ_all = _by_group(sql.rows(con, f"SELECT {g}, typ, count(*) FROM ({in_p}) GROUP BY 1, 2", params))
    by_month_all = _by_group(sql.rows(
        con, f"SELECT {g}, strftime(inkom_datum, '%Y-%m'), count(*) FROM ({in_p}) GROUP BY 1, 2", params))
    fhb_days = "forhandsbedomning_datum - inkom_datum"
    decided = f"typ IN {FHB_TYPES} AND forhandsbedomning_datum IS NOT NULL"
    shares = {str(row[0]): row[1:] for row in sql.rows(con, f"""
        SELECT {g}, count(DISTINCT barn_id),
               -- A2: missing skyddsbedomning_datum = not within
               count(*) FILTER (WHERE typ = 'ANMALAN' AND skyddsbedomning_datum <= inkom_datum + 1),
               count(*) FILTER (WHERE typ = 'ANMALAN'),
               count(*) FILTER (WHERE {decided} AND {fhb_days} <= 14),
               -- A3: the decided, and the undecided older than 14 days at A
               count(*) FILTER (WHERE {decided} OR (typ IN {FHB_TYPES} AND forhandsbedomning_datum IS NULL
                                                   AND inkom_datum + 14 < $a)),
               median({fhb_days}) FILTER (WHERE {decided}),
               count(*) FILTER (WHERE {decided})
          FROM ({in_p}) GROUP BY 1
    """, params)}
    by_beslut_all = _by_group(sql.rows(con, f"""
        SELECT {g}, forhandsbedomning_beslut, count(*) FROM ({in_p}) WHERE {decided} GROUP BY 1, 2
    """, params))
    # A3.fhb_balans: at t, not restricted to P
    balans_all = {str(group): n for group, n in sql.rows(con, f"""
        SELECT {g}, count(*) FROM aktualisering
         WHERE {sql.in_scope()} AND typ IN {FHB_TYPES} AND inkom_datum <= $t - 14
           AND (forhandsbedomning_datum IS NULL OR forhandsbedomning_datum > $t)
         GROUP BY 1
    """, params)}
    for key, out in outs.items():
        by_typ = by_typ_all.get(key, {})
        # A1.aktualiseringar
        out.count("A1.aktualiseringar", breakdown(("typ", ALL)), sum(by_typ.values()))
        for typ in codes.AKTUALISERING_TYP.values():
            out.count("A1.aktualiseringar", breakdown(("typ", typ)), by_typ.get(typ, 0))
        by_month = by_month_all.get(key, {})
        for month in months:
            out.count("A1.aktualiseringar_manad", breakdown(("manad", month)), by_month.get(month, 0))
        (barn, a2_num, a2_den, a3_num, a3_den, a3_median, a3_n) = shares.get(key, (0, 0, 0, 0, 0, None, 0))
        out.count("A1.barn", ALL, barn)
        out.share("A2.skydd_inom_1dag", ALL, a2_num, a2_den)
        out.share("A3.fhb_inom_14d", ALL, a3_num, a3_den)
        out.median("A3.fhb_median_dagar", ALL, a3_median, a3_n)
        by_beslut = by_beslut_all.get(key, {})
        out.count("A3.fhb_beslut", breakdown(("beslut", ALL)), sum(by_beslut.values()))
        for beslut in codes.FHB_BESLUT.values():
            out.count("A3.fhb_beslut", breakdown(("beslut", beslut)), by_beslut.get(beslut, 0))
        out.count("A3.fhb_balans", ALL, balans_all.get(key, 0))


def _utredningar(con: duckdb.DuckDBPyConnection, params: dict[str, Any], outs: Outs, g: str,
                 months: list[str]) -> None:
    four = sql.plus_months_sql("inledd_datum", "4")
    closed = "avslutad_datum BETWEEN $p_from AND $p_to"
    ongoing = "inledd_datum <= $t AND (avslutad_datum IS NULL OR avslutad_datum > $t)"
    totals = {str(row[0]): row[1:] for row in sql.rows(con, f"""
        WITH u AS (SELECT *, {four} AS frist FROM utredning WHERE {sql.in_scope()})
        SELECT {g},
               count(*) FILTER (WHERE inledd_datum BETWEEN $p_from AND $p_to),
               count(*) FILTER (WHERE {closed}),
               count(*) FILTER (WHERE {ongoing}),
               median(avslutad_datum - inledd_datum) FILTER (WHERE {closed}),
               count(*) FILTER (WHERE {closed} AND avslutad_datum <= frist),
               count(*) FILTER (WHERE {closed}
                                  AND avslutad_datum <= greatest(frist, coalesce(forlangd_till, frist))),
               count(*) FILTER (WHERE {closed} AND forlangd_till IS NOT NULL),
               count(*) FILTER (WHERE {ongoing} AND $t > frist
                                  AND (forlangd_till IS NULL OR forlangd_till < $t)),
               count(*) FILTER (WHERE {closed} AND utredningsplan_datum IS NOT NULL),
               count(*) FILTER (WHERE {closed} AND bbic_formular)
          FROM u GROUP BY 1
    """, params)}
    by_month_all = _by_group(sql.rows(con, f"""
        SELECT {g}, strftime(inledd_datum, '%Y-%m'), count(*) FROM utredning
         WHERE {sql.in_scope()} AND inledd_datum BETWEEN $p_from AND $p_to GROUP BY 1, 2
    """, params))
    # A5.utr_tid_fordelning: completed months m, the largest with inledd + m months ≤ avslutad
    span = "(year(avslutad_datum) - year(inledd_datum)) * 12 + month(avslutad_datum) - month(inledd_datum)"
    by_months_all = _by_group(sql.rows(con, f"""
        WITH c AS (SELECT {g} AS g, inledd_datum, avslutad_datum, {span} AS m FROM utredning
                    WHERE {sql.in_scope()} AND {closed}),
             w AS (SELECT g, CASE WHEN {sql.plus_months_sql('inledd_datum', 'm')} > avslutad_datum THEN m - 1
                                  ELSE m END AS whole FROM c)
        SELECT g, CASE WHEN whole >= 6 THEN '6+' ELSE CAST(whole AS VARCHAR) END, count(*)
          FROM w GROUP BY 1, 2
    """, params))
    for key, out in outs.items():
        (inledda, avslutade, pagaende, median_days, inom_4, inom_beslutad, forlangda, overtid, med_plan,
         bbic) = totals.get(key, (0, 0, 0, None, 0, 0, 0, 0, 0, 0))
        out.count("A4.utr_inledda", ALL, inledda)
        by_month = by_month_all.get(key, {})
        for month in months:
            out.count("A4.utr_inledda_manad", breakdown(("manad", month)), by_month.get(month, 0))
        out.count("A4.utr_avslutade", ALL, avslutade)
        out.count("A4.utr_pagaende", ALL, pagaende)
        out.median("A5.utr_median_dagar", ALL, median_days, avslutade)
        out.share("A5.utr_inom_4man", ALL, inom_4, avslutade)
        out.share("A5.utr_inom_beslutad_tid", ALL, inom_beslutad, avslutade)
        out.share("A5.utr_forlangda", ALL, forlangda, avslutade)
        out.count("A5.utr_overtid", ALL, overtid)
        by_months = by_months_all.get(key, {})
        for bucket in MANADER_BUCKETS:
            out.count("A5.utr_tid_fordelning", breakdown(("manader", bucket)), by_months.get(bucket, 0))
        out.share("A6.utr_med_plan", ALL, med_plan, avslutade)
        out.share("A6.utr_bbic", ALL, bbic, avslutade)


def _insatser(con: duckdb.DuckDBPyConnection, params: dict[str, Any], outs: Outs, g: str) -> None:
    found = sql.rows(con, f"""
        SELECT {g}, insatstyp, lagrum, count(*) FROM insats
         WHERE {sql.in_scope()} AND beslut_datum BETWEEN $p_from AND $p_to GROUP BY ALL
    """, params)
    for key, out in outs.items():
        by_typ: dict[str, int] = {}
        by_lagrum: dict[str, int] = {}
        for group, typ, lagrum, n in found:
            if str(group) != key:
                continue
            by_typ[typ] = by_typ.get(typ, 0) + n
            by_lagrum[lagrum] = by_lagrum.get(lagrum, 0) + n
        placed = sum(n for typ, n in by_typ.items() if typ in codes.PLACEMENT_TYPES)
        total = sum(by_typ.values())
        out.count("A7.insatser", breakdown(("grupp", ALL)), total)
        out.count("A7.insatser", breakdown(("grupp", "PLACERING")), placed)
        out.count("A7.insatser", breakdown(("grupp", "OPPEN")), total - placed)
        for typ in codes.INSATSTYP.values():
            out.count("A7.insatser", breakdown(("insatstyp", typ)), by_typ.get(typ, 0))
        for lagrum in codes.LAGRUM.values():
            out.count("A7.insatser", breakdown(("lagrum", lagrum)), by_lagrum.get(lagrum, 0))


def _placeringar(con: duckdb.DuckDBPyConnection, params: dict[str, Any], outs: Outs, g: str) -> None:
    measures = {"VARDPLAN": "A8.vardplan", "GENOMFORANDEPLAN": "A8.genomforandeplan",
                "PLACERINGSINFORMATION": "A8.placeringsinformation"}
    docs = tuple(measures)
    has = ", ".join(f"bool_or(doc.typ = '{typ}') AS has_{typ.lower()}" for typ in docs)
    counts = ", ".join(f"count(*) FILTER (WHERE f.has_{typ.lower()})" for typ in docs)
    found = {str(row[0]): row[1:] for row in sql.rows(con, f"""
        WITH p AS (
            SELECT {g} AS g, insats_id, barn_id, beslut_datum, coalesce(start_datum, beslut_datum) AS start_d
              FROM insats
             WHERE {sql.in_scope()} AND {sql.placement_sql()}
               AND coalesce(start_datum, beslut_datum) <= $t AND (slut_datum IS NULL OR slut_datum >= $p_from)
        ),
        base AS (SELECT * FROM p WHERE start_d <= $t - 30),
        -- a document for that insats_id dated from beslut_datum − 30 days to t, whatever bbic_formular
        found AS (
            SELECT b.insats_id, {has}
              FROM base b JOIN dokument doc ON doc.insats_id = b.insats_id
             WHERE doc.datum BETWEEN b.beslut_datum - 30 AND $t AND doc.typ IN {docs!r}
             GROUP BY b.insats_id
        ),
        barn AS (SELECT g, count(DISTINCT barn_id) AS n FROM p GROUP BY g),
        shares AS (
            SELECT b.g, count(*) AS base_n, {counts}
              FROM base b LEFT JOIN found f ON f.insats_id = b.insats_id GROUP BY b.g
        )
        SELECT barn.g, barn.n, coalesce(shares.base_n, 0), shares.* EXCLUDE (g, base_n)
          FROM barn LEFT JOIN shares ON shares.g = barn.g
    """, params)}
    for key, out in outs.items():
        (barn, base, *with_doc) = found.get(key, (0, 0, *(0 for _ in docs)))
        out.count("A8.placerade_barn", ALL, barn)
        for typ, n in zip(docs, with_doc, strict=True):
            out.share(measures[typ], ALL, n or 0, base)


def _ateraktualiserade(con: duckdb.DuckDBPyConnection, params: dict[str, Any], outs: Outs, g: str) -> None:
    # A10: an investigation of the same child in any district, closed in [inkom − 365 days, inkom)
    found = {str(group): (num, den) for group, num, den in sql.rows(con, f"""
        WITH a AS (
            SELECT {g} AS g, aktualisering_id, barn_id, inkom_datum FROM aktualisering
             WHERE {sql.in_scope()} AND inkom_datum BETWEEN $p_from AND $p_to
        ),
        hit AS (
            SELECT DISTINCT a.g, a.aktualisering_id FROM a JOIN utredning u ON u.barn_id = a.barn_id
             WHERE u.avslutad_datum >= a.inkom_datum - 365 AND u.avslutad_datum < a.inkom_datum
        ),
        hits AS (SELECT g, count(*) AS n FROM hit GROUP BY g)
        SELECT a.g, coalesce(any_value(hits.n), 0), count(*)
          FROM a LEFT JOIN hits ON hits.g = a.g GROUP BY a.g
    """, params)}
    for key, out in outs.items():
        num, den = found.get(key, (0, 0))
        out.share("A10.ateraktualiserade", ALL, num, den)
