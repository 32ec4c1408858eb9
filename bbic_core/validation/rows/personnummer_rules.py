"""V010–V014 on `barn`: the personal number was checked in Arrow (`inputs`) before the rows entered
DuckDB; here only its validity, date, sex and keyed pseudonym are seen."""

from __future__ import annotations

from bbic_core.validation.rows import inputs
from bbic_core.validation.rows.sql import HITS, Statement, date_col, hit, lit, message, n_table, severity

_VALID = f"r.{inputs.PNR_VALID}"
_PRESENT = inputs.PNR_PRESENT_SQL


def statements() -> list[Statement]:
    t = "barn"
    return [
        # V010: present but invalid; the number is already dropped (pseudonym null), the row is kept.
        hit(t, "V010", "personnummer", where=f"{_PRESENT} AND NOT {_VALID}"),
        # V011: the number's date wins (fodelsedatum_effektiv).
        hit(t, "V011", "fodelsedatum",
            where=f"{_VALID} AND r.{date_col('fodelsedatum')} IS NOT NULL "
                  f"AND r.{date_col('fodelsedatum')} <> r.{inputs.PNR_BIRTH}"),
        hit(t, "V012", "kon", where=f"{_VALID} AND r.kon IN ('1', '2') AND r.kon <> r.{inputs.PNR_SEX}"),
        # V013: an unparsable fodelsedatum (V002) counts as absent.
        hit(t, "V013", "fodelsedatum", where=f"NOT {_VALID} AND r.{date_col('fodelsedatum')} IS NULL"),
        # V014: numbers are re-used, so both children load; compared on the pseudonym.
        f"""
        INSERT INTO {HITS}
        WITH shared AS MATERIALIZED (  -- a number on more than one row (by its hash): usually none
            SELECT hash({inputs.PSEUDONYM}) AS _h FROM {n_table(t)} WHERE {inputs.PSEUDONYM} IS NOT NULL
            GROUP BY _h HAVING count(*) > 1
        )
        SELECT {lit(t)}, r._line, 'personnummer', 'V014', {lit(severity("V014"))},
               {message("V014", "'även på ' || (g.ids - 1)::VARCHAR || ' annat barn_id'")}, false
        FROM {n_table(t)} r JOIN (
            SELECT {inputs.PSEUDONYM}, count(DISTINCT barn_id) AS ids FROM {n_table(t)}
            WHERE hash({inputs.PSEUDONYM}) IN (SELECT _h FROM shared)
            GROUP BY {inputs.PSEUDONYM} HAVING count(DISTINCT barn_id) > 1
        ) g USING ({inputs.PSEUDONYM})
        """,
    ]
