"""A loaded export delivered again: known from its manifest, sizes and times without reading its files;
anything that differs (a file changed after the manifest, another size, a forced run, an export not
loaded) is hashed as before, and other bytes under the same id are kept beside the first for audit."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pipeline_helpers import Env, load_log, make_export, run

from pipelines import export_archive

DATA_FILE = "arende.csv"


@pytest.fixture
def hashed(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every file landing hashes (linked or copied, it goes through `sha256_file` or `_copy_file`)."""
    seen: list[Path] = []
    real_hash, real_copy = export_archive.sha256_file, export_archive._copy_file

    def hashing(path: Path) -> str:
        seen.append(path)
        return real_hash(path)

    def copying(src: Path, dst: Path) -> str:
        seen.append(src)
        return real_copy(src, dst)

    monkeypatch.setattr(export_archive, "sha256_file", hashing)
    monkeypatch.setattr(export_archive, "_copy_file", copying)
    return seen


def _landed_metadata(result: object) -> dict[str, object]:
    [event] = [e for e in result.get_asset_materialization_events()  # type: ignore[attr-defined]
               if e.asset_key.to_user_string() == "landed_export"]
    return {k: v.value for k, v in event.materialization.metadata.items()}


def _archived(env: Env) -> list[str]:
    return sorted(p.name for p in env.archive.iterdir() if not p.name.startswith("."))


def test_a_loaded_export_delivered_again_is_skipped_without_reading_its_files(
    env: Env, hashed: list[Path]
) -> None:
    make_export(env.inbox, "E1")
    assert run(env).success
    first = len(hashed)
    assert first > 0  # the first delivery is hashed
    make_export(env.inbox, "E1")  # the very same export again
    result = run(env)
    assert result.success
    assert hashed[first:] == []
    assert _landed_metadata(result)["recognised_unread"] is True
    assert [r["outcome"] for r in load_log(env.db)] == ["accepted", "skipped"]
    assert not (env.inbox / "E1").exists() and _archived(env) == ["E1"]


def _changed_after_the_manifest(folder: Path) -> None:
    path = folder / DATA_FILE
    path.write_bytes(path.read_bytes().replace(b"2024-01-10", b"2024-01-11"))  # the same size
    later = (folder / "manifest.json").stat().st_mtime_ns + 60 * 10**9  # still settled an hour ago
    os.utime(path, ns=(later, later))


def _other_size_same_time(folder: Path) -> None:
    path = folder / DATA_FILE
    when = (folder / "manifest.json").stat().st_mtime_ns
    path.write_bytes(path.read_bytes() + b"\n")
    os.utime(path, ns=(when, when))


@pytest.mark.parametrize("change", [_changed_after_the_manifest, _other_size_same_time])
def test_a_file_changed_under_the_same_manifest_is_hashed_and_kept_beside(
    env: Env, hashed: list[Path], change: object
) -> None:
    make_export(env.inbox, "E1")
    assert run(env).success
    first = len(hashed)
    folder = make_export(env.inbox, "E1")
    before = (folder / DATA_FILE).read_bytes()
    change(folder)  # type: ignore[operator]
    assert (folder / DATA_FILE).read_bytes() != before
    result = run(env)
    assert any(p.name == DATA_FILE for p in hashed[first:])
    assert _landed_metadata(result)["recognised_unread"] is False
    kept = [name for name in _archived(env) if name != "E1"]
    assert len(kept) == 1 and kept[0].startswith("E1.")  # other bytes under the same id, for audit
    assert (env.archive / kept[0] / "export" / DATA_FILE).read_bytes() != before
    assert [r["outcome"] for r in load_log(env.db)] == ["accepted", "skipped"]  # as the manifest says


def test_a_forced_run_reads_a_delivery_again(env: Env, hashed: list[Path]) -> None:
    make_export(env.inbox, "E1")
    assert run(env).success
    first = len(hashed)
    make_export(env.inbox, "E1")
    result = run(env, force=True)
    assert result.success
    assert any(p.name == DATA_FILE for p in hashed[first:])
    assert [r["outcome"] for r in load_log(env.db)] == ["accepted", "accepted"]


def test_an_export_refused_before_is_read_again(env: Env, hashed: list[Path]) -> None:
    make_export(env.inbox, "E1", municipality="0999")  # X007: not the register's municipality
    assert not run(env).success
    first = len(hashed)
    make_export(env.inbox, "E1", municipality="0999")
    assert not run(env).success
    assert any(p.name == DATA_FILE for p in hashed[first:])
    assert [(r["outcome"], r["refusal_code"]) for r in load_log(env.db)] == [("refused", "X007")] * 2
