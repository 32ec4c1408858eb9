"""V007: a personal number in an id or reference column (any column of kind TEXT).

Ids and references are kept as written (masking would change which row they name), so a
personnummer or samordningsnummer that Paraply put in `barn_id`, `handlaggare_id` or any other id
would reach the snapshot in clear. Here every such value is found before DuckDB sees the rows: its
row gets V007 (quarantined), and the value itself is replaced by a keyed token (`***` and 16 hex
digits of an HMAC), so that the ids still name the same rows (V004, V005 judge as before) while the
digits reach no table, not even `quarantine.raw_json`.

What counts, and how it is found fast: `bbic_core.personnummer_in_ids`.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from bbic_core import contract, rules
from bbic_core.personnummer_in_ids import holds_personnummer
from bbic_core.pseudonym import Pseudonymiser
from bbic_core.validation.rows.sql import HITS, lit

TOKEN_PREFIX = "***"
_HITS_VIEW = "_v_pnr_hits_in"
_TOKEN_HEX = 16


def tokens(values: pa.Array, pseudonymiser: Pseudonymiser) -> pa.Array:
    """The keyed token of each value: equal values, equal tokens; the digits cannot be read back."""
    hexed = pa.array(["x" + str(v).encode("utf-8").hex() for v in values.to_pylist()], pa.string())
    keyed = pseudonymiser.pseudonymise_array(hexed)
    start = len("p_")
    short = pc.utf8_slice_codeunits(keyed, start, start + _TOKEN_HEX)
    return pc.binary_join_element_wise(TOKEN_PREFIX, short, "")


def id_columns(spec: contract.FileSpec) -> list[str]:
    return [c.name for c in spec.columns if c.kind is contract.Kind.TEXT]


def replace_in_ids(spec: contract.FileSpec, prepared: pa.Table, pseudonymiser: Pseudonymiser
                   ) -> tuple[pa.Table, pa.Table | None]:
    """`prepared` with every id holding a personal number replaced by its token, and the V007 hits
    (`_line`, `column_name`), or None when there is none (the usual case: `prepared` is returned as is)."""
    lines: list[pa.Array] = []
    names: list[str] = []
    table = prepared
    for name in id_columns(spec):
        column = table.column(name)
        found = holds_personnummer(column)
        if not found.any():
            continue
        mask = pa.array(found)
        flat = column.combine_chunks()
        replaced = pc.replace_with_mask(flat, mask, tokens(pc.filter(flat, mask), pseudonymiser))
        table = table.set_column(table.column_names.index(name), name, replaced)
        hit_lines = pc.filter(table.column("_line").combine_chunks(), mask)
        lines.append(hit_lines)
        names += [name] * len(hit_lines)
    if not lines:
        return prepared, None
    return table, pa.table({"_line": pa.concat_arrays(lines), "column_name": pa.array(names, pa.string())})


def record(con: duckdb.DuckDBPyConnection, table: str, hits: pa.Table) -> None:
    """The V007 hits of one file into `_v_hits` (the message names the column, never the value)."""
    rule = rules.rule("V007")
    con.register(_HITS_VIEW, hits)
    try:
        con.execute(f"INSERT INTO {HITS} SELECT {lit(table)}, h._line, h.column_name, {lit(rule.code)}, "
                    f"{lit(rule.severity.value)}, {lit(rule.message_sv + ': ')} || h.column_name, true "
                    f"FROM {_HITS_VIEW} h")
    finally:
        con.unregister(_HITS_VIEW)
