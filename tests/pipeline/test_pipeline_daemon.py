"""The service as operations runs it: `dagster-daemon` on a PostgreSQL-backed instance made from
`deploy/dagster.yaml`, the inbox sensor on, successive nights of one synthetic export series
delivered over time (one while a run is in progress). Every export is loaded once, in delivery
order, one run at a time, with no run failed and no DuckDB lock error anywhere."""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import duckdb
import pytest
from dagster._core.definitions.schedule_definition import ScheduleExecutionData
from dagster._core.remote_origin import InProcessCodeLocationOrigin
from dagster._core.scheduler.instigation import ScheduleInstigatorData
from dagster._core.types.loadable_target_origin import LoadableTargetOrigin
from pipeline_helpers import KEY, Env, load_log, make_env, make_export
from postgres_server import PostgresServer, postgres_server, server_bin

from bbic_core.synth.generate import DEFAULT_AS_OF, SynthResult, generate
from pipelines.definitions import build_definitions
from pipelines.defs.landing.sensors import LOAD_JOB, inbox_sensor
from pipelines.defs.schedules import TIMEZONE, nightly_schedule
from pipelines.store.load_log import current_snapshot

ROOT = Path(__file__).resolve().parents[2]
DEPLOY_YAML = ROOT / "deploy" / "dagster.yaml"
WORKSPACE = ROOT / "workspace.yaml"
NIGHTS = 3
DEADLINE_S = 240
# What a DuckDB file lock or the writer lock says when two writers meet.
LOCK_ERRORS = ("database is locked", "conflicting lock", "could not set lock", "lockheld",
               "another bbic run is writing")
IN_FLIGHT = {dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING,
             dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING}


@pytest.fixture
def postgres() -> Iterator[PostgresServer]:
    with postgres_server() as server:
        yield server


def _series(folder: Path) -> list[SynthResult]:
    """Successive nights of one municipality's export (same seed, the as-of date a day later each)."""
    return [generate(folder / f"night{i}", scale="demo", seed=11, as_of=DEFAULT_AS_OF + dt.timedelta(days=i))
            for i in range(NIGHTS)]


def _deliver(export: SynthResult, inbox: Path) -> None:
    """As Paraply would: written beside the inbox (a dot name is never looked at), then renamed in."""
    partial = inbox / f".{export.export_id}.part"
    shutil.copytree(export.export_dir, partial)
    partial.rename(inbox / export.export_id)


def _wait(what: str, done: Callable[[], bool], deadline: float, log: Path) -> None:
    while not done():
        if time.monotonic() > deadline:
            tail = log.read_text(encoding="utf-8", errors="replace")[-4000:]
            raise AssertionError(f"timed out waiting for {what}; daemon output ends:\n{tail}")
        time.sleep(1)


def _last_night_0230() -> dt.datetime:
    """The nightly schedule's latest tick time before now (02:30 in Stockholm)."""
    now = dt.datetime.now(ZoneInfo(TIMEZONE))
    tick = now.replace(hour=2, minute=30, second=0, microsecond=0)
    return tick if tick <= now else tick - dt.timedelta(days=1)


