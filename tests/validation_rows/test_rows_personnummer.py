"""V010–V014, and what clean_barn holds instead of the number."""

from __future__ import annotations

import datetime as dt

from rows_fixtures import PNR_1, base_tables, luhn_pnr, new_pseudonymiser, run_rows


def _bad(pnr: str) -> str:
    return pnr[:-1] + str((int(pnr[-1]) + 1) % 10)


def test_v010_invalid_number_dropped_row_kept() -> None:
    t = base_tables()
    t["barn"][0]["personnummer"] = _bad(PNR_1)
    run = run_rows(t)
    assert run.findings("barn.csv") == [("barn.csv", 2, "personnummer", "V010")]
    assert run.con.execute(
        "SELECT pseudonym, fodelsedatum_effektiv, kon_effektiv FROM clean_barn WHERE barn_id = 'B1'"
    ).fetchall() == [(None, dt.date(2015, 3, 12), "1")]


def test_v010_near_miss_separator_and_samordningsnummer_are_valid() -> None:
    samordning = luhn_pnr("20150372", "123")  # day + 60
    t = base_tables()
    t["barn"][0]["personnummer"] = PNR_1[:8] + "-" + PNR_1[8:]
    t["barn"][1]["personnummer"] = samordning
    t["barn"][1]["fodelsedatum"] = "2015-03-12"
    t["barn"][1]["kon"] = ""
    p = new_pseudonymiser()
    run = run_rows(t, pseudonymiser=p)
    assert run.findings("barn.csv") == []
    rows = run.con.execute(
        "SELECT barn_id, pseudonym, fodelsedatum_effektiv, kon_effektiv FROM clean_barn ORDER BY barn_id"
    ).fetchall()
    assert rows == [
        ("B1", p.pseudonym(PNR_1), dt.date(2015, 3, 12), "1"),
        ("B2", p.pseudonym(samordning), dt.date(2015, 3, 12), "1"),
    ]


def test_v011_birth_date_disagrees_number_wins() -> None:
    t = base_tables()
    t["barn"][0]["fodelsedatum"] = "2015-03-13"
    run = run_rows(t)
    assert run.findings("barn.csv") == [("barn.csv", 2, "fodelsedatum", "V011")]
    assert run.con.execute(
        "SELECT fodelsedatum, fodelsedatum_effektiv FROM clean_barn WHERE barn_id = 'B1'"
    ).fetchall() == [(dt.date(2015, 3, 13), dt.date(2015, 3, 12))]


def test_v012_kon_disagrees_with_sex_digit() -> None:
    t = base_tables()
    t["barn"][0]["kon"] = "2"
    run = run_rows(t)
    assert run.findings("barn.csv") == [("barn.csv", 2, "kon", "V012")]
    assert run.counts["barn.csv"].quarantined == 0


def test_v013_no_valid_number_and_no_valid_birth_date() -> None:
    t = base_tables()
    t["barn"] = [
        {"barn_id": "B1", "personnummer": "", "fodelsedatum": ""},
        {"barn_id": "B2", "personnummer": _bad(PNR_1), "fodelsedatum": "2015-02-30"},  # unparsable = absent
        {"barn_id": "B3", "personnummer": _bad(PNR_1), "fodelsedatum": "2015-03-12"},  # near miss
        {"barn_id": "B4", "personnummer": "", "fodelsedatum": "2015-03-12"},  # near miss
    ]
    run = run_rows({"barn": t["barn"]})
    assert run.hits("barn.csv", "V013") == [2, 3]
    assert run.quarantined("barn.csv") == {2: ["V013"], 3: ["V002", "V010", "V013"]}


def test_v014_same_number_on_two_children() -> None:
    t = base_tables()
    t["barn"][1] = {"barn_id": "B2", "personnummer": PNR_1[:8] + "-" + PNR_1[8:]}
    run = run_rows(t)
    assert run.hits("barn.csv", "V014") == [2, 3]
    assert run.counts["barn.csv"].loaded == 2


def test_v014_near_miss_invalid_numbers_are_not_compared() -> None:
    t = base_tables()
    t["barn"][0]["personnummer"] = _bad(PNR_1)
    t["barn"][1] = {"barn_id": "B2", "personnummer": _bad(PNR_1), "fodelsedatum": "2015-03-12"}
    assert "V014" not in run_rows(t).codes("barn.csv")
