"""The swap renames the validator's clean tables (no second copy of the rows), and rebuilds a table
only when a staging file's columns are not the snapshot's, never letting an undeclared column in."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from bbic_core.pseudonym import Pseudonymiser
from bbic_core.register import load_register
from bbic_core.synth.generate import generate
from bbic_core.validation.validate import validate_export
from pipelines.store import Attempt, SnapshotMeta, publish_snapshot
from pipelines.store.schema import SNAPSHOT_TABLES
from pipelines.store.swap import columns_of, snapshot_columns

KEY = b"swap-tests-key-swap-tests-key-0123456789"


def _staged(tmp_path: Path, faults: float) -> tuple[Path, SnapshotMeta]:
    result = generate(tmp_path / "synth", scale="demo", seed=5, faults=faults)
    staging = tmp_path / "staging.duckdb"
    con = duckdb.connect(str(staging), config={"preserve_insertion_order": False})
    try:
        validation = validate_export(
            result.export_dir,
            register=load_register(result.register_dir, today=result.as_of),
            con=con,
            pseudonymiser=Pseudonymiser(KEY),
        )
    finally:
        con.close()
    assert validation.outcome == "accepted", validation.refusal
    now = dt.datetime.now(dt.UTC)
    meta = SnapshotMeta(
        validation.export_id, validation.municipality, validation.created_at, validation.as_of, now
    )
    return staging, meta


@pytest.mark.parametrize("faults", [0.0, 0.02])
def test_the_validators_clean_tables_already_have_the_snapshots_columns(
    tmp_path: Path, faults: float
) -> None:
    staging, _meta = _staged(tmp_path, faults)
    con = duckdb.connect(str(staging), read_only=True)
    try:
        for table in SNAPSHOT_TABLES:
            assert columns_of(con, f"clean_{table}") == snapshot_columns(table), table
    finally:
        con.close()


def _publish(tmp_path: Path, staging: Path, meta: SnapshotMeta) -> Path:
    main = tmp_path / "bbic.duckdb"
    con = duckdb.connect(str(main))
    try:
        publish_snapshot(con, staging, meta, Attempt("accepted", meta.loaded_at, meta.loaded_at))
    finally:
        con.close()
    return main


def test_the_staging_file_becomes_the_main_file(tmp_path: Path) -> None:
    staging, meta = _staged(tmp_path, 0.02)
    con = duckdb.connect(str(staging), read_only=True)
    try:
        expected = {t: con.execute(f"SELECT count(*) FROM clean_{t}").fetchone() for t in SNAPSHOT_TABLES}
        quarantined = con.execute("SELECT count(*) FROM quarantine").fetchone()
        assert quarantined is not None and quarantined[0] > 0
    finally:
        con.close()
    main = _publish(tmp_path, staging, meta)
    assert not staging.exists() and not Path(f"{main}.wal").exists()
    con = duckdb.connect(str(main), read_only=True)
    try:
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        # Only the snapshot and the history: no clean_*, no working table of the validator.
        assert tables == {*SNAPSHOT_TABLES, "snapshot_meta", "quarantine", "findings", "load_log"}
        assert {t: con.execute(f"SELECT count(*) FROM {t}").fetchone() for t in SNAPSHOT_TABLES} == expected
        assert con.execute(
            "SELECT count(*) FROM quarantine WHERE export_id = ?", [meta.export_id]
        ).fetchone() == (quarantined)
        assert con.execute("SELECT export_id FROM snapshot_meta").fetchall() == [(meta.export_id,)]
        assert con.execute("SELECT outcome FROM load_log").fetchall() == [("accepted",)]
    finally:
        con.close()


def test_a_staging_file_with_other_columns_is_refused_and_the_main_file_stays(tmp_path: Path) -> None:
    first, meta = _staged(tmp_path / "one", 0.0)
    main = _publish(tmp_path, first, meta)
    main.chmod(0o640)  # as an operator may have set it; the next accepted night keeps it
    before = main.read_bytes()
    staging, meta2 = _staged(tmp_path / "two", 0.0)
    con = duckdb.connect(str(staging))
    try:
        # As another version (or a bug) might leave it: an undeclared column. Rebuilding the table
        # without it would leave its bytes in the file's free blocks, and the file becomes the main file.
        con.execute("ALTER TABLE clean_barn ADD COLUMN personnummer VARCHAR DEFAULT '19121212-1212'")
    finally:
        con.close()
    later = dt.datetime.now(dt.UTC)
    meta2 = SnapshotMeta("other", meta2.municipality, later, meta2.as_of, later)
    with pytest.raises(RuntimeError, match="clean_barn in the staging file does not have the snapshot"):
        _publish(tmp_path, staging, meta2)
    assert main.read_bytes() == before and staging.exists()
    good, meta3 = _staged(tmp_path / "three", 0.0)
    _publish(tmp_path, good, SnapshotMeta("third", meta3.municipality, later, meta3.as_of, later))
    assert main.stat().st_mode & 0o777 == 0o640
