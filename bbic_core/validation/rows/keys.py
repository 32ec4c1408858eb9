"""V004 (rows share a key but differ: all quarantined) and V004W (identical copies: the first row
loads, each further copy is quarantined). Both are judged on the normalised values; a barn's
personal number is compared through its keyed token, never as text."""

from __future__ import annotations

from bbic_core import contract
from bbic_core.validation.rows import inputs
from bbic_core.validation.rows.sql import HITS, ident, lit, message, n_table, severity


def _compared(spec: contract.FileSpec) -> list[str]:
    cols = []
    for column in spec.columns:
        cols.append(inputs.PNR_CMP_SQL if column.kind is contract.Kind.PERSONNUMMER else ident(column.name))
    return cols


def statements(spec: contract.FileSpec) -> list[str]:
    t = spec.table
    keys = [ident(k) for k in spec.key]
    key_list = ", ".join(keys)
    row_value = "md5(json_array(" + ", ".join(_compared(spec)) + ")::VARCHAR)"
    not_null = " AND ".join(f"{k} IS NOT NULL" for k in keys)
    key_names = ",".join(spec.key)
    # Keys held by more than one row are found on the key columns alone (usually none), first by their
    # 64-bit hash (equal keys, equal hashes; quicker to group than text); only their rows are compared
    # in full.
    return [
        f"""
        INSERT INTO {HITS}
        WITH h AS MATERIALIZED (
            SELECT hash({key_list}) AS _h FROM {n_table(t)} WHERE {not_null} GROUP BY _h HAVING count(*) > 1
        ), d AS MATERIALIZED (
            SELECT {key_list} FROM {n_table(t)} WHERE {not_null} AND hash({key_list}) IN (SELECT _h FROM h)
            GROUP BY {key_list} HAVING count(*) > 1
        ), k AS (
            SELECT _line, {key_list}, {row_value} AS _row FROM {n_table(t)} SEMI JOIN d USING ({key_list})
        ), g AS (
            SELECT {key_list}, count(DISTINCT _row) AS variants, min(_line) AS first_line, count(*) AS copies
            FROM k GROUP BY {key_list}
        )
        SELECT {lit(t)}, k._line, {lit(key_names)},
               CASE WHEN g.variants > 1 THEN 'V004' ELSE 'V004W' END,
               CASE WHEN g.variants > 1 THEN {lit(severity("V004"))} ELSE {lit(severity("V004W"))} END,
               CASE WHEN g.variants > 1
                    THEN {message("V004", "g.copies::VARCHAR || ' rader med samma nyckel'")}
                    ELSE {message("V004W", "'kopia av raden på rad ' || g.first_line::VARCHAR")} END,
               g.variants > 1
        FROM k JOIN g USING ({key_list})
        WHERE g.variants > 1 OR k._line <> g.first_line
        """
    ]
