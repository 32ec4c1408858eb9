"""Real kills: `kill -9` of a real `bbic run` process at landing, validation, the swap and the reports;
the next run, with no manual step, loads the export and nothing is lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pipeline_helpers import Env, cli_environment, dump, load_log, make_export, run_args, sha256
from typer.testing import CliRunner

from bbic_cli.main import app
from pipelines import pending
from pipelines.export_archive import read_checksums

runner = CliRunner()


def _cli(env: Env, *extra: str) -> list[str]:
    return run_args(env, *extra, reports=True)


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch, env: Env) -> None:
    cli_environment(monkeypatch, env)
    monkeypatch.setenv("BBIC_REPORT_SCOPES", "bromma")


def _kill_at(env: Env, point: str, tmp_path: Path) -> None:
    """Starts `bbic run` in its own process, waits until it stands at `point`, and kills it (SIGKILL)."""
    flag = tmp_path / f"at-{point}"
    child_env = dict(os.environ, BBIC_DRILL_PAUSE_AT=point, BBIC_DRILL_SIGNAL=str(flag))
    proc = subprocess.Popen([sys.executable, "-m", "bbic_cli.main", *_cli(env)], env=child_env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=tmp_path)
    try:
        while not flag.exists():
            if proc.poll() is not None:
                raise AssertionError(f"bbic run ended before {point}: {proc.stderr.read()!r}")  # type: ignore[union-attr]
            time.sleep(0.05)
        assert flag.read_text(encoding="utf-8").strip() == f"pid {proc.pid} at {point}"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    assert proc.returncode == -signal.SIGKILL


def _archive_intact(env: Env) -> None:
    for folder in (p for p in env.archive.iterdir() if not p.name.startswith(".")):
        sums = read_checksums(folder)
        export = folder / "export"
        assert sums and all(sha256(export / name) == digest for name, digest in sums.items()), folder


@pytest.mark.parametrize("point", ["landed", "validated", "swap"])
def test_a_run_killed_before_the_swap_leaves_the_snapshot_and_the_next_run_loads_the_export(
    env: Env, tmp_path: Path, point: str
) -> None:
    make_export(env.inbox, "E1")
    assert runner.invoke(app, _cli(env, "--no-reports")).exit_code == 0
    before = dump(env.db)
    make_export(env.inbox, "E2", created_at="2025-02-28T22:00:00+01:00")
    _kill_at(env, point, tmp_path)
    assert dump(env.db) == before  # the last good snapshot, untouched
    assert not (env.inbox / "E2").exists()
    assert [p.export_id for p in pending.pending_exports(env.archive)] == ["E2"]
    _archive_intact(env)
    again = runner.invoke(app, _cli(env, "--no-reports"))  # no manual step: no lock, no leftovers to clear
    assert again.exit_code == 0 and "E2: inläst" in again.output, again.output
    assert pending.pending_exports(env.archive) == []
    outcomes = [(r["export_id"], r["outcome"]) for r in load_log(env.db)]
    assert outcomes == [("E1", "accepted"), ("E2", "accepted")]
    _archive_intact(env)


def test_a_run_killed_while_rendering_reports_renders_them_on_the_next_run(env: Env, tmp_path: Path) -> None:
    make_export(env.inbox, "E1")
    _kill_at(env, "reports", tmp_path)
    assert pending.pending_exports(env.archive) == []  # loaded before the kill
    assert not (env.reports / "latest").exists()
    again = runner.invoke(app, _cli(env))
    assert again.exit_code == 0, again.output
    assert "Inga nya exporter" in again.output
    assert ((env.reports / "latest").resolve() / "figures.csv").is_file() or any(
        (env.reports / "latest").resolve().rglob("figures.csv")
    )
