"""V005 (no row / quarantined row) and its cascade over several files, V015, V016."""

from __future__ import annotations

from rows_fixtures import base_tables, run_rows


def test_v005_cascade_from_a_quarantined_barn_through_every_file() -> None:
    t = base_tables()
    t["barn"][0]["kon"] = "X"  # V003: B1 is quarantined
    run = run_rows(t)
    assert run.quarantined("barn.csv") == {2: ["V003"]}
    assert run.quarantined("arende.csv") == {2: ["V005"]}
    assert run.quarantined("aktualisering.csv") == {2: ["V005"]}
    assert run.quarantined("utredning.csv") == {2: ["V005"]}
    assert run.quarantined("utredning_bedomning.csv") == {2: ["V005"]}  # only through its utredning
    assert run.quarantined("insats.csv") == {2: ["V005"]}
    assert run.quarantined("dokument.csv") == {2: ["V005"]}
    # every reference to a quarantined row is named, and none of them counts for X008
    assert run.hits("aktualisering.csv", "V005") == [2]
    cols = {f[2] for f in run.findings("aktualisering.csv") if f[3] == "V005"}
    assert cols == {"barn_id", "arende_id"}
    assert {n: c.own_errors for n, c in run.counts.items() if c.own_errors} == {"barn.csv": 1}
    assert run.counts["barn.csv"].loaded == 1  # B2 is untouched
    assert run.counts["personal.csv"].quarantined == 0


def test_v005_cascade_starting_mid_chain() -> None:
    t = base_tables()
    t["utredning"][0]["bbic_formular"] = "kanske"  # V002
    run = run_rows(t)
    assert run.quarantined("utredning.csv") == {2: ["V002"]}
    assert run.quarantined("utredning_bedomning.csv") == {2: ["V005"]}
    assert run.quarantined("insats.csv") == {2: ["V005"]}
    assert run.quarantined("dokument.csv") == {2: ["V005"]}
    assert run.quarantined("arende.csv") == {} and run.quarantined("aktualisering.csv") == {}


def test_v005_reference_to_no_row_counts_as_own_fault() -> None:
    t = base_tables()
    t["dokument"][0].update(barn_id="NOPE", typ="GRUNDUPPGIFTER", insats_id="")
    run = run_rows(t)
    assert run.quarantined("dokument.csv") == {2: ["V005"]}
    assert run.counts["dokument.csv"].own_errors == 1


def test_v005_near_miss_optional_reference_empty() -> None:
    t = base_tables()
    t["utredning"][0]["aktualisering_id"] = ""
    t["insats"][0]["utredning_id"] = ""
    assert run_rows(t).findings() == []


def test_v015_unknown_handlaggare_is_a_warning_only() -> None:
    t = base_tables()
    t["insats"][0]["handlaggare_id"] = "H9"
    run = run_rows(t)
    assert ("insats.csv", 2, "handlaggare_id", "V015") in run.findings()
    assert run.quarantined("insats.csv") == {}
    assert run.quarantined("dokument.csv") == {}


def test_v015_against_clean_personal_not_v005() -> None:
    t = base_tables()
    t["personal"][0]["roll"] = "CHEF"  # V003: H1 is quarantined
    run = run_rows(t)
    assert run.quarantined("personal.csv") == {2: ["V003"]}
    assert run.hits("aktualisering.csv", "V015") == [2]
    assert run.quarantined("aktualisering.csv") == {}
    assert "V005" not in run.codes("aktualisering.csv")


def test_v016_record_of_another_child() -> None:
    t = base_tables()
    t["arende"].append(
        {"arende_id": "A2", "barn_id": "B2", "stadsdel": "bromma", "oppnat_datum": "2024-01-01"}
    )
    t["insats"][0]["arende_id"] = "A2"  # A2 belongs to B2, the insats to B1
    run = run_rows(t)
    assert ("insats.csv", 2, "arende_id", "V016") in run.findings()
    assert run.quarantined("insats.csv") == {2: ["V016"]}
    assert run.counts["insats.csv"].own_errors == 1
    assert run.quarantined("dokument.csv") == {2: ["V005"]}  # its dokument follows


def test_v016_near_miss_same_child() -> None:
    t = base_tables()
    t["arende"].append(
        {"arende_id": "A2", "barn_id": "B1", "stadsdel": "bromma", "oppnat_datum": "2024-01-01"}
    )
    t["insats"][0]["arende_id"] = "A2"
    assert run_rows(t).findings() == []


def test_v005_ids_are_compared_exactly_after_trimming() -> None:
    t = base_tables()
    t["arende"][0]["barn_id"] = " B1\t"  # trimmed: names B1
    assert run_rows(t).findings() == []
    t["arende"][0]["barn_id"] = "b1"  # ids are not case-folded: names no row
    run = run_rows(t)
    assert run.findings("arende.csv") == [("arende.csv", 2, "barn_id", "V005")]
    assert run.counts["arende.csv"].own_errors == 1
