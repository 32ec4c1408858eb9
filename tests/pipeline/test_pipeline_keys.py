"""The key and the files that hold child data: a different key refused unless re-keying, the archive beside
the data, owner-only permissions whatever the umask, killed renderings cleaned, causes named in one line."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from pipeline_helpers import KEY, Env, load_log, make_export
from typer.testing import CliRunner

from bbic_cli.main import app
from pipelines import pending
from pipelines.store.swap import key_fingerprint

runner = CliRunner()
OTHER_KEY = "another-pipeline-test-key-" + "o" * 40


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("BBIC_PSEUDONYM_KEY_FILE", "BBIC_SETTLE_SECONDS", "BBIC_REPORT_SCOPES", "BBIC_MUNICIPALITY",
                 "BBIC_ARCHIVE", "BBIC_DUCKDB_PATH"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BBIC_PSEUDONYM_KEY", KEY)
    monkeypatch.setenv("BBIC_REPORT_FORMATS", "csv")
    old = os.umask(0o022)  # the usual umask: what the pipeline makes must be owner-only anyway
    yield
    os.umask(old)


def _cli(env: Env, *extra: str) -> list[str]:
    return ["run", "--inbox", str(env.inbox), "--register", str(env.register), "--data", str(env.data),
            "--reports", str(env.reports), *extra]


def _fingerprint(db: Path) -> str | None:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return key_fingerprint(con)
    finally:
        con.close()


def test_a_different_key_is_refused_unless_rekeying(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    make_export(env.inbox, "E1")
    assert runner.invoke(app, _cli(env, "--no-reports")).exit_code == 0
    first = _fingerprint(env.db)
    assert first is not None and KEY not in first
    monkeypatch.setenv("BBIC_PSEUDONYM_KEY", OTHER_KEY)
    make_export(env.inbox, "E2", created_at="2025-02-28T22:00:00+01:00")
    refused = runner.invoke(app, _cli(env, "--no-reports"))
    assert refused.exit_code == 1 and "E2: VÄNTAR" in refused.output
    assert "not the one the snapshot was made with" in refused.output and "--rekey" in refused.output
    assert [p.export_id for p in pending.pending_exports(env.data / "archive")] == ["E2"]
    rekeyed = runner.invoke(app, _cli(env, "--no-reports", "--rekey"))
    assert rekeyed.exit_code == 0 and "E2: inläst" in rekeyed.output, rekeyed.output
    assert _fingerprint(env.db) not in (None, first)


def test_the_archive_lies_beside_the_data_and_child_data_is_owner_only(
    env: Env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    make_export(env.inbox, "E1")
    stale = env.reports / ".2025-01-31.tmp-999999"  # a rendering killed half-way
    stale.mkdir(parents=True)
    (stale / "half.html").write_text("half", encoding="utf-8")
    result = runner.invoke(app, _cli(env))
    assert result.exit_code == 0, result.output
    assert not any(elsewhere.iterdir())  # nothing in the folder the command was started from
    assert (env.data / "archive" / "E1" / "SHA256SUMS").is_file()
    assert stat.S_IMODE(env.db.stat().st_mode) == 0o600
    assert stat.S_IMODE((env.data / "staging").stat().st_mode) == 0o700
    folder = (env.reports / "latest").resolve()
    modes = {p: stat.S_IMODE(p.stat().st_mode) for p in [folder, *folder.rglob("*")]}
    assert modes and all(m == (0o700 if p.is_dir() else 0o600) for p, m in modes.items()), modes
    assert not stale.exists()


def test_an_unexpected_failure_names_its_cause_in_one_line(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    import pipelines.defs.marts.assets as marts

    def broken(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(env.data / "bbic.duckdb"))

    monkeypatch.setattr(marts, "write_marts", broken)
    make_export(env.inbox, "E1")
    result = runner.invoke(app, _cli(env))
    assert result.exit_code == 1, result.output
    line = [ln for ln in result.output.splitlines() if "Rapporterna kunde inte" in ln]
    assert len(line) == 1 and "Permission denied" in line[0], result.output
    assert "Error occurred while executing" not in result.output and "Traceback" not in result.output
    assert [r["outcome"] for r in load_log(env.db)] == ["accepted"]
