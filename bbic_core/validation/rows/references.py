"""V005 (reference to no row, or to a quarantined row, with its cascade), V016 (a record of another
child) and V015 (an unknown `handlaggare_id`: a warning only, judged against the clean `personal` rows).

A reference that names no row at all is the row's own fault (it counts towards X008); one that
names a quarantined row is only a consequence (it does not). The cascade runs in
`contract.LOAD_ORDER`, where every file comes after the files it names, so one pass reaches the
fixed point: a quarantined barn quarantines its arende, whose aktualiseringar, … follow.

The cascade works on each file's *dead keys* (keys whose rows are all quarantined), computed only
for a file that has quarantined rows: a file with none cannot pass anything on, so in a clean
export the cascade reads nothing.
"""

from __future__ import annotations

import duckdb

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


def dead_keys(table: str) -> str:
    return f"_v_dead_{table}"


def own_statements(spec: contract.FileSpec) -> list[str]:
    """V005 for a reference that names no row, and V016: faults of the row itself.

    A reference column that names a child-owned row is judged in one join for both rules.
    """
    out: list[str] = []
    t = spec.table
    names = {c.name for c in spec.columns}
    for column in _refs(spec):
        assert column.ref is not None
        target, key, c = column.ref, ident(_key(column.ref)), ident(column.name)
        detail = lit(f"ingen rad i {target} med {_key(target)} ") + " || " + safe_value(f"r.{c}")
        v005 = (f"SELECT {lit(t)}, r._line, {lit(column.name)}, 'V005', {lit(severity('V005'))}, "
                f"{message('V005', detail)}, true")
        if column.name in contract.CHILD_OWNED_REFS and "barn_id" in names:
            v016 = (f"SELECT DISTINCT {lit(t)}, r._line, {lit(column.name)}, 'V016', "
                    f"{lit(severity('V016'))}, "
                    f"{message('V016', lit(f'{target} hör till ett annat barn_id'))}, true")
            out.append(f"""
                INSERT INTO {HITS}
                WITH j AS MATERIALIZED (
                    SELECT r.*, x.{key} IS NULL AS _missing, x.barn_id AS _x_barn
                    FROM {n_table(t)} r LEFT JOIN (SELECT {key}, barn_id FROM {n_table(target)}) x
                      ON x.{key} = r.{c}
                    WHERE r.{c} IS NOT NULL
                      AND (x.{key} IS NULL OR (r.barn_id IS NOT NULL AND x.barn_id IS NOT NULL
                                                AND x.barn_id <> r.barn_id))
                )
                {v005} FROM j r WHERE r._missing
                UNION ALL
                {v016} FROM j r WHERE NOT r._missing AND r._x_barn <> r.barn_id
            """)
        else:
            out.append(f"""
                INSERT INTO {HITS}
                {v005} FROM {n_table(t)} r
                WHERE r.{c} IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM {n_table(target)} x WHERE x.{key} = r.{c})
            """)
    return out


def quarantined_lines(table: str) -> str:
    return f"SELECT line FROM {HITS} WHERE tbl = {lit(table)} AND (severity = 'E' OR code = 'V004W')"


def quarantined_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Quarantined rows per table so far (any error, or a V004W copy)."""
    rows = con.execute(f"SELECT tbl, count(DISTINCT line) FROM {HITS} WHERE severity = 'E' OR code = 'V004W' "
                       "GROUP BY tbl").fetchall()
    return {str(t): int(n) for t, n in rows}


def _cascade_hits(spec: contract.FileSpec, column: contract.Column) -> str:
    assert column.ref is not None
    t, target, c = spec.table, column.ref, ident(column.name)
    detail = (lit(f"raden i {target} med {_key(target)} ") + " || " + safe_value(f"r.{c}")
              + " || ' är i karantän'")
    return f"""
        INSERT INTO {HITS}
        SELECT {lit(t)}, r._line, {lit(column.name)}, 'V005', {lit(severity("V005"))},
               {message("V005", detail)}, false
        FROM {n_table(t)} r
        WHERE r.{c} IN (SELECT key FROM {dead_keys(target)})
    """


def _dead_keys(table: str) -> str:
    """Keys of `table` held only by quarantined rows (a key with one clean row stays alive)."""
    key = ident(_key(table))
    n = n_table(table)
    return f"""
        CREATE OR REPLACE TABLE {dead_keys(table)} AS
        WITH q AS MATERIALIZED ({quarantined_lines(table)}),
        qk AS MATERIALIZED (
            SELECT DISTINCT {key} AS key FROM {n} WHERE {key} IS NOT NULL AND _line IN (SELECT line FROM q)
        )
        SELECT key FROM qk
        WHERE NOT EXISTS (
            SELECT 1 FROM {n} x WHERE x.{key} = qk.key AND x._line NOT IN (SELECT line FROM q)
        )
    """


def cascade(con: duckdb.DuckDBPyConnection) -> None:
    """V005 for references to rows that exist but are all quarantined, file by file in LOAD_ORDER.

    Run after every own-fault rule of every file.
    """
    quarantined = quarantined_counts(con)
    dead: dict[str, int] = {}
    for table in contract.LOAD_ORDER:
        spec = contract.BY_TABLE[table]
        for column in _refs(spec):
            assert column.ref is not None
            if dead.get(column.ref, 0):
                con.execute(_cascade_hits(spec, column))
                quarantined = quarantined_counts(con)
        if len(spec.key) == 1 and quarantined.get(table, 0):
            con.execute(_dead_keys(table))
            (row,) = con.execute(f"SELECT count(*) FROM {dead_keys(table)}").fetchall()
            dead[table] = int(row[0])


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


def personal_keys(con: duckdb.DuckDBPyConnection) -> None:
    """The clean `personal` keys (a small file) that V015 judges against, once `personal` is final."""
    key = ident(_key("personal"))
    con.execute(f"""
        CREATE OR REPLACE TABLE {clean_keys('personal')} AS
        SELECT DISTINCT {key} AS key FROM {n_table('personal')}
        WHERE {key} IS NOT NULL AND _line NOT IN ({quarantined_lines('personal')})
    """)
