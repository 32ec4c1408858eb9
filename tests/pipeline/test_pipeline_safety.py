"""A crash in the middle of a swap, privacy of the DuckDB file, and the archive's permissions."""

from __future__ import annotations

import os
import stat

import duckdb
import pytest
from pipeline_helpers import PNRS, Env, clean_tables, digits_forms, dump, load_log, make_export, run

from bbic_core.checksums import sha256_file
from pipelines import export_archive, pending
from pipelines.store import swap


def test_crash_in_the_middle_of_a_load_leaves_the_last_good_snapshot(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_export(env.inbox, "E1")
    assert run(env).success
    before = dump(env.db)

    promoted: list[str] = []
    real_promote = swap._promote_table

    def crash_after_first(con: duckdb.DuckDBPyConnection, table: str) -> None:
        if promoted:
            raise RuntimeError("simulated crash in the middle of the swap")
        real_promote(con, table)
        promoted.append(table)

    monkeypatch.setattr(swap, "_promote_table", crash_after_first)
    tables = clean_tables()
    tables["personal"].append(
        {
            "handlaggare_id": "H3",
            "stadsdel": "bromma",
            "roll": "OVRIG",
            "bbic_anvandare": "N",
            "anstalld_fran": "2020-01-01",
        }
    )
    make_export(env.inbox, "E2", created_at="2025-02-28T22:00:00+01:00", tables=tables)
    result = run(env, item="E2")

    assert not result.success and promoted == ["personal"]
    assert dump(env.db) == before
    # The accepted row was part of the transaction: only the failed attempt is logged, and E2 stays pending.
    assert [(r["export_id"], r["outcome"]) for r in load_log(env.db)] == [("E1", "accepted"), ("E2", "error")]
    assert [p.export_id for p in pending.pending_exports(env.archive)] == ["E2"]
    # The next night, without the crash, retries it and loads it.
    monkeypatch.setattr(swap, "_promote_table", real_promote)
    assert run(env, pending="E2").success
    assert pending.pending_exports(env.archive) == []
    con = duckdb.connect(str(env.db), read_only=True)
    try:
        assert con.execute("SELECT export_id FROM snapshot_meta").fetchall() == [("E2",)]
        assert con.execute("SELECT count(*) FROM personal").fetchone() == (3,)
    finally:
        con.close()


def test_no_personal_number_anywhere_in_the_duckdb_file(env: Env) -> None:
    tables = clean_tables(n_bad_barn=1)
    # A quarantined row with a number (duplicate key with different content: V004) and an invalid one.
    tables["barn"].append({"barn_id": "B1", "personnummer": PNRS[1], "kon": "2"})
    tables["barn"].append(
        {"barn_id": "B9", "personnummer": PNRS[2][:-1] + "0", "kon": "1", "fodelsedatum": "2012-07-05"}
    )
    make_export(env.inbox, "E1", tables=tables)
    assert run(env).success
    needles = [form for pnr in (*PNRS, PNRS[2][:-1] + "0") for form in digits_forms(pnr)]
    con = duckdb.connect(str(env.db), read_only=True)
    try:
        columns = con.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'main' AND (data_type = 'VARCHAR' OR data_type LIKE 'VARCHAR[]')"
        ).fetchall()
        assert columns
        for table, column in columns:
            values = [
                str(v) for (v,) in con.execute(f"SELECT {column} FROM {table}").fetchall() if v is not None
            ]
            for value in values:
                assert not any(n in value for n in needles), (table, column)
        assert con.execute("SELECT count(*) FROM quarantine").fetchone()[0] >= 2  # type: ignore[index]
    finally:
        con.close()
    raw = env.db.read_bytes()
    for needle in needles:
        assert needle.encode() not in raw
    for staging in (env.data / "staging").glob("*"):
        assert not any(n.encode() in staging.read_bytes() for n in needles)


def test_archive_is_owner_only_and_pruned(env: Env) -> None:
    make_export(env.inbox, "E1")
    assert run(env).success
    assert export_archive.modes_ok(env.archive)
    assert stat.S_IMODE(env.archive.stat().st_mode) == 0o700
    assert stat.S_IMODE((env.archive / "E1" / "export" / "barn.csv").stat().st_mode) == 0o600
    sums = (env.archive / "E1" / export_archive.CHECKSUMS).read_text(encoding="utf-8")
    assert "  barn.csv\n" in sums and "  manifest.json\n" in sums
    # With a keep period of 0 days, the next load prunes E1 but never the current export.
    make_export(env.inbox, "E2", created_at="2025-02-28T22:00:00+01:00")
    assert run(env, item="E2", archive_keep_days=0).success
    assert not (env.archive / "E1").exists()
    assert (env.archive / "E2").is_dir()


@pytest.mark.parametrize("linked", [True, False], ids=["hard-linked", "copied"])
def test_a_file_changed_while_landing_is_not_landed(env: Env, monkeypatch: pytest.MonkeyPatch,
                                                     linked: bool) -> None:
    item = make_export(env.inbox, "E1")
    if not linked:  # a second name for the file: landing must copy it
        os.link(item / "barn.csv", env.root / "barn-delivered.csv")
    real_dir_name = export_archive._dir_name
    before = (item / "barn.csv").read_bytes()

    def append_after_hashing(*args: object) -> str:
        # Between the checksums and the rename into place, the supplier writes on: the item must not land.
        with (item / "barn.csv").open("ab") as fh:
            fh.write(b"late;row\n")
        return real_dir_name(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(export_archive, "_dir_name", append_after_hashing)
    with pytest.raises(OSError, match="changed while landing"):
        export_archive.land(item, env.archive)
    assert (item / "barn.csv").read_bytes() == before + b"late;row\n"  # the inbox keeps it for the next try
    assert not [p for p in env.archive.iterdir() if p.name != ".gitkeep"]


@pytest.mark.parametrize("second_name", [False, True], ids=["files-of-its-own", "a-file-with-another-name"])
def test_landing_links_files_of_its_own_and_copies_otherwise(env: Env, second_name: bool) -> None:
    item = make_export(env.inbox, "E1")
    other = env.root / "kept-elsewhere.csv"
    if second_name:  # e.g. the supplier's own copy: landing must not share its bytes
        os.link(item / "arende.csv", other)
    inodes = {p.name: p.stat().st_ino for p in item.iterdir()}
    landed = export_archive.land(item, env.archive)
    archived = landed.export_path
    assert not item.exists()
    same = {name: (archived / name).stat().st_ino == ino for name, ino in inodes.items()}
    # Files of its own are the same files, now under the archive's names only; one file with a second
    # name and the whole item is copied (the archive holds bytes of its own).
    assert set(same.values()) == {not second_name}
    if second_name:
        assert (archived / "arende.csv").read_bytes() == other.read_bytes()
    assert export_archive.modes_ok(env.archive)
    assert export_archive.read_checksums(landed.archive_dir) == landed.checksums
    assert set(landed.checksums) == set(inodes)
    for name, digest in landed.checksums.items():
        assert sha256_file(archived / name) == digest


def test_a_failed_archive_clean_up_does_not_fail_the_load(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object, **_kwargs: object) -> list[str]:
        raise PermissionError("archive not writable")

    monkeypatch.setattr(export_archive, "prune", refuse)
    make_export(env.inbox, "E1")
    result = run(env)
    assert result.success
    assert [(r["export_id"], r["outcome"]) for r in load_log(env.db)] == [("E1", "accepted")]
