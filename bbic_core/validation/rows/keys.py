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


# Bits 1.. of a code column's mask are its list's codes; any other value hashes onto bits 40–63.
_CODE_BITS, _OTHER_BITS = 40, 24


def code_bit(column: contract.Column, expr: str) -> str:
    """SQL for a one-bit UBIGINT per value of a code column: its code's own bit (exact for the list's
    codes), or for any other value a bit chosen by its hash (two such values may share one)."""
    assert column.codes is not None
    codes = column.codes.values()
    if len(codes) >= _CODE_BITS:
        raise ValueError(f"{column.name}: too many codes for a 64-bit mask")
    listed = "[" + ", ".join(lit(c) for c in codes) + "]"
    return (f"(1::UBIGINT << coalesce(list_position({listed}, {expr}), "
            f"{_CODE_BITS} + hash({expr}) % {_OTHER_BITS})::UBIGINT)")


def code_pair(spec: contract.FileSpec) -> tuple[str, contract.Column] | None:
    """(id column, code column) when the key is an id and a code (`utredning_bedomning`), else None."""
    if len(spec.key) != 2:
        return None
    first, second = (next(c for c in spec.columns if c.name == k) for k in spec.key)
    if first.kind is contract.Kind.TEXT and second.kind is contract.Kind.CODE and second.codes is not None:
        return first.name, second
    return None


def suspect_keys(spec: contract.FileSpec, table: str) -> str:
    """SQL for a superset of the keys that `table` (rows of `spec`'s file) holds more than once, as a
    relation of `_k` values that the rows' `key_filter` selects: usually empty, and much quicker than
    grouping the keys themselves.

    One key column: grouped by its 64-bit hash (equal keys, equal hashes). An id and a code: grouped by
    the id alone (few groups), a group suspect when it has more rows than distinct code bits, which a
    repeated (id, code) always gives.
    """
    keys = [ident(k) for k in spec.key]
    not_null = " AND ".join(f"{k} IS NOT NULL" for k in keys)
    pair = code_pair(spec)
    if pair is not None:
        id_col, code = pair
        return (f"SELECT {ident(id_col)} AS _k FROM {table} WHERE {not_null} GROUP BY {ident(id_col)} "
                f"HAVING count(*) > bit_count(bit_or({code_bit(code, ident(code.name))}))")
    return (f"SELECT hash({', '.join(keys)}) AS _k FROM {table} WHERE {not_null} GROUP BY _k "
            "HAVING count(*) > 1")


def key_filter(spec: contract.FileSpec) -> str:
    """The expression of a row that `suspect_keys`' `_k` values are compared with."""
    pair = code_pair(spec)
    return ident(pair[0]) if pair is not None else f"hash({', '.join(ident(k) for k in spec.key)})"


def statements(spec: contract.FileSpec) -> list[str]:
    t = spec.table
    keys = [ident(k) for k in spec.key]
    key_list = ", ".join(keys)
    row_value = "md5(json_array(" + ", ".join(_compared(spec)) + ")::VARCHAR)"
    not_null = " AND ".join(f"{k} IS NOT NULL" for k in keys)
    key_names = ",".join(spec.key)
    # Keys held by more than one row are found on the key columns alone (usually none), first among the
    # suspects (`suspect_keys`); only their rows are compared in full.
    return [
        f"""
        INSERT INTO {HITS}
        WITH h AS MATERIALIZED ({suspect_keys(spec, n_table(t))}
        ), d AS MATERIALIZED (
            SELECT {key_list} FROM {n_table(t)} WHERE {not_null} AND {key_filter(spec)} IN (SELECT _k FROM h)
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
