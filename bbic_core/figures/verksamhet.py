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


Outs = Mapping[str, FigureList]  # group → the figures of its scope (`out.ctx.districts`, its members)


def compute_verksamhet(con: duckdb.DuckDBPyConnection, ctx: ReportContext) -> FigureList:
    """Report 1 of `ctx`'s scope."""
    return compute_verksamhet_grouped(con, {"*": ctx})["*"]


def compute_verksamhet_grouped(con: duckdb.DuckDBPyConnection,
                               contexts: Mapping[str, ReportContext]) -> dict[str, FigureList]:
    """Report 1 of several scopes of one period and A (group → its scope's context) in one pass: every
    query groups its rows by scope, a row counting in each scope whose districts hold it
    (`sql.grouped`), so each group is exactly that scope's own report."""
    first = next(iter(contexts.values()))
    if any((c.period, c.as_of) != (first.period, first.as_of) for c in contexts.values()):
        raise ValueError("the scopes of one grouped pass share their period and as-of date")
    outs = {group: FigureList(c) for group, c in contexts.items()}
    params = {**first.params(), **sql.group_params({group: c.districts for group, c in contexts.items()})}
    months = months_of(first.period.start, first.t)
    _aktualiseringar(con, params, outs, months)
    _utredningar(con, params, outs, months)
    _insatser(con, params, outs)
    _placeringar(con, params, outs)
    _overvagande(con, first, outs)
    _ateraktualiserade(con, params, outs)
    return {group: out.sort_by_catalogue() for group, out in outs.items()}


def _overvagande(con: duckdb.DuckDBPyConnection, first: ReportContext, outs: Outs) -> None:
    # A9: reviews due in P, per district, summed over each scope's districts
    everyone = sorted({d for out in outs.values() for d in out.ctx.districts})
    reviews = due_reviews(con, everyone, first.as_of, first.period.start, first.period.end,
                          bbic_form_only=False)
    for out in outs.values():
        mine = [reviews[d] for d in dict.fromkeys(out.ctx.districts) if d in reviews]
        out.share("A9.overvagande_i_tid", ALL, sum(v[1] for v in mine), sum(v[0] for v in mine))


def _by_group(found: list[tuple[Any, ...]]) -> dict[str, dict[Any, Any]]:
    """(group, key, value) rows → group → {key: value}."""
    out: dict[str, dict[Any, Any]] = {}
    for group, key, value in found:
        out.setdefault(str(group), {})[key] = value
    return out


