"""Due reviews of placements (A9.overvagande_i_tid, C5.formular OVERVAGANDE_OMPROVNING).

For each placement except `lagrum` = `LVU_6`: `d_k = start + 6k months` (k = 1, 2, …, each from
the start, clamped to the month's end) while `d_k ≤` the earlier of `slut_datum` and `A` (`D`),
`d_0 = start`. `OVERVAGANDE` is the review of `SOL` and `LVU_2`, `OMPROVNING` of `LVU_3`, either
of `LVU_2_3`; `d_k` is made in time when a document of that type for that `insats_id` is dated
in `(d_{k−1}, d_k]`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import duckdb

from bbic_core.figures import sql

REVIEW_TYPE_SQL = """CASE p.lagrum
    WHEN 'LVU_3' THEN doc.typ = 'OMPROVNING'
    WHEN 'LVU_2_3' THEN doc.typ IN ('OVERVAGANDE', 'OMPROVNING')
    ELSE doc.typ = 'OVERVAGANDE' END"""


def due_reviews_sql(*, bbic_form_only: bool) -> str:
    """Per district: due dates in `[$due_from, $due_to]` (`n_due`) and those made in time (`n_in_time`).

    Parameters: `$districts`, `$upper` (A or D), `$due_from`, `$due_to`. A placement counts when
    decided on or before `$upper` (records dated after D do not count in the licence report).
    `bbic_form_only`: the document must be made in the BBIC form (C5).
    """
    form = "AND doc.bbic_formular" if bbic_form_only else ""
    d_k = sql.plus_months_sql("p.start_d", "6 * p.k")
    d_prev = sql.plus_months_sql("p.start_d", "6 * (p.k - 1)")
    return f"""
        WITH plac AS (
            SELECT * FROM (
                SELECT insats_id, stadsdel, lagrum, coalesce(start_datum, beslut_datum) AS start_d,
                       least(coalesce(slut_datum, $upper), $upper) AS stop_d
                  FROM insats
                 WHERE {sql.in_scope()} AND {sql.placement_sql()} AND lagrum <> 'LVU_6'
                   AND beslut_datum <= $upper
            )
            -- start < d_k ≤ stop: only placements that can have a due date in the window (performance)
             WHERE stop_d > start_d AND stop_d >= $due_from AND start_d < $due_to
        ),
        -- k runs over a range that month boundaries (date_diff) never cut short: d_k lies in the month
        -- 6k months after the start's, so d_k ≥ $due_from needs 6k ≥ date_diff(start, $due_from) and
        -- d_k ≤ min(stop, $due_to) needs 6k ≤ date_diff(start, min(stop, $due_to)); the filter trims
        candidates AS (
            SELECT *, unnest(generate_series(
                       greatest(1, date_diff('month', start_d, $due_from) // 6),
                       date_diff('month', start_d, least(stop_d, $due_to)) // 6 + 1)) AS k
              FROM plac
        ),
        -- read twice below: materialised once
        due_in_window AS MATERIALIZED (
            SELECT * FROM (
                SELECT p.insats_id, p.stadsdel, p.lagrum, p.k, p.stop_d, {d_k} AS d_k, {d_prev} AS d_prev
                  FROM candidates p
            )
             WHERE d_k <= stop_d AND d_k BETWEEN $due_from AND $due_to
        ),
        in_time AS (
            SELECT DISTINCT p.insats_id, p.k
              FROM due_in_window p JOIN dokument doc ON doc.insats_id = p.insats_id
             WHERE doc.datum > p.d_prev AND doc.datum <= p.d_k AND ({REVIEW_TYPE_SQL}) {form}
        )
        SELECT p.stadsdel, count(*) AS n_due, count(t.insats_id) AS n_in_time
          FROM due_in_window p LEFT JOIN in_time t ON t.insats_id = p.insats_id AND t.k = p.k
         GROUP BY p.stadsdel
    """


def due_reviews(con: duckdb.DuckDBPyConnection, districts: Sequence[str], upper: dt.date, due_from: dt.date,
                due_to: dt.date, *, bbic_form_only: bool) -> dict[str, tuple[int, int]]:
    """district → (due reviews with due date in the window, made in time)."""
    found = sql.rows(con, due_reviews_sql(bbic_form_only=bbic_form_only),
                     {"districts": list(districts), "upper": upper, "due_from": due_from, "due_to": due_to})
    return {str(s): (int(n_due), int(n_in_time)) for s, n_due, n_in_time in found}
