"""V001, V002, V003 (incl. stadsdel against the register), V006."""

from __future__ import annotations

from rows_fixtures import base_tables, run_rows


def test_base_export_breaks_no_rule() -> None:
    run = run_rows(base_tables(), districts={"bromma"})
    assert run.findings() == []
    assert all(c.quarantined == 0 and c.loaded == c.read for c in run.counts.values())


def test_v001_required_value_missing_after_trim() -> None:
    t = base_tables()
    t["arende"][0]["oppnat_datum"] = " \t "  # blank after trimming spaces and tabs = null
    run = run_rows(t)
    assert ("arende.csv", 2, "oppnat_datum", "V001") in run.findings()
    assert run.quarantined("arende.csv") == {2: ["V001"]}


def test_v001_near_miss_optional_value_empty() -> None:
    t = base_tables()
    t["arende"][0]["avslutat_datum"] = ""
    assert run_rows(t).codes("arende.csv") == set()


def test_v002_date_flag_municipality_and_length() -> None:
    t = base_tables()
    t["arende"][0]["oppnat_datum"] = "2024-1-10"
    t["aktualisering"][0]["bbic_formular"] = "Ja"
    t["barn"][0]["folkbokford_kommun"] = "180"
    t["personal"][0]["handlaggare_id"] = "H" * 41
    run = run_rows(t)
    assert ("arende.csv", 2, "oppnat_datum", "V002") in run.findings()
    assert ("aktualisering.csv", 2, "bbic_formular", "V002") in run.findings()
    assert ("barn.csv", 2, "folkbokford_kommun", "V002") in run.findings()
    assert ("personal.csv", 2, "handlaggare_id", "V002") in run.findings()
    assert 2 in run.quarantined("arende.csv")


def test_v002_near_miss_case_and_blanks_are_normalised() -> None:
    t = base_tables()
    t["aktualisering"][0]["bbic_formular"] = " j\t"
    t["arende"][0]["oppnat_datum"] = " 2024-01-10 "
    t["personal"][0]["handlaggare_id"] = "H" * 40
    for table in ("aktualisering", "utredning", "insats"):
        t[table][0]["handlaggare_id"] = "H" * 40
    run = run_rows(t)
    assert run.findings() == []
    assert run.con.execute("SELECT bbic_formular FROM clean_aktualisering").fetchall() == [(True,)]


def test_v003_code_not_in_list_and_kon() -> None:
    t = base_tables()
    t["aktualisering"][0]["orsak"] = "OKAND"
    t["barn"][1]["kon"] = "3"
    run = run_rows(t)
    assert ("aktualisering.csv", 2, "orsak", "V003") in run.findings()
    assert ("barn.csv", 3, "kon", "V003") in run.findings()


def test_v003_near_miss_codes_are_case_insensitive() -> None:
    t = base_tables()
    t["aktualisering"][0]["orsak"] = "bristande_omsorg"
    run = run_rows(t)
    assert run.findings() == []
    assert run.con.execute("SELECT orsak FROM clean_aktualisering").fetchall() == [("BRISTANDE_OMSORG",)]


def test_v003_unknown_stadsdel_only_with_a_register() -> None:
    t = base_tables()
    t["arende"][0]["stadsdel"] = "atlantis"
    assert ("arende.csv", 2, "stadsdel", "V003") in run_rows(t, districts={"bromma"}).findings()
    assert run_rows(t, districts=None).codes("arende.csv") == set()


def test_v003_near_miss_stadsdel_is_lower_cased() -> None:
    t = base_tables()
    t["arende"][0]["stadsdel"] = " BROMMA"
    run = run_rows(t, districts={"bromma"})
    assert run.findings() == []
    assert run.con.execute("SELECT stadsdel FROM clean_arende").fetchall() == [("bromma",)]


def test_v006_more_fields_than_header() -> None:
    t = base_tables()
    t["personal"][0]["_extra"] = ["surplus"]  # type: ignore[assignment]
    run = run_rows(t)
    assert run.quarantined("personal.csv") == {2: ["V006"]}
    raw = run.con.execute("SELECT raw_json FROM quarantine").fetchall()[0][0]
    assert '"_extra":["surplus"]' in raw
