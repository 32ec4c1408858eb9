"""X001: the manifest's own faults, each naming its key; the as-of date in Europe/Stockholm."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from reader_helpers import PNR, drop_key, make_export, manifest, save_manifest, set_key

from bbic_core import personnummer
from bbic_core.validation.manifest import parse_manifest
from bbic_core.validation.reader import read_export, read_manifest


def _x001(folder: Path) -> list[str]:
    found, refusals = read_manifest(folder)
    assert found is None
    assert refusals and all(r.code == "X001" for r in refusals)
    full = read_export(folder)
    assert full.manifest is None and full.files == {} and full.checksums == {}
    assert [r.code for r in full.refusals] == ["X001"] * len(refusals)
    return [r.message for r in refusals]


def test_a_valid_manifest_is_read(tmp_path: Path) -> None:
    folder = make_export(tmp_path / "e")
    found, refusals = read_manifest(folder)
    assert refusals == []
    assert found is not None
    assert found.export_id == "e-1" and found.municipality == "0180" and found.encoding == "utf-8"
    assert found.created_at == dt.datetime(2025, 6, 30, 20, 0, tzinfo=dt.UTC)
    assert {f.name for f in found.files} == {
        "barn.csv", "arende.csv", "aktualisering.csv", "utredning.csv", "utredning_bedomning.csv",
        "insats.csv", "dokument.csv", "personal.csv"}
    assert found.listed["barn.csv"].rows == 2


def test_missing_manifest(tmp_path: Path) -> None:
    folder = make_export(tmp_path / "e")
    (folder / "manifest.json").unlink()
    assert _x001(folder) == ["manifest.json is missing"]


def test_not_json(tmp_path: Path) -> None:
    folder = make_export(tmp_path / "e")
    (folder / "manifest.json").write_text('{"format": ', encoding="utf-8")
    [message] = _x001(folder)
    assert "not JSON" in message


def test_not_an_object(tmp_path: Path) -> None:
    folder = make_export(tmp_path / "e")
    (folder / "manifest.json").write_text("[1, 2]", encoding="utf-8")
    assert _x001(folder) == ["manifest.json: is not a JSON object"]


def test_not_utf8(tmp_path: Path) -> None:
    folder = make_export(tmp_path / "e")
    (folder / "manifest.json").write_bytes(b'{"export_id": "\xe5"}')
    [message] = _x001(folder)
    assert "not UTF-8" in message


def test_a_bom_is_allowed(tmp_path: Path) -> None:
    folder = make_export(tmp_path / "e")
    path = folder / "manifest.json"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    found, refusals = read_manifest(folder)
    assert refusals == [] and found is not None


@pytest.mark.parametrize(("key", "value"), [
    ("format", "paraply-export"),
    ("format_version", "2.0"),
    ("format_version", "1"),
    ("format_version", 1.0),
    ("extract", "delta"),
    ("encoding", "latin-1"),
    ("encoding", "utf8"),
    ("created_at", "2025-06-30T22:00:00"),
    ("created_at", "2025-06-30"),
    ("created_at", "2025-06-30T22:00:00+02"),
    ("created_at", "2025-06-30T22:00:00 +02:00"),
    ("created_at", "2025-06-30 22:00:00+02:00"),
    ("created_at", "30/6/2025 22:00 +02:00"),
    ("created_at", "2025-06-31T22:00:00+02:00"),
    ("created_at", 1751313600),
    ("municipality", "180"),
    ("municipality", 180),
    ("export_id", ""),
])
def test_a_wrong_value_names_its_key(tmp_path: Path, key: str, value: object) -> None:
    folder = make_export(tmp_path / "e")
    set_key(folder, key, value)
    [message] = _x001(folder)
    assert message.startswith(f"manifest.json: {key} is ")


@pytest.mark.parametrize("key", ["format", "format_version", "export_id", "municipality", "created_at",
                                 "extract", "encoding", "files"])
def test_a_missing_key_is_named(tmp_path: Path, key: str) -> None:
    folder = make_export(tmp_path / "e")
    drop_key(folder, key)
    [message] = _x001(folder)
    assert message.startswith(f"manifest.json: {key} is missing (")


def test_every_wrong_key_is_reported(tmp_path: Path) -> None:
    folder = make_export(tmp_path / "e")
    set_key(folder, "extract", "delta")
    set_key(folder, "encoding", "ebcdic")
    messages = _x001(folder)
    assert [m.split(" is ")[0] for m in messages] == ["manifest.json: extract", "manifest.json: encoding"]


@pytest.mark.parametrize(("entry", "key"), [
    ({"name": "barn.csv", "rows": -1, "sha256": "0" * 64}, "files[8].rows"),
    ({"name": "barn.csv", "rows": "2", "sha256": "0" * 64}, "files[8].rows"),
    ({"name": "barn.csv", "rows": True, "sha256": "0" * 64}, "files[8].rows"),
    ({"name": "barn.csv", "rows": 2, "sha256": "xyz"}, "files[8].sha256"),
    ({"name": "", "rows": 2, "sha256": "0" * 64}, "files[8].name"),
    ({"rows": 2, "sha256": "0" * 64}, "files[8].name"),
])
def test_a_wrong_file_entry_names_its_key(tmp_path: Path, entry: dict[str, object], key: str) -> None:
    folder = make_export(tmp_path / "e")
    doc = manifest(folder)
    files = doc["files"]
    assert isinstance(files, list)
    doc["files"] = [*files, entry]
    save_manifest(folder, doc)
    [message] = _x001(folder)
    assert message.startswith(f"manifest.json: {key} is ")


def test_a_file_listed_twice(tmp_path: Path) -> None:
    folder = make_export(tmp_path / "e")
    doc = manifest(folder)
    files = doc["files"]
    assert isinstance(files, list)
    doc["files"] = [*files, files[0]]
    save_manifest(folder, doc)
    [message] = _x001(folder)
    assert message == "manifest.json: files lists 'barn.csv' more than once"


@pytest.mark.parametrize(("version", "encoding", "stored"), [
    ("1.0", "UTF-8", "utf-8"),
    ("1.7", "Windows-1252", "windows-1252"),
    ("1.12", "WINDOWS-1252", "windows-1252"),
])
def test_minor_versions_and_encoding_case_are_accepted(version: str, encoding: str, stored: str) -> None:
    found, refusals = parse_manifest(_doc(format_version=version, encoding=encoding))
    assert refusals == [] and found is not None
    assert found.encoding == stored


def test_unknown_keys_are_ignored() -> None:
    found, refusals = parse_manifest(_doc(producer="Paraply 9.1"))
    assert refusals == [] and found is not None


@pytest.mark.parametrize(("created_at", "as_of"), [
    ("2025-06-30T22:00:00+02:00", dt.date(2025, 6, 30)),
    ("2025-06-30T22:30:00Z", dt.date(2025, 7, 1)),  # 00:30 in Stockholm (summer time)
    ("2025-12-31T23:30:00Z", dt.date(2026, 1, 1)),  # 00:30 in Stockholm (winter time)
    ("2025-12-31T22:30:00Z", dt.date(2025, 12, 31)),
    ("2025-06-30T18:00:00-05:00", dt.date(2025, 7, 1)),
    ("2025-06-30T21:59:59.999+00:00", dt.date(2025, 6, 30)),
    ("2025-06-30T08:00+0200", dt.date(2025, 6, 30)),
])
def test_as_of_is_the_date_in_stockholm(created_at: str, as_of: dt.date) -> None:
    found, refusals = parse_manifest(_doc(created_at=created_at))
    assert refusals == [] and found is not None
    assert found.as_of == as_of


def test_a_message_never_shows_a_personal_number() -> None:
    assert personnummer.parse(PNR) is not None
    for key in ("created_at", "municipality", "format_version", "encoding"):
        _, refusals = parse_manifest(_doc(**{key: PNR}))
        [refusal] = refusals
        assert PNR not in refusal.message and PNR[2:] not in refusal.message
        assert "***" in refusal.message


def _doc(**changes: object) -> bytes:
    import json

    doc: dict[str, object] = {
        "format": "paraply-bbic-export", "format_version": "1.0", "export_id": "e", "municipality": "0180",
        "created_at": "2025-06-30T22:00:00+02:00", "extract": "full", "encoding": "utf-8",
        "files": [{"name": "barn.csv", "rows": 0, "sha256": "A" * 64}],
    }
    doc.update(changes)
    return json.dumps(doc).encode("utf-8")


def test_sha256_is_stored_lower_case() -> None:
    found, _ = parse_manifest(_doc())
    assert found is not None and found.files[0].sha256 == "a" * 64
