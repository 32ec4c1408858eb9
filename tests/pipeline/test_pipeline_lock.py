"""One writer at a time, readers that wait, a swap no reader can make fail; and the smaller operator faults
(an inbox that keeps its items, settings that are not numbers, a file that is no DuckDB file)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from pipeline_helpers import Env, cli_environment, load_log, make_export, run_args
from typer.testing import CliRunner

import pipelines.export_archive as archive_module
from bbic_cli.main import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch, env: Env) -> None:
    cli_environment(monkeypatch, env)


def _cli(env: Env, *extra: str) -> list[str]:
    return run_args(env, *extra)


@contextmanager
def _holder(code: str) -> Iterator[subprocess.Popen[str]]:
    """Another process running `code` until it prints 'ready' and then until it is stopped."""
    proc = subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        yield proc
    finally:
        proc.kill()
        proc.wait()


def test_a_second_run_while_one_writes_says_so_in_one_line(env: Env) -> None:
    make_export(env.inbox, "E1")
    code = f"""
        import sys, time
        from pathlib import Path
        from pipelines.lock import writer_lock
        with writer_lock(Path({str(env.data)!r})):
            print("ready", flush=True)
            time.sleep(60)
    """
    with _holder(code) as proc:
        busy = runner.invoke(app, _cli(env))
        assert busy.exit_code == 3, busy.output
        lines = [ln for ln in busy.output.splitlines() if ln.strip()]
        assert len(lines) == 1 and f"pid {proc.pid}" in lines[0] and "another bbic run" in lines[0]
        assert (env.inbox / "E1").is_dir()  # nothing was touched
    done = runner.invoke(app, _cli(env))  # a killed holder leaves no stale lock behind
    assert done.exit_code == 0 and "E1: inläst" in done.output


def test_a_reader_holding_the_snapshot_neither_fails_the_swap_nor_is_failed(env: Env) -> None:
    make_export(env.inbox, "E1")
    assert runner.invoke(app, _cli(env)).exit_code == 0
    code = f"""
        import duckdb, time
        con = duckdb.connect({str(env.db)!r}, read_only=True)
        con.execute("SELECT count(*) FROM barn").fetchall()
        print("ready", flush=True)
        time.sleep(60)
    """
    make_export(env.inbox, "E2", created_at="2025-02-28T22:00:00+01:00")
    with _holder(code):
        swapped = runner.invoke(app, _cli(env))
        assert swapped.exit_code == 0, swapped.output
        assert "E2: inläst" in swapped.output
    assert [r["outcome"] for r in load_log(env.db)] == ["accepted", "accepted"]


def test_bbic_report_waits_while_a_run_holds_the_file(env: Env, tmp_path: Path) -> None:
    make_export(env.inbox, "E1")
    assert runner.invoke(app, _cli(env)).exit_code == 0
    code = f"""
        import duckdb, time
        con = duckdb.connect({str(env.db)!r})
        print("ready", flush=True)
        time.sleep(2)
        con.close()
        time.sleep(60)
    """
    with _holder(code):
        result = runner.invoke(app, ["report", "--scope", "bromma", "--out", str(tmp_path / "out"),
                                     "--format", "csv", "--db", str(env.db), "--register", str(env.register)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "figures.csv").is_file()


def test_report_on_a_file_that_is_no_duckdb_file_says_so_in_one_line(env: Env, tmp_path: Path) -> None:
    bogus = tmp_path / "bbic.duckdb"
    bogus.write_bytes(b"this is not a database\n" * 100)
    result = runner.invoke(app, ["report", "--scope", "bromma", "--out", str(tmp_path / "out"),
                                 "--db", str(bogus), "--register", str(env.register)])
    assert result.exit_code == 1
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and "cannot be opened as the snapshot database" in lines[0], result.output


def test_an_item_the_inbox_will_not_let_go_is_loaded_once(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(item: Path) -> None:
        raise PermissionError(13, "Permission denied", str(item))  # a read-only inbox, another owner

    monkeypatch.setattr(archive_module, "_remove", refuse)
    make_export(env.inbox, "E1")
    first = runner.invoke(app, _cli(env))
    assert first.exit_code == 0 and "E1: inläst" in first.output, first.output
    assert (env.inbox / "E1").is_dir()
    second = runner.invoke(app, _cli(env))
    assert second.exit_code == 0 and "Inga nya exporter" in second.output, second.output
    assert [r["outcome"] for r in load_log(env.db)] == ["accepted"]


@pytest.mark.parametrize("name", ["BBIC_SETTLE_SECONDS", "BBIC_ARCHIVE_KEEP_DAYS"])
def test_a_setting_that_is_not_a_number_is_one_line(
    env: Env, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.setenv(name, "ten[/]")
    result = runner.invoke(app, _cli(env))
    assert result.exit_code == 1
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert lines == [f"bbic run: {name}='ten[/]' is not a whole number"]


def test_markup_and_control_characters_of_an_export_are_printed_as_text(env: Env) -> None:
    from pipeline_helpers import rewrite_manifest

    rewrite_manifest(make_export(env.inbox, "E1"), export_id="evil[/]x")
    rewrite_manifest(make_export(env.inbox, "E2"), export_id="bell\x07[bold]x\x1b[31m")
    result = runner.invoke(app, _cli(env))
    assert result.exit_code in (0, 2), result.output
    assert "evil[/]x" in result.output and "bell\\x07[bold]x\\x1b[31m" in result.output, result.output
    assert "\x1b" not in result.output and "\x07" not in result.output and "Traceback" not in result.output


def test_a_swap_of_an_export_another_run_loaded_meanwhile_logs_no_false_x009(
    env: Env, tmp_path: Path
) -> None:
    """Dagster releases the lock between steps: a `bbic run` may load the export in between."""
    import datetime as dt

    import dagster as dg
    from pipeline_helpers import run

    from pipelines.defs.snapshot.assets import _swap
    from pipelines.handoffs import StagedExport

    make_export(env.inbox, "E1")
    assert run(env, item="E1").success  # the other run: loaded, no longer pending
    staging = tmp_path / "left-over.duckdb"
    staging.write_bytes(b"")
    now = dt.datetime.now(dt.UTC)
    staged = StagedExport(
        "E1", "0180", now, now.date(), staging, "E1", env.archive / "E1", False, now, {}, {}, was_pending=True
    )
    with pytest.raises(dg.Failure, match="settled by another run"):
        _swap(dg.build_asset_context(), staged, env.resources()["duckdb"])
    assert [r["outcome"] for r in load_log(env.db)] == ["accepted"] and not staging.exists()
