"""No personal number reaches any file but the archive: a whole night (load, figures, reports) of an
export with known numbers, every file it wrote, the temp folders and DuckDB's spill folders scanned
(the staging file's spill folder lies in the data folder, an in-memory connection's default `.tmp` in
the working directory)."""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pipeline_helpers import PNRS, Env, clean_tables, make_export, make_pnr

from pipelines import runner

INVALID = PNRS[2][:-1] + ("0" if PNRS[2][-1] != "0" else "1")  # a wrong check digit
IN_TEXT = make_pnr("20110203", "468")  # only in places where no number belongs
NUMBERS = (*PNRS, INVALID, IN_TEXT)


def written_forms(number: str) -> list[bytes]:
    """Every way a number can be written: 12 and 10 digits, without a separator, with `-` and with `+`."""
    twelve = number.replace("-", "").replace("+", "")
    forms: list[str] = []
    for digits in (twelve, twelve[2:]):
        forms += [digits, f"{digits[:-4]}-{digits[-4:]}", f"{digits[:-4]}+{digits[-4:]}"]
    return [f.encode("ascii") for f in forms]


NEEDLES = [form for number in NUMBERS for form in written_forms(number)]


def _export_tables() -> dict[str, list[dict[str, str]]]:
    tables = clean_tables(n_bad_barn=1)
    barn = tables["barn"]
    barn.append({"barn_id": "B1", "personnummer": PNRS[1], "kon": "2"})  # V004: quarantined with its number
    barn.append({"barn_id": "B9", "personnummer": INVALID, "kon": "1", "fodelsedatum": "2012-07-05"})
    barn.append({"barn_id": "B10", "personnummer": f"{IN_TEXT[:8]}+{IN_TEXT[8:]}", "kon": IN_TEXT})
    barn[0]["anteckning"] = f"{IN_TEXT[2:8]}-{IN_TEXT[8:]}"  # an unknown column (V050)
    tables["arende"][0]["arende_id"] = IN_TEXT  # a number as an id (V007)
    return tables


class _Watcher:
    """Reads every file that appears under `folders` while the night runs (DuckDB removes its spill files
    when a connection closes, so a scan afterwards alone could miss them)."""

    def __init__(self, folders: list[Path]) -> None:
        self.folders = folders
        self.leaks: dict[Path, list[bytes]] = {}
        self.read = 0  # distinct file versions read
        self._versions: set[tuple[Path, int, int]] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> _Watcher:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sweep()

    def _loop(self) -> None:
        while not self._stop.wait(0.01):
            self._sweep()

    def _sweep(self) -> None:
        for path in _files(self.folders):
            try:
                st = path.stat()
                version = (path, st.st_mtime_ns, st.st_size)
                if version in self._versions:
                    continue
                data = path.read_bytes()
            except OSError:  # removed between listing and reading
                continue
            self._versions.add(version)
            self.read += 1
            found = _leaks(data)
            if found:
                self.leaks.setdefault(path, []).extend(found)


def _files(folders: list[Path]) -> Iterator[Path]:
    for folder in folders:
        # os.walk skips a folder removed while it is walked (the run renames and deletes its own)
        for root, _dirs, names in os.walk(folder):
            for name in names:
                path = Path(root) / name
                if path.is_file():
                    yield path


def _leaks(data: bytes) -> list[bytes]:
    return [needle for needle in NEEDLES if needle in data]


def test_a_night_writes_no_personal_number_outside_the_archive(
    env: Env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    temp = tmp_path / "tmpdir"
    cwd = tmp_path / "cwd"  # DuckDB's default temp folder for an in-memory database is `.tmp` here
    temp.mkdir()
    cwd.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    monkeypatch.chdir(cwd)
    caplog.set_level(logging.DEBUG)
    export = make_export(env.inbox, "E1", tables=_export_tables())
    exported = b"".join(p.read_bytes() for p in export.iterdir())
    assert all(any(form in exported for form in written_forms(n)) for n in NUMBERS)  # the scan can find them

    watched = [env.data, env.reports, temp, cwd]
    with _Watcher(watched) as watcher:
        summary = runner.run_nightly(env.resources(), reports=True)

    assert [e.outcome for e in summary.exports] == ["accepted"], summary
    assert summary.reports_error is None
    written = {path: path.read_bytes() for path in _files(watched)}
    assert any(p.suffix == ".duckdb" for p in written)
    assert any(p.suffix == ".csv" for p in written)
    # The archive holds the export (the only place its numbers may be); nothing else does.
    archived = b"".join(p.read_bytes() for p in _files([env.archive]))
    assert _leaks(archived)
    assert watcher.read >= len(written)
    assert watcher.leaks == {}
    for path, data in written.items():
        assert not _leaks(data), path.relative_to(tmp_path)
    logged = "\n".join(r.getMessage() for r in caplog.records).encode()
    out, err = capfd.readouterr()
    for text in (logged, out.encode(), err.encode()):
        assert not _leaks(text)
    assert os.listdir(cwd) == []  # no `.tmp` of an in-memory connection
