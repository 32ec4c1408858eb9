"""V004 (same key, rows differ: all quarantined) vs V004W (identical copies: first loads)."""

from __future__ import annotations

from rows_fixtures import PNR_1, base_tables, luhn_pnr, run_rows


def test_v004_same_key_rows_differ_all_quarantined() -> None:
    t = base_tables()
    t["personal"].append({**t["personal"][0], "roll": "ENHETSCHEF"})
    run = run_rows(t)
    assert run.quarantined("personal.csv") == {2: ["V004"], 3: ["V004"]}
    assert run.counts["personal.csv"].own_errors == 2
    assert run.counts["personal.csv"].loaded == 0


def test_v004w_identical_copies_first_loads() -> None:
    t = base_tables()
    copy = {k: f" {v.lower()}\t" if k in ("stadsdel", "roll") else v for k, v in t["personal"][0].items()}
    t["personal"] += [dict(t["personal"][0]), copy]
    run = run_rows(t)
    assert run.quarantined("personal.csv") == {3: ["V004W"], 4: ["V004W"]}
    assert run.con.execute("SELECT _line FROM clean_personal").fetchall() == [(2,)]
    counts = run.counts["personal.csv"]
    assert (counts.read, counts.loaded, counts.quarantined, counts.own_errors) == (3, 1, 2, 0)
    assert counts.rules == {"V004W": 2}
    # The aktualisering naming H1 is not touched: one H1 row is clean.
    assert run.codes("aktualisering.csv") == set()


def test_v004_keys_judged_after_trimming() -> None:
    t = base_tables()
    t["arende"].append({**t["arende"][0], "arende_id": "A1 ", "oppnat_datum": "2024-02-01"})
    run = run_rows(t)
    assert run.hits("arende.csv", "V004") == [2, 3]


def test_v004_near_miss_ids_are_case_sensitive() -> None:
    t = base_tables()
    t["personal"].append({**t["personal"][0], "handlaggare_id": "h1"})
    assert run_rows(t).codes("personal.csv") == set()


def test_v004_barn_differing_only_in_invalid_numbers() -> None:
    t = base_tables()
    bad_a, bad_b = PNR_1[:-1] + str((int(PNR_1[-1]) + 1) % 10), PNR_1[:-1] + str((int(PNR_1[-1]) + 2) % 10)
    t["barn"] = [
        {"barn_id": "B9", "personnummer": bad_a, "fodelsedatum": "2015-03-12"},
        {"barn_id": "B9", "personnummer": bad_b, "fodelsedatum": "2015-03-12"},
    ]
    run = run_rows({"barn": t["barn"]})
    assert run.hits("barn.csv", "V004") == [2, 3]


def test_v004w_barn_same_number_in_two_forms() -> None:
    pnr = luhn_pnr("20120101", "111")
    barn = [
        {"barn_id": "B9", "personnummer": pnr},
        {"barn_id": "B9", "personnummer": pnr[:8] + "-" + pnr[8:]},
    ]
    run = run_rows({"barn": barn})
    assert run.quarantined("barn.csv") == {3: ["V004W"]}


def test_v004_composite_key_of_an_id_and_a_code() -> None:
    # utredning_bedomning's key is (utredning_id, omrade): a repeated code of one investigation is found
    # whether the code is in the list or not (unlisted values share the mask's hashed bits).
    t = base_tables()
    first = t["utredning_bedomning"][0]
    t["utredning_bedomning"] += [
        {**first, "omrade": "BU_SKOLA"},  # another code of U1: its own key            line 3
        dict(first),  # an identical copy of line 2                                      line 4
        {**first, "omrade": "OKAND_1"},  # unlisted (V003)                               line 5
        {**first, "omrade": "OKAND_1", "bedomning": "INGET_BEHOV"},  # same key, differs  line 6
        *({**first, "omrade": f"OKAND_X{i}"} for i in range(30)),  # distinct: no V004
    ]
    run = run_rows(t)
    assert run.hits("utredning_bedomning.csv", "V004W") == [4]
    assert run.hits("utredning_bedomning.csv", "V004") == [5, 6]
