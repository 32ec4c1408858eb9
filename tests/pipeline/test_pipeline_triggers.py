"""The inbox sensor, the nightly schedule, and the code location as the webserver loads it."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
from pipeline_helpers import Env, backdate, make_export, run

from pipelines.definitions import ASSET_CHECKS, build_definitions
from pipelines.defs.landing.sensors import LOAD_JOB, inbox_sensor
from pipelines.defs.schedules import TIMEZONE, nightly_schedule

ROOT = Path(__file__).resolve().parents[2]


def _requests(result: dg.SensorResult | dg.SkipReason | object) -> list[dg.RunRequest]:
    assert isinstance(result, dg.SensorResult), result
    return list(result.run_requests or [])


def test_sensor_requests_one_run_per_complete_export_and_skips_half_written(env: Env) -> None:
    make_export(env.inbox, "E2", created_at="2025-02-28T22:00:00+01:00")
    make_export(env.inbox, "E1")
    fresh = make_export(env.inbox, "E3", created_at="2025-03-31T22:00:00+02:00", age_seconds=0)
    no_manifest = make_export(env.inbox, "E4", created_at="2025-04-30T22:00:00+02:00")
    (no_manifest / "manifest.json").unlink()  # Paraply has not written the manifest yet
    (env.inbox / "E5.zip").write_bytes(b"PK\x03\x04 half a zip")  # still being copied (just now)

    context = dg.build_sensor_context(resources=env.resources())
    requests = _requests(inbox_sensor(context))

    assert [r.run_key for r in requests] == ["E1", "E2"]  # oldest first; E3..E5 wait
    assert requests[0].job_name == LOAD_JOB
    assert requests[0].run_config == {"ops": {"landed_export": {"config": {"item": "E1", "export_id": "E1"}}}}
    assert fresh.exists()

    # Once E3 has been left alone for the settle interval, it is requested too.
    backdate(fresh, 3600)
    keys = [r.run_key for r in _requests(inbox_sensor(dg.build_sensor_context(resources=env.resources())))]
    assert keys == ["E1", "E2", "E3"]


def test_sensor_runs_load_the_export(env: Env) -> None:
    make_export(env.inbox, "E1")
    [request] = _requests(inbox_sensor(dg.build_sensor_context(resources=env.resources())))
    config = request.run_config["ops"]["landed_export"]["config"]
    assert run(env, item=config["item"], export_id=config["export_id"]).success
    assert isinstance(inbox_sensor(dg.build_sensor_context(resources=env.resources())), dg.SkipReason)


def test_sensor_waits_without_a_register(tmp_path: Path) -> None:
    from pipeline_helpers import make_env

    env = make_env(tmp_path, register=False)
    make_export(env.inbox, "E1")
    result = inbox_sensor(dg.build_sensor_context(resources=env.resources()))
    assert isinstance(result, dg.SkipReason) and "register" in (result.skip_message or "")
    # A run started anyway leaves the export in the inbox (it waits, it is not refused).
    assert run(env, item="E1").success
    assert (env.inbox / "E1" / "manifest.json").is_file()


def test_schedule_is_nightly_in_stockholm_time(env: Env) -> None:
    assert nightly_schedule.execution_timezone == TIMEZONE == "Europe/Stockholm"
    assert nightly_schedule.cron_schedule == "30 2 * * *"
    make_export(env.inbox, "E1")
    when = dt.datetime(2025, 3, 30, 2, 30, tzinfo=ZoneInfo(TIMEZONE))  # the night summer time starts
    context = dg.build_schedule_context(resources=env.resources(), scheduled_execution_time=when)
    requests = nightly_schedule.evaluate_tick(context).run_requests or []
    assert [r.tags["bbic/export_id"] for r in requests] == ["E1"]
    assert requests[0].run_key == "2025-03-30:E1"

    assert run(env, item="E1").success
    refresh = (
        nightly_schedule.evaluate_tick(
            dg.build_schedule_context(resources=env.resources(), scheduled_execution_time=when)
        ).run_requests
        or []
    )
    assert len(refresh) == 1
    assert {k.to_user_string() for k in refresh[0].asset_selection or []} == {"figures", "reports"}


def test_definitions_load_with_pool_and_groups() -> None:
    defs = build_definitions()
    graph = defs.resolve_asset_graph()
    groups = {k.to_user_string(): graph.get(k).group_name for k in graph.get_all_asset_keys()}
    assert groups == {
        "landed_export": "landing",
        "validated_export": "validation",
        "snapshot": "snapshot",
        "figures": "marts",
        "reports": "reports",
    }
    job = defs.resolve_job_def(LOAD_JOB)
    pools = {node.name: node.definition.pool for node in job.graph.node_dict.values()}  # type: ignore[attr-defined]
    assert pools["snapshot"] == pools["validated_export"] == "bbic_duckdb"
    blocking = {spec.name for checks in ASSET_CHECKS for spec in checks.check_specs if spec.blocking}
    assert {
        "staged_accounting",
        "staged_referential_integrity",
        "staged_error_share",
        "snapshot_accounting",
    } <= blocking
    assert "staged_warnings" not in blocking


def test_code_location_loads_like_the_webserver(tmp_path: Path) -> None:
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-m", "dagster", "definitions", "validate", "-w", str(ROOT / "workspace.yaml")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Validation successful" in proc.stdout + proc.stderr


def test_instance_template_limits_the_pool_to_one(tmp_path: Path) -> None:
    template = ROOT / "pipelines" / "dagster_home" / "dagster.yaml"
    (tmp_path / "dagster.yaml").write_text(template.read_text(encoding="utf-8"), encoding="utf-8")
    instance = dg.DagsterInstance.from_config(str(tmp_path))
    try:
        config = instance.get_concurrency_config()
        assert config.pool_config.default_pool_limit == 1
        assert str(config.pool_config.pool_granularity).lower().endswith("run")
    finally:
        instance.dispose()


def test_dg_cli_loads_the_project(tmp_path: Path) -> None:
    # `dg` reads [tool.dg] in pyproject.toml; the same Definitions as workspace.yaml must load.
    venv = Path(sys.executable).parent.parent
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path), "VIRTUAL_ENV": str(venv)}
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "dg"), "list", "defs", "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    listed = proc.stdout
    for asset in ("landed_export", "validated_export", "snapshot", "figures", "reports"):
        assert f'"{asset}"' in listed
    assert "inbox_sensor" in listed and "nightly_schedule" in listed
