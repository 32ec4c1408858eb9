"""A clean export loads; quarantine accounting; the same export twice; an old one after a new one; --force."""

from __future__ import annotations

import json

import duckdb
from pipeline_helpers import Env, clean_tables, load_log, make_export, run

from bbic_core import contract


def test_clean_export_loads_into_the_snapshot(env: Env) -> None:
    make_export(env.inbox, "E1")
    result = run(env)
    assert result.success
    con = duckdb.connect(str(env.db), read_only=True)
    try:
        meta = con.execute("SELECT export_id, municipality, as_of FROM snapshot_meta").fetchall()
        counts = {
            t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # type: ignore[index]
            for t in contract.LOAD_ORDER
        }
        barn_cols = [r[0] for r in con.execute("DESCRIBE barn").fetchall()]
    finally:
        con.close()
    assert meta == [("E1", "0180", __import__("datetime").date(2025, 1, 31))]
    assert counts == {
        "barn": 4,
        "arende": 3,
        "aktualisering": 3,
        "utredning": 2,
        "utredning_bedomning": 3,
        "insats": 1,
        "dokument": 2,
        "personal": 2,
    }
    assert "personnummer" not in barn_cols and "pseudonym" in barn_cols
    assert not (env.inbox / "E1").exists()  # landed: moved into the archive
    assert (env.archive / "E1" / "export" / "barn.csv").is_file()
    [row] = load_log(env.db)
    assert row["outcome"] == "accepted" and row["export_id"] == "E1" and row["duration_s"] >= 0
    files = json.loads(row["files_json"])
    assert files["barn.csv"] == {
        "read": 4,
        "loaded": 4,
        "quarantined": 0,
        "rules": files["barn.csv"]["rules"],
    }
    assert not list((env.data / "staging").glob("*.duckdb"))  # the staging file is gone after the swap


def test_quarantine_accounting(env: Env) -> None:
    make_export(env.inbox, "E1", tables=clean_tables(n_bad_barn=2))
    result = run(env)
    assert result.success
    [row] = load_log(env.db)
    files = json.loads(row["files_json"])
    for stats in files.values():
        assert stats["read"] == stats["loaded"] + stats["quarantined"]
    assert files["barn.csv"]["quarantined"] == 2 and files["barn.csv"]["rules"].get("V013") == 2
    con = duckdb.connect(str(env.db), read_only=True)
    try:
        quarantined = con.execute("SELECT export_id, file, rules FROM quarantine ORDER BY line").fetchall()
        barn = con.execute("SELECT count(*) FROM barn").fetchone()
    finally:
        con.close()
    assert quarantined == [("E1", "barn.csv", ["V013"]), ("E1", "barn.csv", ["V013"])]
    assert barn == (4,)
    checks = {
        e.asset_check_evaluation_data.check_name: e.asset_check_evaluation_data.passed
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    }
    assert checks["staged_accounting"] and checks["snapshot_accounting"]
    assert checks["staged_referential_integrity"] and checks["staged_error_share"]


def test_same_export_twice_changes_nothing(env: Env) -> None:
    make_export(env.inbox, "E1")
    assert run(env).success
    before = env.db.read_bytes()
    # Paraply delivers the very same export again.
    make_export(env.inbox, "E1")
    result = run(env)
    assert result.success
    log = load_log(env.db)
    assert [r["outcome"] for r in log] == ["accepted", "skipped"]
    assert not (env.inbox / "E1").exists()
    materialized = (
        {k.to_user_string() for k in result.get_asset_materialization_events_by_key()}
        if hasattr(result, "get_asset_materialization_events_by_key")
        else {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    )  # type: ignore[union-attr]
    assert "snapshot" not in materialized
    con = duckdb.connect(str(env.db), read_only=True)
    try:
        assert con.execute("SELECT export_id FROM snapshot_meta").fetchall() == [("E1",)]
        assert con.execute("SELECT count(*) FROM load_log WHERE export_id = 'E1'").fetchone() == (2,)
    finally:
        con.close()
    assert len(before) > 0


def test_old_export_after_new_is_refused_unless_forced(env: Env) -> None:
    make_export(env.inbox, "NEW", created_at="2025-02-28T22:00:00+01:00")
    assert run(env).success
    make_export(env.inbox, "OLD", created_at="2025-01-31T22:00:00+01:00")
    result = run(env)
    assert not result.success
    assert load_log(env.db)[-1]["refusal_code"] == "X009"
    # The operator forces the re-load of the older export (it is in the archive now).
    forced = run(env, export_id="OLD", force=True)
    assert forced.success
    con = duckdb.connect(str(env.db), read_only=True)
    try:
        assert con.execute("SELECT export_id FROM snapshot_meta").fetchall() == [("OLD",)]
    finally:
        con.close()
    last = load_log(env.db)[-1]
    assert last["outcome"] == "accepted" and last["forced"] is True


def test_warnings_are_reported_by_the_non_blocking_check_without_the_staging_file(env: Env) -> None:
    tables = clean_tables()
    tables["personal"][0]["kommentar"] = "x"  # a column the contract does not know: V050, a warning
    make_export(env.inbox, "E1", tables=tables)
    result = run(env)
    assert result.success
    [warnings] = [
        e.asset_check_evaluation_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
        and e.asset_check_evaluation_data.check_name == "staged_warnings"  # type: ignore[union-attr]
    ]
    assert warnings is not None and not warnings.passed
    assert warnings.metadata["warnings"].value == {"V050": 1}  # type: ignore[attr-defined]
