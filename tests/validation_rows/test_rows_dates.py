"""V020–V024."""

from __future__ import annotations

import datetime as dt

from rows_fixtures import AS_OF, base_tables, run_rows


def test_v020_dates_out_of_order() -> None:
    t = base_tables()
    t["arende"][0]["avslutat_datum"] = "2024-01-09"
    t["aktualisering"][0]["skyddsbedomning_datum"] = "2024-01-09"
    run = run_rows(t)
    assert ("arende.csv", 2, "avslutat_datum", "V020") in run.findings()
    assert ("aktualisering.csv", 2, "skyddsbedomning_datum", "V020") in run.findings()


def test_v020_strict_order_of_forlangd_till() -> None:
    t = base_tables()
    t["utredning"][0]["forlangd_till"] = "2024-01-20"  # equal to inledd_datum: not after it
    assert run_rows(t).hits("utredning.csv", "V020") == [2]
    t["utredning"][0]["forlangd_till"] = "2024-01-21"
    assert run_rows(t).hits("utredning.csv", "V020") == []


def test_v020_insats_end_against_decision_when_start_is_empty() -> None:
    t = base_tables()
    t["insats"][0]["slut_datum"] = "2024-05-01"  # before beslut_datum 2024-05-02
    assert run_rows(t).hits("insats.csv", "V020") == [2]
    t["insats"][0]["start_datum"] = "2024-04-20"  # a start before the decision: the end is after it
    assert run_rows(t).hits("insats.csv", "V020") == []


def test_v020_near_miss_equal_dates() -> None:
    t = base_tables()
    t["arende"].append({**t["arende"][0], "arende_id": "A2", "avslutat_datum": "2024-01-10"})
    t["insats"][0]["slut_datum"] = "2024-05-02"
    assert run_rows(t).findings() == []


def test_v021_after_as_of_but_planned_dates_may() -> None:
    t = base_tables()
    later = (AS_OF + dt.timedelta(days=1)).isoformat()
    t["personal"].append({**t["personal"][0], "handlaggare_id": "H2", "anstalld_fran": later})
    t["personal"][0]["anstalld_till"] = "2030-12-31"
    t["utredning"][0]["forlangd_till"] = "2030-01-01"
    t["insats"][0]["start_datum"] = "2029-01-01"
    t["insats"][0]["slut_datum"] = "2030-01-01"
    run = run_rows(t)
    assert run.findings() == [("personal.csv", 3, "anstalld_fran", "V021")]


def test_v021_near_miss_on_the_as_of_date() -> None:
    t = base_tables()
    t["personal"][0]["anstalld_fran"] = AS_OF.isoformat()
    assert run_rows(t).findings() == []


def test_v022_before_1900() -> None:
    t = base_tables()
    t["personal"][0]["anstalld_fran"] = "1899-12-31"
    assert run_rows(t).findings("personal.csv") == [("personal.csv", 2, "anstalld_fran", "V022")]
    t["personal"][0]["anstalld_fran"] = "1900-01-01"
    assert run_rows(t).findings() == []


def _child_with_report(birth: str, received: str) -> dict[str, list[dict[str, str]]]:
    t = base_tables()
    t["barn"].append({"barn_id": "B3", "fodelsedatum": birth})
    t["aktualisering"].append(
        {
            **t["aktualisering"][0],
            "aktualisering_id": "K3",
            "barn_id": "B3",
            "arende_id": "",
            "inkom_datum": received,
            "skyddsbedomning_datum": "",
            "forhandsbedomning_datum": "",
            "forhandsbedomning_beslut": "",
        }
    )
    return t


def test_v023_older_than_20_at_the_event() -> None:
    run = run_rows(_child_with_report("2000-01-01", "2021-01-01"))
    assert run.hits("aktualisering.csv", "V023") == [3]
    assert run.quarantined("aktualisering.csv") == {}


def test_v023_before_birth() -> None:
    run = run_rows(_child_with_report("2020-05-01", "2020-04-30"))
    assert run.hits("aktualisering.csv", "V023") == [3]


def test_v023_near_miss_20_years_and_birth_day() -> None:
    assert run_rows(_child_with_report("2000-01-01", "2020-12-31")).hits("aktualisering.csv", "V023") == []
    assert run_rows(_child_with_report("2020-05-01", "2020-05-01")).hits("aktualisering.csv", "V023") == []


def test_v023_born_29_february_completes_a_year_on_1_march() -> None:
    assert run_rows(_child_with_report("2004-02-29", "2025-02-28")).hits("aktualisering.csv", "V023") == []
    assert run_rows(_child_with_report("2004-02-29", "2025-03-01")).hits("aktualisering.csv", "V023") == [3]


def test_v023_uses_the_numbers_date_over_fodelsedatum() -> None:
    t = _child_with_report("2000-01-01", "2021-01-01")
    t["barn"][-1]["personnummer"] = t["barn"][0]["personnummer"]  # born 2015: age 5 at the event
    t["barn"][-1]["fodelsedatum"] = ""
    assert run_rows(t).hits("aktualisering.csv", "V023") == []


def test_v024_event_outside_the_case_period() -> None:
    t = base_tables()
    t["arende"][0]["avslutat_datum"] = "2024-05-01"  # the insats (beslut 2024-05-02) is after it
    t["aktualisering"][0]["inkom_datum"] = "2024-01-09"  # before oppnat_datum
    t["aktualisering"][0]["skyddsbedomning_datum"] = "2024-01-09"
    run = run_rows(t)
    assert run.hits("insats.csv", "V024") == [2]
    assert run.hits("aktualisering.csv", "V024") == [2]
    assert run.counts["insats.csv"].quarantined == 0


def test_v024_near_miss_open_ended_case() -> None:
    t = base_tables()
    t["insats"][0]["beslut_datum"] = "2025-06-01"
    assert run_rows(t).findings() == []


def test_v023_and_v024_on_every_event_date_recorded_on_the_events_row() -> None:
    t = base_tables()
    t["barn"][0]["personnummer"] = ""
    t["barn"][0]["fodelsedatum"] = "2000-01-01"  # 21 at the investigation and the decision
    t["arende"][0]["avslutat_datum"] = "2024-01-15"  # the investigation (2024-01-20) starts after it
    run = run_rows(t)
    assert run.hits("utredning.csv", "V023") == [2] and run.hits("insats.csv", "V023") == [2]
    assert run.hits("utredning.csv", "V024") == [2] and run.hits("insats.csv", "V024") == [2]
    assert {f[2] for f in run.findings() if f[3] in ("V023", "V024")} == {
        "inkom_datum", "inledd_datum", "beslut_datum"}
    assert run.codes("barn.csv") == set() and run.codes("arende.csv") == set()
    assert all(c.quarantined == 0 for c in run.counts.values())
