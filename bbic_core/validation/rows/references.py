"""V005 (reference to no row, or to a quarantined row, with its cascade), V016 (a record of another
child) and V015 (an unknown `handlaggare_id`: a warning only, judged against the clean `personal` rows).

A reference that names no row at all is the row's own fault (it counts towards X008); one that
names a quarantined row is only a consequence (it does not). The cascade runs in
`contract.LOAD_ORDER`, where every file comes after the files it names, so one pass reaches the
fixed point: a quarantined barn quarantines its arende, whose aktualiseringar, … follow.
"""

from __future__ import annotations

from bbic_core import contract
from bbic_core.validation.rows.sql import HITS, ident, lit, message, n_table, safe_value, severity

HANDLAGGARE = "handlaggare_id"


def clean_keys(table: str) -> str:
    return f"_v_keys_{table}"


def _refs(spec: contract.FileSpec) -> list[contract.Column]:
    return [c for c in spec.columns if c.ref is not None and c.name != HANDLAGGARE]


def _key(table: str) -> str:
    (key,) = contract.BY_TABLE[table].key
    return key


def _check_order() -> None:
    seen: set[str] = set()
    for table in contract.LOAD_ORDER:
        for column in _refs(contract.BY_TABLE[table]):
            if column.ref not in seen:
                raise AssertionError(f"LOAD_ORDER: {table} is before {column.ref}, which it references")
        seen.add(table)


_check_order()


def own_statements(spec: contract.FileSpec) -> list[str]:
    """V005 for a reference that names no row, and V016: faults of the row itself."""
    out: list[str] = []
    t = spec.table
    names = {c.name for c in spec.columns}
    for column in _refs(spec):
        assert column.ref is not None
        target, key, c = column.ref, ident(_key(column.ref)), ident(column.name)
        detail = lit(f"ingen rad i {target} med {_key(target)} ") + " || " + safe_value(f"r.{c}")
        out.append(f"""
            INSERT INTO {HITS}
            SELECT {lit(t)}, r._line, {lit(column.name)}, 'V005', {lit(severity("V005"))},
                   {message("V005", detail)}, true
            FROM {n_table(t)} r
            WHERE r.{c} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {n_table(target)} x WHERE x.{key} = r.{c})
        """)
        if column.name in contract.CHILD_OWNED_REFS and "barn_id" in names:
            out.append(f"""
                INSERT INTO {HITS}
                SELECT DISTINCT {lit(t)}, r._line, {lit(column.name)}, 'V016', {lit(severity("V016"))},
                       {message("V016", lit(f"{target} hör till ett annat barn_id"))}, true
                FROM {n_table(t)} r JOIN {n_table(target)} x ON x.{key} = r.{c}
                WHERE r.barn_id IS NOT NULL AND x.barn_id IS NOT NULL AND x.barn_id <> r.barn_id
            """)
    return out


def quarantined_lines(table: str) -> str:
    return f"SELECT line FROM {HITS} WHERE tbl = {lit(table)} AND (severity = 'E' OR code = 'V004W')"


def cascade_statements(spec: contract.FileSpec) -> list[str]:
    """V005 for references to rows that exist but are all quarantined; then this file's clean keys.

    Run per file in LOAD_ORDER, after every own-fault rule of every file.
    """
    out: list[str] = []
    t = spec.table
    for column in _refs(spec):
        assert column.ref is not None
        target, key, c = column.ref, ident(_key(column.ref)), ident(column.name)
        detail = (lit(f"raden i {target} med {_key(target)} ") + " || " + safe_value(f"r.{c}")
                  + " || ' är i karantän'")
        out.append(f"""
            INSERT INTO {HITS}
            SELECT {lit(t)}, r._line, {lit(column.name)}, 'V005', {lit(severity("V005"))},
                   {message("V005", detail)}, false
            FROM {n_table(t)} r
            WHERE r.{c} IS NOT NULL
              AND EXISTS (SELECT 1 FROM {n_table(target)} x WHERE x.{key} = r.{c})
              AND NOT EXISTS (SELECT 1 FROM {clean_keys(target)} k WHERE k.key = r.{c})
        """)
    if len(spec.key) == 1:
        key = ident(spec.key[0])
        out.append(f"""
            CREATE OR REPLACE TABLE {clean_keys(t)} AS
            SELECT DISTINCT {key} AS key FROM {n_table(t)}
            WHERE {key} IS NOT NULL AND _line NOT IN ({quarantined_lines(t)})
        """)
    return out


def handlaggare_statements(spec: contract.FileSpec) -> list[str]:
    """V015, after `personal` is final: the row loads, its user counts as unknown."""
    if HANDLAGGARE not in {c.name for c in spec.columns} or spec.table == "personal":
        return []
    return [f"""
        INSERT INTO {HITS}
        SELECT {lit(spec.table)}, r._line, {lit(HANDLAGGARE)}, 'V015', {lit(severity("V015"))},
               {message("V015", safe_value(f"r.{HANDLAGGARE}"))}, false
        FROM {n_table(spec.table)} r
        WHERE r.{HANDLAGGARE} IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM {clean_keys('personal')} k WHERE k.key = r.{HANDLAGGARE})
    """]
