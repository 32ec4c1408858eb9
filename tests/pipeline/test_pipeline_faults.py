"""Nothing lost under faults: a landed export stays pending until loaded or refused, one bad inbox item
never blocks the others, and nothing outside the inbox is followed into the archive."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import pytest
from pipeline_helpers import Env, clean_tables, cli_environment, load_log, make_export, run_args
from typer.testing import CliRunner

from bbic_cli.main import app
from pipelines import pending
from pipelines.runner import run_nightly

runner = CliRunner()


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch, env: Env) -> None:
    cli_environment(monkeypatch, env)


def _cli(env: Env, *extra: str) -> list[str]:
    return run_args(env, *extra)


def test_an_export_not_loaded_after_landing_stays_pending_and_the_next_run_loads_it(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_export(env.inbox, "E1")
    monkeypatch.setenv("BBIC_MUNICIPALITY", "1480")  # not the register's: fails after landing
    first = runner.invoke(app, _cli(env))
    assert first.exit_code == 1, first.output
    assert "E1: VÄNTAR" in first.output and "BBIC_MUNICIPALITY is 1480" in first.output
    assert "Traceback" not in first.output
    assert not (env.inbox / "E1").exists()  # landed: the archive holds it, marked pending
    assert [p.export_id for p in pending.pending_exports(env.archive)] == ["E1"]
    rows = load_log(env.db)
    assert [(r["export_id"], r["outcome"]) for r in rows] == [("E1", "error")]
    assert "BBIC_MUNICIPALITY" in rows[0]["refusal_message"]
    again = runner.invoke(app, _cli(env))  # still misconfigured: still pending, not "nothing new"
    assert again.exit_code == 1 and "E1: VÄNTAR" in again.output and "Inga nya" not in again.output
    monkeypatch.delenv("BBIC_MUNICIPALITY")
    fixed = runner.invoke(app, _cli(env))
    assert fixed.exit_code == 0, fixed.output
    assert "E1: inläst" in fixed.output
    assert pending.pending_exports(env.archive) == []
    assert [r["outcome"] for r in load_log(env.db)] == ["error", "error", "accepted"]
    assert "Inga nya exporter" in runner.invoke(app, _cli(env)).output


def test_a_refused_export_is_not_pending(env: Env) -> None:
    make_export(env.inbox, "E1", created_at="2025-01-31T22:00:00")  # no offset: X001
    summary = run_nightly(env.resources(settle_seconds=0), reports=False)
    assert [e.outcome for e in summary.exports] == ["refused"]
    assert pending.pending_exports(env.archive) == []


def test_an_export_whose_rows_fall_is_held_until_forced(env: Env) -> None:
    tables = clean_tables()
    tables["barn"] += [{"barn_id": f"Y{i}", "fodelsedatum": "2018-07-01", "kon": "1"} for i in range(20)]
    make_export(env.inbox, "E1", tables=tables)
    assert runner.invoke(app, _cli(env)).exit_code == 0
    make_export(env.inbox, "E2", created_at="2025-02-28T22:00:00+01:00")  # barn 24 -> 4
    held = runner.invoke(app, _cli(env))
    assert held.exit_code == 2, held.output
    assert "E2: HÅLLS" in held.output and "barn 24 → 4" in held.output
    assert [r["outcome"] for r in load_log(env.db)] == ["accepted", "held"]
    again = runner.invoke(app, _cli(env))  # not validated again every night: shown as held
    assert again.exit_code == 2 and "E2: HÅLLS" in again.output
    assert [r["outcome"] for r in load_log(env.db)] == ["accepted", "held"]
    forced = runner.invoke(app, _cli(env, "--force"))
    assert forced.exit_code == 0, forced.output
    assert "E2: inläst" in forced.output and pending.pending_exports(env.archive) == []


def _nested_manifest(folder: Path, depth: int = 100_000) -> None:
    folder.mkdir()
    (folder / "manifest.json").write_text("[" * depth + "]" * depth, encoding="utf-8")


def _bad_crc_zip(path: Path, good: Path) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        for child in sorted(good.iterdir()):
            zf.write(child, child.name)
    data = bytearray(path.read_bytes())
    at = data.index(b'"export_id"')  # a byte inside the stored manifest member: its CRC no longer holds
    data[at + 1] ^= 0x20
    path.write_bytes(bytes(data))


def test_bad_items_are_refused_and_the_good_export_beside_them_loads(env: Env, tmp_path: Path) -> None:
    _nested_manifest(env.inbox / "deep")
    source = make_export(tmp_path / "elsewhere", "Z1")
    _bad_crc_zip(env.inbox / "crc.zip", source)
    make_export(env.inbox, "E1")
    for item in env.inbox.iterdir():
        os.utime(item, (0, 0))
    summary = run_nightly(env.resources(settle_seconds=0), reports=False)
    outcomes = {e.item: (e.outcome, e.line) for e in summary.exports}
    assert outcomes["E1"][0] == "accepted"
    for bad in ("deep", "crc.zip"):
        assert outcomes[bad][0] == "refused", outcomes
        assert "X001" in outcomes[bad][1]
    assert pending.pending_exports(env.archive) == []
    assert sorted(r["outcome"] for r in load_log(env.db)) == ["accepted", "refused", "refused"]


def test_an_item_that_makes_the_reader_fail_is_refused_x001(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever the reader raises for one item (here a RecursionError from deep in the validator) is that
    item's X001, and the item after it still loads."""
    import pipelines.defs.validation.assets as validation

    real = validation.run_validation

    def failing(path: Path, **kwargs: object) -> object:
        if "E1" in str(path):
            raise RecursionError("maximum recursion depth exceeded")
        return real(path, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(validation, "run_validation", failing)
    make_export(env.inbox, "E1")
    make_export(env.inbox, "E2", created_at="2025-02-28T22:00:00+01:00")
    summary = run_nightly(env.resources(settle_seconds=0), reports=False)
    assert [(e.export_id, e.outcome) for e in summary.exports] == [("E1", "refused"), ("E2", "accepted")]
    assert "X001" in summary.exports[0].line and "RecursionError" in summary.exports[0].line


SECRET = b"BBIC_PSEUDONYM_KEY=the-secret-of-the-environment"


def _archived_bytes(archive: Path) -> bytes:
    return b"".join(p.read_bytes() for p in archive.rglob("*") if p.is_file() and not p.is_symlink())


def test_a_symlink_in_an_item_is_refused_and_nothing_outside_is_archived(env: Env, tmp_path: Path) -> None:
    secret = tmp_path / "environ"
    secret.write_bytes(SECRET)
    folder = make_export(env.inbox, "E1")
    (folder / "notes.txt").symlink_to(secret)
    os.utime(folder / "notes.txt", (0, 0), follow_symlinks=False)
    summary = run_nightly(env.resources(settle_seconds=0), reports=False)
    assert [e.outcome for e in summary.exports] == ["refused"]
    assert "X001" in summary.exports[0].line and "notes.txt is a symbolic link" in summary.exports[0].line
    assert SECRET not in _archived_bytes(env.archive)
    assert not (env.inbox / "E1").exists()  # moved aside, where no scan looks
    assert (env.inbox / ".refused").is_dir() and secret.read_bytes() == SECRET
    assert [r["refusal_code"] for r in load_log(env.db)] == ["X001"]


def test_an_item_that_is_a_symlink_to_a_folder_is_refused_and_the_folder_untouched(
    env: Env, tmp_path: Path
) -> None:
    outside = make_export(tmp_path / "outside", "E9")
    modes = {p.name: p.stat().st_mode for p in outside.iterdir()}
    (env.inbox / "E9").symlink_to(outside, target_is_directory=True)
    summary = run_nightly(env.resources(settle_seconds=0), reports=False)
    assert [e.outcome for e in summary.exports] == ["refused"]
    assert "is a symbolic link" in summary.exports[0].line
    assert {p.name: p.stat().st_mode for p in outside.iterdir()} == modes
    assert all(p.stat().st_nlink == 1 for p in outside.iterdir())  # nothing hard-linked into the archive
    assert not any((env.archive).glob("E9*"))


def test_files_not_in_the_manifest_are_not_archived(env: Env) -> None:
    folder = make_export(env.inbox, "E1")
    (folder / "extra.txt").write_bytes(SECRET)
    os.utime(folder / "extra.txt", (0, 0))
    summary = run_nightly(env.resources(settle_seconds=0), reports=False)
    assert [e.outcome for e in summary.exports] == ["accepted"]
    assert SECRET not in _archived_bytes(env.archive)
    landed = json.loads((env.archive / "E1" / "landed.json").read_text(encoding="utf-8"))
    assert landed["not_landed"] == ["extra.txt"]


def test_the_sensor_and_the_schedule_retry_a_pending_export(env: Env) -> None:
    import datetime as dt

    import dagster as dg
    from pipeline_helpers import run

    from pipelines.defs.landing.sensors import RETRY_AFTER_S, inbox_sensor
    from pipelines.defs.schedules import nightly_schedule

    make_export(env.inbox, "E1")
    assert not run(env, item="E1", municipality="1480").success  # landed, not loaded: pending
    [waiting] = pending.pending_exports(env.archive)
    with dg.instance_for_test() as instance:
        context = dg.build_sensor_context(instance=instance, resources=env.resources())
        assert isinstance(inbox_sensor(context), dg.SkipReason)  # too soon after the failed attempt
        old = waiting.updated - RETRY_AFTER_S - 1
        os.utime(waiting.archive_dir / pending.PENDING, (old, old))
        result = inbox_sensor(dg.build_sensor_context(instance=instance, resources=env.resources()))
    assert isinstance(result, dg.SensorResult)
    [request] = result.run_requests or []
    assert request.run_key == "pending:E1:0"
    config = request.run_config["ops"]["landed_export"]["config"]
    assert config == {"pending": "E1"}
    when = dt.datetime(2025, 2, 1, 2, 30, tzinfo=dt.UTC)
    scheduled = nightly_schedule(
        dg.build_schedule_context(resources=env.resources(), scheduled_execution_time=when)
    )
    assert isinstance(scheduled, list) and [r.run_key for r in scheduled] == ["2025-02-01:pending:E1"]
    assert run(env, pending=config["pending"]).success
    assert pending.pending_exports(env.archive) == []
    assert [r["outcome"] for r in load_log(env.db)] == ["error", "accepted"]
