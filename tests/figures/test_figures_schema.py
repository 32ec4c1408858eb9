from __future__ import annotations

import duckdb

from bbic_core import contract
from bbic_core.figures import create_snapshot_schema


def columns(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    return {name: typ for name, typ in con.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? "
        "ORDER BY ordinal_position",
        [table]).fetchall()}


def test_every_snapshot_table_is_created_from_the_contract() -> None:
    with duckdb.connect() as con:
        create_snapshot_schema(con)
        create_snapshot_schema(con)  # idempotent
        for spec in contract.FILES:
            cols = columns(con, spec.table)
            for column in spec.columns:
                if column.name == "personnummer":
                    assert column.name not in cols  # never in DuckDB
                    continue
                assert cols[column.name] == column.sql_type, (spec.table, column.name)
        assert list(columns(con, "barn")) == ["barn_id", "pseudonym", "fodelsedatum", "kon",
            "folkbokford_kommun",
                                              "fodelsedatum_effektiv", "kon_effektiv"]
        assert columns(con, "snapshot_meta") == {
            "export_id": "VARCHAR", "municipality": "VARCHAR", "created_at": "TIMESTAMP WITH TIME ZONE",
            "as_of": "DATE", "loaded_at": "TIMESTAMP WITH TIME ZONE"}
        assert columns(con, "quarantine")["rules"] == "VARCHAR[]"


def test_defaults_are_applied() -> None:
    with duckdb.connect() as con:
        create_snapshot_schema(con)
        con.execute("INSERT INTO utredning (utredning_id) VALUES ('U1')")
        con.execute("INSERT INTO aktualisering (aktualisering_id) VALUES ('A1')")
        assert con.execute("SELECT triangel_version FROM utredning").fetchone() == ("2006",)
        assert con.execute("SELECT anonym FROM aktualisering").fetchone() == (False,)
