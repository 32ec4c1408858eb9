"""The register as DuckDB tables for the figures' SQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
from register_helpers import TODAY, write_register

from bbic_core.register import load_register, register_to_duckdb

CSV = (
    "handlaggare_id;utbildning;genomford_datum\n"
    "BR0001;GRUNDUTBILDNING;2009-01-01\n"
    "BR0001;SOS_GRUNDUTBILDNING;2008-06-01\n"
    "BR0003;UTBILDARUTBILDNING;2008-01-20\n"
)


def test_round_trip(tmp_path: Path) -> None:
    reg = load_register(write_register(tmp_path, utbildning=CSV.encode()), today=TODAY)
    con = duckdb.connect()
    con.execute("CREATE TABLE reg_district (stale INTEGER)")  # replaced, not appended to
    register_to_duckdb(con, reg)
    register_to_duckdb(con, reg)  # twice: still one copy
    assert con.execute("SELECT * FROM reg_district ORDER BY code").fetchall() == [
        ("bromma", "Bromma", None, None),
        ("spanga", "Spånga", dt.date(2007, 1, 1), dt.date(2019, 12, 31)),
    ]
    assert con.execute("SELECT * FROM reg_network_member ORDER BY district").fetchall() == [
        ("vasterort", "bromma", None, None), ("vasterort", "spanga", None, None)]
    assert con.execute("SELECT count(*) FROM reg_utbildning").fetchone() == (3,)
    assert con.execute("SELECT * FROM reg_basic_training").fetchall() == [("BR0001", dt.date(2008, 6, 1))]
    assert con.execute(
        "SELECT typeof(first_date) FROM reg_basic_training LIMIT 1").fetchone() == ("DATE",)


def test_empty_training_gives_empty_tables(tmp_path: Path) -> None:
    reg = load_register(write_register(tmp_path), today=TODAY)
    con = duckdb.connect()
    register_to_duckdb(con, reg)
    assert con.execute("SELECT count(*) FROM reg_utbildning").fetchone() == (0,)
    assert con.execute("SELECT count(*) FROM reg_basic_training").fetchone() == (0,)
    assert con.execute("SELECT count(*) FROM reg_district").fetchone() == (2,)
