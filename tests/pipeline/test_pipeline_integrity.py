"""The blocking integrity checks find what they guard against, and a failed one stops the swap."""

from __future__ import annotations

from collections import Counter

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pipeline_helpers import Env, dump, load_log, make_export, run

from bbic_core import contract
from bbic_core.figures.schema import create_snapshot_schema
from pipelines.store import integrity


def _tables() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    create_snapshot_schema(con)
    con.execute("INSERT INTO barn (barn_id) VALUES ('B1'), ('B2')")
    con.execute("INSERT INTO arende (arende_id, barn_id) VALUES ('A1', 'B1'), ('A2', 'B2')")
    con.execute("INSERT INTO utredning (utredning_id, barn_id, arende_id) VALUES ('U1', 'B1', 'A1')")
    con.execute(
        "INSERT INTO utredning_bedomning (utredning_id, omrade) VALUES ('U1', 'HALSA'), ('U1', 'SKOLA')"
    )
    return con


def test_consistent_tables_pass() -> None:
    con = _tables()
    assert integrity.dangling_references(con) == {}
    assert integrity.duplicate_keys(con) == {}


def test_a_reference_to_no_row_and_to_another_childs_row_are_found() -> None:
    con = _tables()
    con.execute("INSERT INTO arende (arende_id, barn_id) VALUES ('A3', 'B9')")  # no such child (V005)
    # U2 belongs to B2 but names B1's ärende (V016).
    con.execute("INSERT INTO utredning (utredning_id, barn_id, arende_id) VALUES ('U2', 'B2', 'A1')")
    assert integrity.dangling_references(con) == {"arende.barn_id": 1, "utredning.arende_id": 1}


def test_keys_held_twice_are_found_single_and_composite() -> None:
    con = _tables()
    con.execute("INSERT INTO barn (barn_id) VALUES ('B1')")
    con.execute("INSERT INTO utredning_bedomning (utredning_id, omrade) VALUES ('U1', 'HALSA')")
    assert integrity.duplicate_keys(con) == {"barn": 1, "utredning_bedomning": 1}


def test_composite_keys_with_many_codes_are_judged_exactly() -> None:
    con = _tables()
    omrade = next(c for c in contract.BY_NAME["utredning_bedomning.csv"].columns if c.name == "omrade")
    listed = omrade.codes.values() if omrade.codes is not None else []
    # U2 has every listed code once and 30 unlisted values, which must share the 24 bits for unlisted
    # values: a suspect, but no key is held twice.
    rows = [*listed, *(f"OKAND_{i}" for i in range(30))]
    con.executemany("INSERT INTO utredning_bedomning (utredning_id, omrade) VALUES ('U2', ?)",
                    [[v] for v in rows])
    assert integrity.duplicate_keys(con) == {}
    con.execute("INSERT INTO utredning_bedomning (utredning_id, omrade) VALUES ('U2', ?), ('U2', 'OKAND_7')",
                [listed[0]])
    assert integrity.duplicate_keys(con) == {"utredning_bedomning": 2}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["U1", "U2", "U3"]),
                          st.sampled_from(["BB_HALSA", "BB_SKOLA", "BB_IDENTITET", "X", "Y", "Z", "W"])),
                max_size=25))
def test_duplicate_keys_agree_with_counting_them(pairs: list[tuple[str, str]]) -> None:
    con = duckdb.connect()
    create_snapshot_schema(con)
    if pairs:
        con.executemany("INSERT INTO utredning_bedomning (utredning_id, omrade) VALUES (?, ?)",
                        [list(p) for p in pairs])
    repeated = sum(1 for n in Counter(pairs).values() if n > 1)
    assert integrity.duplicate_keys(con) == ({"utredning_bedomning": repeated} if repeated else {})


def test_a_failed_blocking_check_stops_the_swap_and_is_logged(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_export(env.inbox, "E1")
    assert run(env).success
    before = dump(env.db)
    make_export(env.inbox, "E2", created_at="2025-02-28T22:00:00+01:00")
    monkeypatch.setattr(integrity, "duplicate_keys", lambda con, prefix="": {"barn": 1})
    result = run(env, item="E2")
    assert not result.success
    assert dump(env.db) == before  # E1 is still the snapshot
    last = load_log(env.db)[-1]
    assert (last["export_id"], last["outcome"], last["refusal_code"]) == (
        "E2",
        "blocked",
        "referential_integrity",
    )
    assert not [
        e for e in result.all_events if e.event_type_value == "STEP_START" and e.step_key == "snapshot"
    ]