def _by_name(found: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Named rows with their group `g` → group → the row."""
    return {str(row["g"]): row for row in found}


def _aktualiseringar(con: duckdb.DuckDBPyConnection, params: dict[str, Any], outs: Outs,
                     months: list[str]) -> None:
    in_p = f"SELECT * FROM {sql.grouped('aktualisering')} WHERE inkom_datum BETWEEN $p_from AND $p_to"
    by_typ_all = _by_group(sql.rows(con, f"SELECT g, typ, count(*) FROM ({in_p}) GROUP BY 1, 2", params))
    by_month_all = _by_group(sql.rows(
        con, f"SELECT g, strftime(inkom_datum, '%Y-%m'), count(*) FROM ({in_p}) GROUP BY 1, 2", params))
    fhb_days = "forhandsbedomning_datum - inkom_datum"
    decided = f"typ IN {FHB_TYPES} AND forhandsbedomning_datum IS NOT NULL"
    shares = _by_name(sql.records(con, f"""
        SELECT g, count(DISTINCT barn_id) AS barn,
               -- A2: missing skyddsbedomning_datum = not within
               count(*) FILTER (WHERE typ = 'ANMALAN' AND skyddsbedomning_datum <= inkom_datum + 1)
                   AS skydd_inom_1dag,
               count(*) FILTER (WHERE typ = 'ANMALAN') AS anmalningar,
               count(*) FILTER (WHERE {decided} AND {fhb_days} <= 14) AS fhb_inom_14d,
               -- A3: the decided, and the undecided older than 14 days at A
               count(*) FILTER (WHERE {decided} OR (typ IN {FHB_TYPES} AND forhandsbedomning_datum IS NULL
                                                   AND inkom_datum + 14 < $a)) AS fhb_bedomda,
               median({fhb_days}) FILTER (WHERE {decided}) AS fhb_median_dagar,
               count(*) FILTER (WHERE {decided}) AS fhb_beslutade
          FROM ({in_p}) GROUP BY 1
    """, params))
    by_beslut_all = _by_group(sql.rows(con, f"""
        SELECT g, forhandsbedomning_beslut, count(*) FROM ({in_p}) WHERE {decided} GROUP BY 1, 2
    """, params))
    # A3.fhb_balans: at t, not restricted to P
    balans_all = {str(group): n for group, n in sql.rows(con, f"""
        SELECT g, count(*) FROM {sql.grouped('aktualisering')}
         WHERE typ IN {FHB_TYPES} AND inkom_datum <= $t - 14
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
        row = shares.get(key, {})
        out.count("A1.barn", ALL, row.get("barn", 0))
        out.share("A2.skydd_inom_1dag", ALL, row.get("skydd_inom_1dag", 0), row.get("anmalningar", 0))
        out.share("A3.fhb_inom_14d", ALL, row.get("fhb_inom_14d", 0), row.get("fhb_bedomda", 0))
        out.median("A3.fhb_median_dagar", ALL, row.get("fhb_median_dagar"), row.get("fhb_beslutade", 0))
        by_beslut = by_beslut_all.get(key, {})
        out.count("A3.fhb_beslut", breakdown(("beslut", ALL)), sum(by_beslut.values()))
        for beslut in codes.FHB_BESLUT.values():
            out.count("A3.fhb_beslut", breakdown(("beslut", beslut)), by_beslut.get(beslut, 0))
        out.count("A3.fhb_balans", ALL, balans_all.get(key, 0))


def _utredningar(con: duckdb.DuckDBPyConnection, params: dict[str, Any], outs: Outs,
                 months: list[str]) -> None:
    four = sql.plus_months_sql("inledd_datum", "4")
    closed = "avslutad_datum BETWEEN $p_from AND $p_to"
    ongoing = "inledd_datum <= $t AND (avslutad_datum IS NULL OR avslutad_datum > $t)"
    totals = _by_name(sql.records(con, f"""
        WITH u AS (SELECT *, {four} AS frist FROM {sql.grouped('utredning')})
        SELECT g,
               count(*) FILTER (WHERE inledd_datum BETWEEN $p_from AND $p_to) AS inledda,
               count(*) FILTER (WHERE {closed}) AS avslutade,
               count(*) FILTER (WHERE {ongoing}) AS pagaende,
               median(avslutad_datum - inledd_datum) FILTER (WHERE {closed}) AS median_dagar,
               count(*) FILTER (WHERE {closed} AND avslutad_datum <= frist) AS inom_4man,
               count(*) FILTER (WHERE {closed}
                                  AND avslutad_datum <= greatest(frist, coalesce(forlangd_till, frist)))
                   AS inom_beslutad_tid,
               count(*) FILTER (WHERE {closed} AND forlangd_till IS NOT NULL) AS forlangda,
               count(*) FILTER (WHERE {ongoing} AND $t > frist
                                  AND (forlangd_till IS NULL OR forlangd_till < $t)) AS overtid,
               count(*) FILTER (WHERE {closed} AND utredningsplan_datum IS NOT NULL) AS med_plan,
               count(*) FILTER (WHERE {closed} AND bbic_formular) AS bbic
          FROM u GROUP BY 1
    """, params))
    by_month_all = _by_group(sql.rows(con, f"""
        SELECT g, strftime(inledd_datum, '%Y-%m'), count(*) FROM {sql.grouped('utredning')}
         WHERE inledd_datum BETWEEN $p_from AND $p_to GROUP BY 1, 2
    """, params))
    # A5.utr_tid_fordelning: completed months m, the largest with inledd + m months ≤ avslutad
    span = "(year(avslutad_datum) - year(inledd_datum)) * 12 + month(avslutad_datum) - month(inledd_datum)"
    by_months_all = _by_group(sql.rows(con, f"""
        WITH c AS (SELECT g, inledd_datum, avslutad_datum, {span} AS m FROM {sql.grouped('utredning')}
                    WHERE {closed}),
             w AS (SELECT g, CASE WHEN {sql.plus_months_sql('inledd_datum', 'm')} > avslutad_datum THEN m - 1
                                  ELSE m END AS whole FROM c)
        SELECT g, CASE WHEN whole >= 6 THEN '6+' ELSE CAST(whole AS VARCHAR) END, count(*)
          FROM w GROUP BY 1, 2
    """, params))
    for key, out in outs.items():
        row = totals.get(key, {})
        avslutade = row.get("avslutade", 0)
        out.count("A4.utr_inledda", ALL, row.get("inledda", 0))
        by_month = by_month_all.get(key, {})
        for month in months:
            out.count("A4.utr_inledda_manad", breakdown(("manad", month)), by_month.get(month, 0))
        out.count("A4.utr_avslutade", ALL, avslutade)
        out.count("A4.utr_pagaende", ALL, row.get("pagaende", 0))
        out.median("A5.utr_median_dagar", ALL, row.get("median_dagar"), avslutade)
        out.share("A5.utr_inom_4man", ALL, row.get("inom_4man", 0), avslutade)
        out.share("A5.utr_inom_beslutad_tid", ALL, row.get("inom_beslutad_tid", 0), avslutade)
        out.share("A5.utr_forlangda", ALL, row.get("forlangda", 0), avslutade)
        out.count("A5.utr_overtid", ALL, row.get("overtid", 0))
        by_months = by_months_all.get(key, {})
        for bucket in MANADER_BUCKETS:
            out.count("A5.utr_tid_fordelning", breakdown(("manader", bucket)), by_months.get(bucket, 0))
        out.share("A6.utr_med_plan", ALL, row.get("med_plan", 0), avslutade)
        out.share("A6.utr_bbic", ALL, row.get("bbic", 0), avslutade)


def _insatser(con: duckdb.DuckDBPyConnection, params: dict[str, Any], outs: Outs) -> None:
    found = sql.rows(con, f"""
        SELECT g, insatstyp, lagrum, count(*) FROM {sql.grouped('insats')}
         WHERE beslut_datum BETWEEN $p_from AND $p_to GROUP BY ALL
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


def _placeringar(con: duckdb.DuckDBPyConnection, params: dict[str, Any], outs: Outs) -> None:
    measures = {"VARDPLAN": "A8.vardplan", "GENOMFORANDEPLAN": "A8.genomforandeplan",
                "PLACERINGSINFORMATION": "A8.placeringsinformation"}
    docs = tuple(measures)
    has = ", ".join(f"bool_or(doc.typ = '{typ}') AS has_{typ.lower()}" for typ in docs)
    counts = ", ".join(f"count(*) FILTER (WHERE f.has_{typ.lower()}) AS with_{typ.lower()}" for typ in docs)
    found = _by_name(sql.records(con, f"""
        WITH p AS (
            SELECT g, insats_id, barn_id, beslut_datum, coalesce(start_datum, beslut_datum) AS start_d
              FROM {sql.grouped('insats')}
             WHERE {sql.placement_sql()}
               AND coalesce(start_datum, beslut_datum) <= $t AND (slut_datum IS NULL OR slut_datum >= $p_from)
        ),
        base AS (SELECT * FROM p WHERE start_d <= $t - 30),
        -- a document for that insats_id dated from beslut_datum − 30 days to t, whatever bbic_formular
        found AS (
            SELECT b.insats_id, {has}
              FROM (SELECT DISTINCT insats_id, beslut_datum FROM base) b
                   JOIN dokument doc ON doc.insats_id = b.insats_id
             WHERE doc.datum BETWEEN b.beslut_datum - 30 AND $t AND doc.typ IN {docs!r}
             GROUP BY b.insats_id
        ),
        barn AS (SELECT g, count(DISTINCT barn_id) AS n FROM p GROUP BY g),
        shares AS (
            SELECT b.g, count(*) AS base_n, {counts}
              FROM base b LEFT JOIN found f ON f.insats_id = b.insats_id GROUP BY b.g
        )
        SELECT barn.g AS g, barn.n AS placerade_barn, coalesce(shares.base_n, 0) AS base_n,
               shares.* EXCLUDE (g, base_n)
          FROM barn LEFT JOIN shares ON shares.g = barn.g
    """, params))
    for key, out in outs.items():
        row = found.get(key, {})
        out.count("A8.placerade_barn", ALL, row.get("placerade_barn", 0))
        for typ in docs:
            out.share(measures[typ], ALL, row.get(f"with_{typ.lower()}") or 0, row.get("base_n", 0))


def _ateraktualiserade(con: duckdb.DuckDBPyConnection, params: dict[str, Any], outs: Outs) -> None:
    # A10: an investigation of the same child in any district, closed in [inkom − 365 days, inkom)
    found = _by_name(sql.records(con, f"""
        WITH a AS (
            SELECT g, aktualisering_id, barn_id, inkom_datum FROM {sql.grouped('aktualisering')}
             WHERE inkom_datum BETWEEN $p_from AND $p_to
        ),
        hit AS (
            SELECT DISTINCT a.g, a.aktualisering_id FROM a JOIN utredning u ON u.barn_id = a.barn_id
             WHERE u.avslutad_datum >= a.inkom_datum - 365 AND u.avslutad_datum < a.inkom_datum
        ),
        hits AS (SELECT g, count(*) AS n FROM hit GROUP BY g)
        SELECT a.g AS g, coalesce(any_value(hits.n), 0) AS aterkommande, count(*) AS aktualiseringar
          FROM a LEFT JOIN hits ON hits.g = a.g GROUP BY a.g
    """, params))
    for key, out in outs.items():
        row = found.get(key, {})
        out.share("A10.ateraktualiserade", ALL, row.get("aterkommande", 0), row.get("aktualiseringar", 0))
