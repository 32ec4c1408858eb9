"""Disaster recovery: `bbic rebuild` makes the snapshot again from the archive, the same tables as before
(proven by a dump of every table), whether the DuckDB file was lost or is corrupt."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest
from pipeline_helpers import KEY, Env, clean_tables, dump, load_log, make_export
from typer.testing import CliRunner

from bbic_cli.main import app
from pipelines import pending

runner = CliRunner()


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch, env: Env) -> None:
    for name in ("BBIC_PSEUDONYM_KEY_FILE", "BBIC_SETTLE_SECONDS", "BBIC_REPORT_SCOPES", "BBIC_MUNICIPALITY",
                 "BBIC_DUCKDB_PATH"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BBIC_PSEUDONYM_KEY", KEY)
    monkeypatch.setenv("BBIC_ARCHIVE", str(env.archive))
    monkeypatch.setenv("BBIC_REPORT_FORMATS", "csv")


def _cli(env: Env, command: str = "run") -> list[str]:
    args = [command, "--register", str(env.register), "--data", str(env.data), "--reports", str(env.reports),
            "--no-reports"]
    return [*args, "--inbox", str(env.inbox)] if command == "run" else args


def _state(db: Path) -> dict[str, list[Any]]:
    """Every table but the load log, with the moments of loading (which a rebuild cannot repeat) left out."""
    tables = dump(db, skip=("load_log", "snapshot_meta", "pseudonym_key"))
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables["snapshot_meta"] = con.execute(
            "SELECT export_id, municipality, created_at, as_of FROM snapshot_meta").fetchall()
        tables["pseudonym_key"] = con.execute("SELECT fingerprint FROM pseudonym_key").fetchall()
    finally:
        con.close()
    return tables


@pytest.mark.parametrize("damage", ["lost", "corrupt"])
def test_rebuild_makes_the_same_snapshot_from_the_archive(env: Env, damage: str) -> None:
    make_export(env.inbox, "E1")
    assert runner.invoke(app, _cli(env)).exit_code == 0
    tables = clean_tables(n_bad_barn=1)  # quarantine and findings are part of what is rebuilt
    tables["personal"][0]["roll"] = "OKAND"
    make_export(env.inbox, "E2", created_at="2025-02-28T22:00:00+01:00", tables=tables)
    make_export(env.inbox, "E0", created_at="2025-01-01T22:00:00+01:00")  # refused X009, then and again
    assert runner.invoke(app, _cli(env)).exit_code == 2
    before = _state(env.db)
    assert before["quarantine"][1:] and before["snapshot_meta"][0][0] == "E2"
    if damage == "lost":
        env.db.unlink()
    else:
        env.db.write_bytes(b"\0garbage" * 4096)
    result = runner.invoke(app, _cli(env, "rebuild"))
    assert result.exit_code == 2, result.output  # E0 is refused again, as it was
    assert _state(env.db) == before
    assert [(r["export_id"], r["outcome"], r["refusal_code"]) for r in load_log(env.db)] == [
        ("E1", "accepted", None), ("E0", "refused", "X009"), ("E2", "accepted", None)
    ]
    assert pending.pending_exports(env.archive) == []
    if damage == "corrupt":
        kept = list(env.data.glob("bbic.duckdb.before-rebuild-*"))
        assert len(kept) == 1 and kept[0].read_bytes().startswith(b"\0garbage")
