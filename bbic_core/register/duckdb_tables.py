"""The register as small DuckDB tables, so that the figures' SQL can join districts, networks and training."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import duckdb

    from bbic_core.register.organisation import Register

# table → (column DDL, rows); dates stay DATE, an open bound is NULL.
_DDL = {
    "reg_district": "code VARCHAR NOT NULL, name VARCHAR NOT NULL, from_date DATE, to_date DATE",
    "reg_network_member": "network VARCHAR NOT NULL, district VARCHAR NOT NULL, from_date DATE, to_date DATE",
    "reg_utbildning":
        "handlaggare_id VARCHAR NOT NULL, utbildning VARCHAR NOT NULL, genomford_datum DATE NOT NULL",
    "reg_basic_training": "handlaggare_id VARCHAR NOT NULL, first_date DATE NOT NULL",
}


def register_to_duckdb(con: duckdb.DuckDBPyConnection, register: Register) -> None:
    """(Re)create `reg_district`, `reg_network_member`, `reg_utbildning`, `reg_basic_training` in `con`.

    A network member's dates are the network's own `from`/`to` (membership has no dates of its own).
    """
    rows: dict[str, list[tuple[Any, ...]]] = {
        "reg_district": [(d.code, d.name, d.from_, d.to) for d in register.districts],
        "reg_network_member": [(n.code, member, n.from_, n.to)
                               for n in register.networks for member in n.districts],
        "reg_utbildning": [(u.handlaggare_id, u.utbildning, u.genomford_datum) for u in register.utbildning],
        "reg_basic_training": sorted(register.first_basic_training().items()),
    }
    for table, ddl in _DDL.items():
        con.execute(f"CREATE OR REPLACE TABLE {table} ({ddl})")
        if rows[table]:
            marks = ", ".join("?" * len(rows[table][0]))
            con.executemany(f"INSERT INTO {table} VALUES ({marks})", rows[table])
