"""V030–V037 and V050."""

from __future__ import annotations

from rows_fixtures import base_tables, run_rows


def test_v030_pre_assessment_date_and_decision_together() -> None:
    t = base_tables()
    t["aktualisering"][0]["forhandsbedomning_beslut"] = ""
    assert run_rows(t).hits("aktualisering.csv", "V030") == [2]
    t["aktualisering"][0]["forhandsbedomning_datum"] = ""  # near miss: both empty
    assert run_rows(t).hits("aktualisering.csv", "V030") == []


def test_v031_resultat_only_on_closed_investigations() -> None:
    t = base_tables()
    t["utredning"][0]["resultat"] = ""
    assert run_rows(t).hits("utredning.csv", "V031") == [2]
    t["utredning"][0]["avslutad_datum"] = ""  # near miss: open without result
    assert run_rows(t).hits("utredning.csv", "V031") == []
    t["utredning"][0]["resultat"] = "INSATS"  # open with a result
    assert run_rows(t).hits("utredning.csv", "V031") == [2]


def test_v032_lvu_on_open_intervention() -> None:
    t = base_tables()
    t["insats"][0]["lagrum"] = "LVU_2"
    run = run_rows(t)
    assert run.quarantined("insats.csv") == {2: ["V032"]}
    t["insats"][0]["insatstyp"] = "FAMILJEHEM"  # near miss: a placement
    assert run_rows(t).findings() == []


def test_v033_anonymous_reporter_with_duty_to_report() -> None:
    t = base_tables()
    t["aktualisering"][0]["anonym"] = "j"
    run = run_rows(t)
    assert run.hits("aktualisering.csv", "V033") == [2]
    assert run.counts["aktualisering.csv"].quarantined == 0
    t["aktualisering"][0]["anmalare"] = "FORALDER"  # near miss
    assert run_rows(t).findings() == []


def test_v034_and_v037_on_anmalan_only() -> None:
    t = base_tables()
    t["aktualisering"][0].update(anmalare="", skyddsbedomning_datum="")
    run = run_rows(t)
    assert run.hits("aktualisering.csv", "V034") == [2]
    assert run.hits("aktualisering.csv", "V037") == [2]
    assert run.counts["aktualisering.csv"].quarantined == 0
    t["aktualisering"][0]["typ"] = "ANSOKAN"  # near miss
    assert run_rows(t).findings() == []


def test_v035_intervention_document_without_insats() -> None:
    t = base_tables()
    t["dokument"][0]["insats_id"] = ""
    assert run_rows(t).quarantined("dokument.csv") == {2: ["V035"]}
    t["dokument"][0]["typ"] = "GRUNDUPPGIFTER"  # near miss
    assert run_rows(t).findings() == []


def test_v036_area_of_the_other_triangle_version() -> None:
    t = base_tables()
    t["utredning_bedomning"] += [
        {
            "utredning_id": "U1",
            "omrade": "BB_HALSA",
            "bedomning": "BEHOV",
        },  # 2006 area on a 2016 investigation
        {"utredning_id": "U1", "omrade": "FF_SAKERHET", "bedomning": "BEHOV"},  # in both: near miss
        {"utredning_id": "U1", "omrade": "PÅHITTAT", "bedomning": "BEHOV"},  # in neither: V003
    ]
    run = run_rows(t)
    assert run.quarantined("utredning_bedomning.csv") == {3: ["V036"], 5: ["V003"]}


def test_v036_default_version_is_2006() -> None:
    t = base_tables()
    t["utredning"][0]["triangel_version"] = ""
    run = run_rows(t)
    assert run.quarantined("utredning_bedomning.csv") == {2: ["V036"]}  # BU_HALSA is 2016
    assert run.con.execute("SELECT triangel_version FROM clean_utredning").fetchall() == [("2006",)]


def test_v050_unknown_column_once_per_file() -> None:
    t = base_tables()
    t["arende"].append({**t["arende"][0], "arende_id": "A2"})
    for row in t["arende"]:
        row["kommentar"] = "x"
    run = run_rows(t)
    assert run.findings("arende.csv") == [("arende.csv", 1, "kommentar", "V050")]
    assert run.counts["arende.csv"].rules == {"V050": 1}
    assert run.counts["arende.csv"].quarantined == 0
    assert run_rows(base_tables()).codes("arende.csv") == set()  # near miss
