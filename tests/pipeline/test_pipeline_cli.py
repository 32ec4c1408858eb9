"""`bbic run`: exit codes, the per-export table, the key rules, and `--sample` (on the small demo scale)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from pipeline_helpers import KEY, Env, make_export
from typer.testing import CliRunner

from bbic_cli import run_cmd
from bbic_cli.main import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "BBIC_INBOX",
        "BBIC_ARCHIVE",
        "BBIC_DUCKDB_PATH",
        "BBIC_REGISTER_DIR",
        "BBIC_REPORTS",
        "BBIC_PSEUDONYM_KEY",
        "BBIC_PSEUDONYM_KEY_FILE",
        "BBIC_SETTLE_SECONDS",
        "BBIC_REPORT_SCOPES",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BBIC_REPORT_FORMATS", "csv")


def _args(env: Env, *extra: str) -> list[str]:
    return [
        "run",
        "--inbox",
        str(env.inbox),
        "--register",
        str(env.register),
        "--data",
        str(env.data),
        "--reports",
        str(env.reports),
        *extra,
    ]


def test_run_loads_prints_and_is_idempotent(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BBIC_PSEUDONYM_KEY", KEY)
    monkeypatch.setenv("BBIC_ARCHIVE", str(env.archive))
    make_export(env.inbox, "E1")
    first = runner.invoke(app, _args(env, "--no-reports"))
    assert first.exit_code == 0, first.output
    assert "E1: inläst" in first.output and "barn.csv" in first.output
    second = runner.invoke(app, _args(env, "--no-reports"))
    assert second.exit_code == 0 and "Inga nya exporter" in second.output
    make_export(env.inbox, "E1")  # the same export delivered again
    third = runner.invoke(app, _args(env, "--no-reports"))
    assert third.exit_code == 0 and "redan inläst" in third.output


def test_refused_export_exits_2_with_one_line(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BBIC_PSEUDONYM_KEY", KEY)
    monkeypatch.setenv("BBIC_ARCHIVE", str(env.archive))
    make_export(env.inbox, "E2", created_at="2025-02-28T22:00:00+01:00")
    assert runner.invoke(app, _args(env, "--no-reports")).exit_code == 0
    make_export(env.inbox, "E1")  # older than the current export: X009
    result = runner.invoke(app, _args(env, "--no-reports"))
    assert result.exit_code == 2
    assert "export E1 refused: X009 in manifest.json" in result.output
    forced = runner.invoke(app, _args(env, "--no-reports", "--force"))
    assert forced.exit_code == 0  # nothing left in the inbox: the refused one is in the archive


def test_without_a_key_real_data_is_refused(
    env: Env, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    make_export(env.inbox, "E1")
    result = runner.invoke(app, _args(env))
    assert result.exit_code == 1 and "pseudonym key" in result.output
    demo = tmp_path / "demo.key"
    demo.write_bytes(b"DEMO-" + b"a" * 64)
    demo.chmod(0o600)
    monkeypatch.setenv("BBIC_PSEUDONYM_KEY_FILE", str(demo))
    result = runner.invoke(app, _args(env))
    assert result.exit_code == 1 and "demo key" in result.output
    assert (env.inbox / "E1").is_dir()


def test_sample_generates_once_with_a_private_demo_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(run_cmd, "SAMPLE_SCALE", "demo")
    first = runner.invoke(app, ["run", "--sample", "--no-reports"])
    assert first.exit_code == 0, first.output
    assert "inläst" in first.output
    key = tmp_path / "var" / "sample" / "demo-pseudonym.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and key.read_bytes().startswith(b"DEMO-")
    assert (tmp_path / "var" / "sample" / "register" / "organisation.yaml").is_file()
    second = runner.invoke(app, ["run", "--sample", "--no-reports"])
    assert second.exit_code == 0 and "Inga nya exporter" in second.output
