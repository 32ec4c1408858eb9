"""The real load (landing, validation, snapshot) on hostile exports: a personal number in an id never
reaches the snapshot file, and a data line of many delimiters loads as one bounded quarantine row, as
`bbic validate` says."""

from __future__ import annotations

from pathlib import Path

import duckdb
from pipeline_helpers import (
    Env,
    backdate,
    clean_tables,
    load_log,
    make_env,
    make_export,
    make_pnr,
    refresh_manifest,
    run,
)


def _needles(pnr: str) -> list[str]:
    return [pnr, pnr[:8] + "-" + pnr[8:], pnr[2:], pnr[2:8] + "-" + pnr[8:]]


def _tables_holding(db: Path, needles: list[str]) -> list[tuple[str, str]]:
    """Every text column of every table of the snapshot file that holds one of `needles`."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        columns = con.execute("SELECT table_name, column_name FROM duckdb_columns() "
                              "WHERE NOT internal AND data_type IN ('VARCHAR', 'VARCHAR[]')").fetchall()
        found = []
        for table, column in columns:
            sql = f'SELECT count(*) FROM "{table}" WHERE contains(CAST("{column}" AS VARCHAR), ?)'
            if any((con.execute(sql, [n]).fetchone() or (0,))[0] for n in needles):
                found.append((str(table), str(column)))
        return found
    finally:
        con.close()


def test_a_personal_number_as_handlaggare_id_never_reaches_the_snapshot(tmp_path: Path) -> None:
    env: Env = make_env(tmp_path)
    pnr = make_pnr("19800101", "222")
    tables = clean_tables()
    tables["personal"][0]["handlaggare_id"] = pnr
    for name in ("aktualisering", "utredning", "insats", "dokument"):
        for row in tables[name]:
            if row.get("handlaggare_id") == "H1":
                row["handlaggare_id"] = pnr
    make_export(env.inbox, "E1", tables=tables)
    result = run(env)
    assert result.success
    [row] = load_log(env.db)
    assert row["outcome"] == "accepted"
    con = duckdb.connect(str(env.db), read_only=True)
    try:
        (v007,) = con.execute("SELECT count(*) FROM quarantine WHERE list_contains(rules, 'V007')"
                              ).fetchone() or (0,)
        (staff,) = con.execute("SELECT count(*) FROM personal").fetchone() or (0,)
    finally:
        con.close()
    assert v007 >= 2 and staff == len(tables["personal"]) - 1
    assert _tables_holding(env.db, _needles(pnr)) == []
    assert pnr.encode() not in env.db.read_bytes()


def test_a_data_line_of_many_delimiters_loads_as_one_quarantined_row(tmp_path: Path) -> None:
    env = make_env(tmp_path)
    folder = make_export(env.inbox, "E1")
    barn = folder / "barn.csv"
    barn.write_bytes(barn.read_bytes() + b"B9;;2016-01-01;1;" + b";" * 1_000_000 + b"\n")
    refresh_manifest(folder, "E1")
    backdate(folder, 3600)
    result = run(env)
    assert result.success
    [row] = load_log(env.db)
    assert row["outcome"] == "accepted"
    con = duckdb.connect(str(env.db), read_only=True)
    try:
        rows = con.execute("SELECT rules, length(raw_json) FROM quarantine WHERE file = 'barn.csv'"
                           ).fetchall()
    finally:
        con.close()
    assert [(list(r), n < 2000) for r, n in rows] == [(["V006"], True)]
