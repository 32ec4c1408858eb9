"""Zipped exports: the two allowed layouts, read in place; any other layout is X001."""

from __future__ import annotations

from pathlib import Path

import pytest
from reader_helpers import barn_csv, make_export, replace_file, zip_folder

from bbic_core import contract
from bbic_core.checksums import sha256_file
from bbic_core.validation.reader import read_export, read_manifest


def _export(tmp_path: Path) -> Path:
    folder = make_export(tmp_path / "e", encoding="windows-1252")
    rows = [["Bå", "", "", "1", ""], ["short"], ["B3", "", "", "2", "0180", "surplus", "å"]]
    replace_file(folder, "barn.csv", barn_csv(rows, encoding="cp1252", line_end="\r\n"), rows=3)
    return folder


@pytest.mark.parametrize("inside", [None, "paraply_0180_20250630"])
def test_a_zip_is_read_in_place(tmp_path: Path, inside: str | None) -> None:
    folder = _export(tmp_path)
    archive = zip_folder(folder, tmp_path / "export.zip", inside=inside)
    result = read_export(archive)
    assert result.refusals == []
    assert result.checksums == {spec.name: sha256_file(folder / spec.name) for spec in contract.FILES}
    barn = result.files["barn.csv"].table
    assert barn.column("barn_id").to_pylist() == ["Bå", "short", "B3"]
    assert barn.column("folkbokford_kommun").to_pylist() == ["", "", "0180"]
    assert barn.column("_extra").to_pylist() == [None, None, '["surplus", "å"]']
    assert barn.column("_line").to_pylist() == [2, 3, 4]
    assert read_export(archive).files["barn.csv"].table.equals(read_export(folder).files["barn.csv"].table)


def test_deeper_files_and_archiver_noise_are_not_part_of_the_export(tmp_path: Path) -> None:
    folder = make_export(tmp_path / "e")
    extra = {"__MACOSX/x/._barn.csv": b"\x00\x01", "x/deeper/barn.csv": b"nonsense",
             "x/old/notes.txt": b"hej"}
    archive = zip_folder(folder, tmp_path / "export.zip", inside="x", extra=extra)
    result = read_export(archive)
    assert result.refusals == []
    assert result.files["barn.csv"].rows_read == 2


def test_manifest_at_the_root_wins_over_folders(tmp_path: Path) -> None:
    folder = make_export(tmp_path / "e")
    archive = zip_folder(folder, tmp_path / "export.zip", extra={"backup/barn.csv": b"x"})
    assert read_export(archive).refusals == []


def _x001(archive: Path) -> str:
    manifest, refusals = read_manifest(archive)
    assert manifest is None
    [refusal] = refusals
    assert refusal.code == "X001"
    assert [r.code for r in read_export(archive).refusals] == ["X001"]
    return refusal.message


def test_two_top_level_folders_are_x001(tmp_path: Path) -> None:
    folder = make_export(tmp_path / "e")
    archive = zip_folder(folder, tmp_path / "export.zip", inside="a", extra={"b/readme.txt": b"x"})
    assert "exactly one top-level folder (found 2" in _x001(archive)


def test_files_at_the_root_without_a_manifest_next_to_a_folder_are_x001(tmp_path: Path) -> None:
    folder = make_export(tmp_path / "e")
    archive = zip_folder(folder, tmp_path / "export.zip", inside="a", extra={"barn.csv": b"x"})
    assert "exactly one top-level folder" in _x001(archive)


def test_a_manifest_two_folders_down_is_missing(tmp_path: Path) -> None:
    folder = make_export(tmp_path / "e")
    archive = zip_folder(folder, tmp_path / "export.zip", inside="a/b")
    assert _x001(archive) == "manifest.json is missing"


def test_a_file_that_is_not_a_zip_is_x001(tmp_path: Path) -> None:
    archive = tmp_path / "export.zip"
    archive.write_bytes(b"PK but not really")
    assert "not a readable zip file" in _x001(archive)


def test_an_empty_zip_is_x001(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    archive = zip_folder(empty, tmp_path / "export.zip")
    assert "exactly one top-level folder (found 0" in _x001(archive)


def test_a_path_that_does_not_exist_is_an_error_not_a_refusal(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_export(tmp_path / "nothing.zip")


def test_a_corrupt_zip_member_is_x001(tmp_path: Path) -> None:
    import zipfile

    folder = make_export(tmp_path / "e")
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_STORED) as out:
        for path in sorted(folder.iterdir()):
            out.write(path, path.name)
    data = archive.read_bytes()
    archive.write_bytes(data.replace(b"B2;", b"B9;", 1))  # the bytes change, the stored CRC does not
    [refusal] = read_export(archive).refusals
    assert refusal.code == "X001" and refusal.file == "barn.csv"
    assert refusal.message.startswith("barn.csv: cannot be read from the zip (BadZipFile")
