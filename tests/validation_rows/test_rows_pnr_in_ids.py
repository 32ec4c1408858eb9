"""V007: a personal number in an id or reference column is caught before the snapshot (the row is
quarantined) and its digits reach no table, in every written form."""

from __future__ import annotations

import json

import duckdb
import pyarrow as pa
import pytest
from rows_fixtures import base_tables, luhn_pnr, new_pseudonymiser, run_rows

from bbic_core.validation.rows.pnr_in_text import holds_personnummer

PARENT = luhn_pnr("19800101", "222")
SAMORDNING = luhn_pnr("20160471", "381")  # day 11 + 60
FORMS = {
    "12": PARENT,
    "12-": PARENT[:8] + "-" + PARENT[8:],
    "10": PARENT[2:],
    "10-": PARENT[2:8] + "-" + PARENT[8:],
    "10+": PARENT[2:8] + "+" + PARENT[8:],
    "samordning": SAMORDNING,
    "samordning10-": SAMORDNING[2:8] + "-" + SAMORDNING[8:],
}


def _needles(number: str) -> list[str]:
    return [number, number[:8] + "-" + number[8:], number[2:], number[2:8] + "-" + number[8:]]


def _tables_holding(con: duckdb.DuckDBPyConnection, needles: list[str]) -> list[tuple[str, str]]:
    found = []
    columns = con.execute("SELECT table_name, column_name FROM duckdb_columns() "
                          "WHERE NOT internal AND data_type IN ('VARCHAR', 'VARCHAR[]')").fetchall()
    for table, column in columns:
        for needle in needles:
            sql = f'SELECT count(*) FROM "{table}" WHERE contains(CAST("{column}" AS VARCHAR), ?)'
            (n,) = con.execute(sql, [needle]).fetchone() or (0,)
            if n:
                found.append((table, column))
    return found


@pytest.mark.parametrize("form", sorted(FORMS))
def test_v007_a_personal_number_as_barn_id_is_quarantined_in_every_form(form: str) -> None:
    t = base_tables()
    value = FORMS[form]
    t["barn"][1]["barn_id"] = value  # B2 has no case: only its own row is concerned
    run = run_rows(t)
    assert run.quarantined("barn.csv") == {3: ["V007"]}
    assert ("barn.csv", 3, "barn_id", "V007") in run.findings()
    assert run.counts["barn.csv"].loaded == 1 and run.counts["barn.csv"].own_errors == 1
    assert _tables_holding(run.con, _needles(PARENT) + _needles(SAMORDNING)) == []


def test_a_number_inside_an_id_and_in_a_reference_is_caught_and_the_references_follow() -> None:
    t = base_tables()
    t["personal"][0]["handlaggare_id"] = f"u-{PARENT}"
    t["aktualisering"][0]["handlaggare_id"] = f"u-{PARENT}"  # a reference: V015 alone would load it
    t["insats"][0]["handlaggare_id"] = f"u-{PARENT}"
    run = run_rows(t)
    assert run.quarantined("personal.csv") == {2: ["V007"]}
    assert run.quarantined("aktualisering.csv") == {2: ["V007", "V015"]}
    assert 2 in run.quarantined("insats.csv") and "V007" in run.quarantined("insats.csv")[2]
    # The ids still name the same rows: the references between the quarantined rows are intact.
    (raw,) = run.con.execute(
        "SELECT raw_json FROM quarantine WHERE file = 'personal.csv'").fetchone() or ("",)
    (akt,) = run.con.execute(
        "SELECT raw_json FROM quarantine WHERE file = 'aktualisering.csv'").fetchone() or ("",)
    token = json.loads(raw)["handlaggare_id"]
    assert token.startswith("***") and len(token) == 19 and json.loads(akt)["handlaggare_id"] == token
    assert _tables_holding(run.con, _needles(PARENT)) == []


def test_a_quarantined_barn_takes_its_records_with_it() -> None:
    t = base_tables()
    for table in ("arende", "aktualisering", "utredning", "insats", "dokument"):
        for row in t[table]:
            row["barn_id"] = PARENT
    t["barn"][0]["barn_id"] = PARENT
    run = run_rows(t)
    assert run.quarantined("barn.csv") == {2: ["V007"]}
    assert "V007" in run.quarantined("arende.csv")[2]
    assert run.counts["utredning_bedomning.csv"].quarantined == 1  # V005 cascade through utredning
    assert _tables_holding(run.con, _needles(PARENT)) == []


@pytest.mark.parametrize("value", [
    "P00000001", "AK000000001", "IN9000000001",  # ids of the synthetic exports
    PARENT[:-1] + str((int(PARENT[-1]) + 1) % 10),  # check digit wrong
    "19801301" + PARENT[8:],  # no month 13
    "1" + PARENT,  # 13 digits: a longer number, not a personal number
    PARENT + "5",
    "",
])
def test_values_that_are_no_personal_number_stay(value: str) -> None:
    assert holds_personnummer(pa.chunked_array([[value]])).tolist() == [False]


def test_holds_personnummer_finds_every_form_among_many_and_a_second_number_in_one_value() -> None:
    values = [f"AK{i:09d}" for i in range(5000)]
    values[17] = FORMS["10-"]
    values[4000] = f"x {PARENT[2:-1]}0 och {SAMORDNING}"  # an invalid number first, a valid one after
    values[4999] = f"{PARENT}"
    arr = pa.chunked_array([values[:2500], values[2500:]])
    assert list(map(int, holds_personnummer(arr).nonzero()[0])) == [17, 4000, 4999]


def test_numbers_as_ids_are_own_errors_that_count_towards_x008() -> None:
    t = base_tables()
    t["personal"] = [{**t["personal"][0], "handlaggare_id": luhn_pnr(f"198001{d:02d}", "123")}
                     for d in range(1, 29)]
    run = run_rows(t, pseudonymiser=new_pseudonymiser())
    assert run.counts["personal.csv"].own_errors == 28
