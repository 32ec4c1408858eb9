"""The blocking integrity checks find what they guard against, and a failed one stops the swap."""

from __future__ import annotations

import duckdb
import pytest
from pipeline_helpers import Env, dump, load_log, make_export, run

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