def _runs(instance: dg.DagsterInstance) -> list[dg.DagsterRun]:
    return list(reversed(instance.get_runs(filters=dg.RunsFilter(job_name=LOAD_JOB))))  # oldest first


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@contextlib.contextmanager
def _running_daemon(environment: dict[str, str], cwd: Path, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`dagster-daemon run -w workspace.yaml` in a session of its own; SIGTERM and a wait at the end,
    then whatever it started and left (a code server) is ended too."""
    with log.open("wb") as out:
        daemon = subprocess.Popen([str(Path(sys.executable).parent / "dagster-daemon"), "run", "-w",
                                   str(WORKSPACE)], cwd=cwd, env=environment, stdout=out,
                                  stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield daemon
    finally:
        daemon.send_signal(signal.SIGTERM)
        try:
            daemon.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(daemon.pid, signal.SIGKILL)
            daemon.wait(timeout=30)
        for sig, grace in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
            if not _group_alive(daemon.pid):
                break
            os.killpg(daemon.pid, sig)
            until = time.monotonic() + grace
            while _group_alive(daemon.pid) and time.monotonic() < until:
                time.sleep(0.2)


def test_daemon_on_postgres_loads_every_export_once_in_order(
    tmp_path: Path, postgres: PostgresServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    exports = _series(tmp_path / "synth")
    inbox, data = tmp_path / "inbox", tmp_path / "data"
    inbox.mkdir()
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copyfile(DEPLOY_YAML, home / "dagster.yaml")  # the file the operator copies, unchanged
    settings = {
        "BBIC_INBOX": str(inbox),
        "BBIC_ARCHIVE": str(tmp_path / "archive"),
        "BBIC_DUCKDB_PATH": str(data / "bbic.duckdb"),
        "BBIC_REGISTER_DIR": str(exports[0].register_dir),
        "BBIC_REPORTS": str(tmp_path / "reports"),
        "BBIC_MUNICIPALITY": "0180",
        "BBIC_PSEUDONYM_KEY": KEY,
        "BBIC_SETTLE_SECONDS": "1",
        "BBIC_REPORT_FORMATS": "csv",
        "BBIC_REPORT_SCOPES": "kommun:0180",
    }
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("BBIC_", "DAGSTER_"))}
    environment.update(settings, DAGSTER_HOME=str(home), **postgres.dagster_env())
    for name, value in postgres.dagster_env().items():
        monkeypatch.setenv(name, value)  # this process's instance reads the same dagster.yaml

    _deliver(exports[0], inbox)
    _deliver(exports[1], inbox)
    daemon_log = tmp_path / "daemon.log"
    instance = dg.DagsterInstance.from_config(str(home))
    origin = InProcessCodeLocationOrigin(
        LoadableTargetOrigin(module_name="pipelines.definitions", attribute="defs",
                             working_directory=str(ROOT)),
        location_name="bbic",
    )
    try:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        with origin.create_location(instance) as location:
            repository = location.get_repository("__repository__")
            # The schedule and the sensor are turned on through the instance, as the UI's toggles do. The
            # schedule as if turned on before last night's 02:30: the daemon owes that tick and fires it
            # at once (with the two exports waiting), instead of the test waiting for the night.
            schedule = repository.get_schedule("nightly_schedule")
            state = instance.start_schedule(schedule)
            instance.update_instigator_state(state.with_data(ScheduleInstigatorData(
                schedule.cron_schedule, start_timestamp=_last_night_0230().timestamp() - 60)))
            with _running_daemon(environment, tmp_path, daemon_log) as daemon:
                deadline = time.monotonic() + DEADLINE_S
                _wait("the schedule's runs", lambda: len(_runs(instance)) >= 2, deadline, daemon_log)
                # The sensor comes on while both exports are still in the inbox, asked for by the schedule.
                instance.start_sensor(repository.get_sensor("inbox_sensor"))
                # The third night arrives while the first is being loaded and the second waits.
                _wait("the first run to start",
                      lambda: any(r.status == dg.DagsterRunStatus.STARTED for r in _runs(instance)),
                      deadline, daemon_log)
                _deliver(exports[2], inbox)
                in_progress_at_delivery = [(r.tags.get("bbic/export_id"), r.status) for r in _runs(instance)]

                def settled() -> bool:
                    runs = _runs(instance)
                    return len(runs) >= NIGHTS and all(r.status not in IN_FLIGHT for r in runs)

                _wait("every export to be loaded", settled, deadline, daemon_log)
                time.sleep(2)  # a duplicate run requested at the last moment would show now
                runs = _runs(instance)
                records = sorted(instance.get_run_records(filters=dg.RunsFilter(job_name=LOAD_JOB)),
                                 key=lambda r: r.create_timestamp)
                events = {run.run_id: instance.all_logs(run.run_id) for run in runs}
    finally:
        instance.dispose()

    delivered = [e.export_id for e in exports]
    # One run per export, none twice: the schedule asked for the first two (its tick), the sensor, on
    # while they waited in the inbox, only for the third.
    assert [(r.tags.get("bbic/export_id"), r.tags.get("bbic/trigger"), r.status) for r in runs] == [
        (delivered[0], "schedule", dg.DagsterRunStatus.SUCCESS),
        (delivered[1], "schedule", dg.DagsterRunStatus.SUCCESS),
        (delivered[2], "sensor", dg.DagsterRunStatus.SUCCESS),
    ]
    assert runs[0].tags.get("dagster/schedule_name") == "nightly_schedule"
    # One run at a time: each started only after the one before it had ended.
    spans = [(r.start_time, r.end_time) for r in records]
    assert all(start is not None and end is not None for start, end in spans), spans
    for (_, end_before), (start_next, _) in itertools.pairwise(spans):
        assert start_next is not None and end_before is not None and start_next >= end_before, spans

    log = load_log(data / "bbic.duckdb")
    assert [(row["export_id"], row["outcome"]) for row in log] == [(e, "accepted") for e in delivered]
    assert {row["run_id"] for row in log} == {r.run_id for r in runs}
    con = duckdb.connect(str(data / "bbic.duckdb"), read_only=True)
    try:
        snapshot = current_snapshot(con)
        children = con.execute("SELECT count(*) FROM barn").fetchone()
    finally:
        con.close()
    assert snapshot is not None and snapshot.export_id == delivered[-1]
    assert snapshot.as_of == exports[-1].as_of
    assert children is not None and children[0] > 0
    assert list(inbox.iterdir()) == []

    # The third export was delivered while a run was in progress, not after the others had finished.
    assert any(status == dg.DagsterRunStatus.STARTED for _, status in in_progress_at_delivery)
    assert delivered[2] not in {export_id for export_id, _ in in_progress_at_delivery}

    # No lock error anywhere: not in the daemon's output (nor any traceback), not in any run's events.
    output = daemon_log.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in output
    texts = [output]
    for entries in events.values():
        for entry in entries:
            event = entry.dagster_event
            text = " ".join([entry.user_message or "", str(event.message or "") if event else "",
                             repr(event.event_specific_data) if event else ""])
            texts.append(text)
            if entry.level >= logging.WARNING or (event is not None and event.is_failure):
                assert "lock" not in text.lower(), text
    found = [text for text in texts for marker in LOCK_ERRORS if marker in text.lower()]
    assert found == []
    assert daemon.returncode == 0  # SIGTERM: the daemon shut its threads down and exited cleanly


def test_deploy_instance_is_postgres_with_one_run_at_a_time(
    tmp_path: Path, postgres: PostgresServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copyfile(DEPLOY_YAML, tmp_path / "dagster.yaml")
    for name, value in postgres.dagster_env().items():
        monkeypatch.setenv(name, value)
    instance = dg.DagsterInstance.from_config(str(tmp_path))
    try:
        storage = {type(instance.run_storage).__name__, type(instance.event_log_storage).__name__,
                   type(instance.schedule_storage).__name__}
        assert storage == {"PostgresRunStorage", "PostgresEventLogStorage", "PostgresScheduleStorage"}
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
        config = instance.get_concurrency_config()
        queue = config.run_queue_config
        assert queue is not None and queue.max_concurrent_runs == 1
        assert [(t["key"], t.get("value"), t["limit"]) for t in queue.tag_concurrency_limits] == [
            ("bbic/writes", "duckdb", 1)
        ]
        assert config.pool_config.default_pool_limit == 1
        assert str(config.pool_config.pool_granularity).lower().endswith("run")
        assert instance.run_monitoring_enabled and instance.run_monitoring_max_runtime_seconds == 4 * 3600
        # The connection really is the server's: a run record written here is in its database.
        run = instance.create_run_for_job(dg.GraphDefinition("probe").to_job())
        con = postgres.connect()
        try:
            with con.cursor() as cur:
                cur.execute("SELECT count(*) FROM runs WHERE run_id = %s", (run.run_id,))
                row = cur.fetchone()
        finally:
            con.close()
        assert row is not None and row[0] == 1
    finally:
        instance.dispose()


def test_ensure_postgres_is_quiet_when_the_server_is_installed() -> None:
    proc = subprocess.run([str(ROOT / "scripts" / "ensure-postgres.sh")], capture_output=True, text=True,
                          timeout=60, check=False)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")
    assert (server_bin() / "initdb").is_file() and (server_bin() / "postgres").is_file()


def test_runs_execute_in_one_process() -> None:
    # A process per step would cost a Python start and Dagster's import for each of the run's steps.
    job = build_definitions().resolve_job_def(LOAD_JOB)
    assert job.executor_def is dg.in_process_executor


def _tick(instance: dg.DagsterInstance, env: Env, when: dt.datetime) -> ScheduleExecutionData:
    """The nightly schedule's tick at `when` (its context closed after, as the daemon closes it)."""
    with dg.build_schedule_context(instance=instance, resources=env.resources(),
                                   scheduled_execution_time=when) as context:
        return nightly_schedule.evaluate_tick(context)


def test_sensor_and_schedule_leave_alone_what_a_queued_or_running_load_run_will_land(tmp_path: Path) -> None:
    env = make_env(tmp_path)
    make_export(env.inbox, "E1")
    make_export(env.inbox, "E2", created_at="2025-02-28T22:00:00+01:00")
    when = dt.datetime(2025, 3, 4, 2, 30, tzinfo=ZoneInfo(TIMEZONE))
    with dg.instance_for_test() as instance:
        # The sensor asked for E1 a moment ago; its run has started and not yet landed it.
        started = instance.add_run(dg.DagsterRun(job_name=LOAD_JOB, status=dg.DagsterRunStatus.STARTED,
                                                 tags={"bbic/inbox_item": "E1", "bbic/export_id": "E1"}))
        requests = _tick(instance, env, when).run_requests or []
        assert [r.tags["bbic/inbox_item"] for r in requests] == ["E2"]
        sensor_result = inbox_sensor(dg.build_sensor_context(instance=instance, resources=env.resources()))
        assert isinstance(sensor_result, dg.SensorResult)
        assert [r.tags["bbic/inbox_item"] for r in sensor_result.run_requests or []] == ["E2"]
        (env.inbox / "E2").rename(tmp_path / "E2-elsewhere")  # only E1 left, and its run will land it
        skipped = inbox_sensor(dg.build_sensor_context(instance=instance, resources=env.resources()))
        assert isinstance(skipped, dg.SkipReason) and "will land: E1" in (skipped.skip_message or "")
        env.data.mkdir(exist_ok=True)
        env.db.touch()  # a snapshot exists: with nothing to load, the schedule would refresh the reports
        skipped_tick = _tick(instance, env, when)
        assert not skipped_tick.run_requests  # E1's run refreshes them anyway
        assert "queued or running" in (skipped_tick.skip_message or "")
        env.db.unlink()
        (tmp_path / "E2-elsewhere").rename(env.inbox / "E2")
        # Once that run has ended (E1 landed or not), the schedule asks for whatever is still there.
        instance.report_run_failed(started)
        requests = _tick(instance, env, when).run_requests or []
        assert [r.tags["bbic/inbox_item"] for r in requests] == ["E1", "E2"]
