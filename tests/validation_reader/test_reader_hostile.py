"""Hostile exports: whatever their shape, reading ends in a refusal with a code and one line, never in
another exception, and what is read is bounded (size, depth, columns) before anything is allocated."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import duckdb
import pytest
from reader_helpers import make_export, manifest, replace_file, save_manifest

from bbic_core.pseudonym import Pseudonymiser
from bbic_core.validation.reader import read_export, read_manifest
from bbic_core.validation.result import ValidationResult
from bbic_core.validation.validate import validate_export


def _zip(folder: Path, archive: Path, *, extra: list[tuple[str, bytes]] | None = None) -> Path:
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_STORED) as out:
        for path in sorted(folder.iterdir()):
            out.write(path, path.name)
        for name, data in extra or []:
            out.writestr(name, data)
    return archive


def _patch_member(archive: Path, name: str, *, crc: int | None = None, size: int | None = None) -> None:
    """Rewrites the CRC or the declared uncompressed size of `name` in its local and central headers."""
    data = bytearray(archive.read_bytes())
    encoded = name.encode()
    for signature, crc_at, size_at, name_len_at, name_at in ((b"PK\x03\x04", 14, 22, 26, 30),
                                                               (b"PK\x01\x02", 16, 24, 28, 46)):
        start = 0
        while (at := data.find(signature, start)) >= 0:
            start = at + 4
            (length,) = struct.unpack_from("<H", data, at + name_len_at)
            if bytes(data[at + name_at: at + name_at + length]) != encoded:
                continue
            if crc is not None:
                struct.pack_into("<I", data, at + crc_at, crc)
            if size is not None:
                struct.pack_into("<I", data, at + size_at, size)
    archive.write_bytes(bytes(data))


def _validate(path: Path) -> ValidationResult:
    return validate_export(path, register=None, con=duckdb.connect(), pseudonymiser=Pseudonymiser(b"k" * 32))


def _refused(path: Path, code: str = "X001") -> str:
    result = _validate(path)
    assert result.outcome == "refused" and result.refusal is not None, result
    assert result.refusal.code == code, result.refusal
    assert "\n" not in result.refusal.message
    return result.refusal.message


# Finding 4: the manifest.

@pytest.mark.parametrize("opening", ["[", '{"a":'])
def test_a_manifest_nested_100000_deep_is_x001(tmp_path: Path, opening: str) -> None:
    folder = make_export(tmp_path / "e")
    closing = "]" if opening == "[" else "}"
    (folder / "manifest.json").write_text(opening * 100_000 + "1" + closing * 100_000, encoding="utf-8")
    assert "nested" in _refused(folder)


def test_a_deep_value_under_an_unknown_key_is_x001_too(tmp_path: Path) -> None:
    folder = make_export(tmp_path / "e")
    data = manifest(folder)
    text = __import__("json").dumps(data)[:-1] + ', "x": ' + "[" * 5000 + "]" * 5000 + "}"
    (folder / "manifest.json").write_text(text, encoding="utf-8")
    assert "nested" in _refused(folder)


def test_a_manifest_member_declared_4_gb_is_x001_without_reading_it(tmp_path: Path) -> None:
    archive = _zip(make_export(tmp_path / "e"), tmp_path / "e.zip")
    _patch_member(archive, "manifest.json", size=4_000_000_000)
    assert _refused(archive).startswith("manifest.json: declared 4000000000 bytes uncompressed")


def test_a_manifest_member_with_a_bad_crc_is_x001(tmp_path: Path) -> None:
    archive = _zip(make_export(tmp_path / "e"), tmp_path / "e.zip")
    _patch_member(archive, "manifest.json", crc=0x12345678)
    assert "manifest.json: cannot be read from the zip" in _refused(archive)


def test_a_huge_manifest_file_in_a_folder_is_x001(tmp_path: Path) -> None:
    folder = make_export(tmp_path / "e")
    with (folder / "manifest.json").open("ab") as fh:
        fh.truncate(200 * 1024 * 1024)  # sparse: 200 MiB of zeros after the JSON
    assert "larger than" in _refused(folder)


def test_a_csv_member_declared_larger_than_the_bound_is_x001(tmp_path: Path) -> None:
    archive = _zip(make_export(tmp_path / "e"), tmp_path / "e.zip")
    _patch_member(archive, "barn.csv", size=0xFFFFFFF0)
    from bbic_core.validation import source

    old = source.MEMBER_MAX_BYTES
    source.MEMBER_MAX_BYTES = 1 << 30
    try:
        message = _refused(archive)
    finally:
        source.MEMBER_MAX_BYTES = old
    assert message.startswith("barn.csv: declared")


def test_a_zip_that_is_no_zip_inside_is_x001(tmp_path: Path) -> None:
    archive = _zip(make_export(tmp_path / "e"), tmp_path / "e.zip")
    data = bytearray(archive.read_bytes())
    end = data.rfind(b"PK\x05\x06")
    struct.pack_into("<I", data, end + 16, 0xFFFFFF00)  # the central directory's offset points nowhere
    archive.write_bytes(bytes(data))
    assert "manifest.json: cannot be read from the zip (OSError" in _refused(archive)


def test_read_manifest_on_a_deep_manifest_returns_the_refusal(tmp_path: Path) -> None:
    folder = make_export(tmp_path / "e")
    save_manifest(folder, {"format": "paraply-bbic-export"})
    (folder / "manifest.json").write_text("[" * 100_000, encoding="utf-8")
    found, refusals = read_manifest(folder)
    assert found is None and [r.code for r in refusals] == ["X001"]
    assert read_export(folder).refusals[0].code == "X001"


# Finding 5: the shape of a CSV.

def _barn_text(folder: Path) -> str:
    return (folder / "barn.csv").read_text(encoding="utf-8")


@pytest.mark.parametrize("delimiters", [100_000, 3_000_000])
def test_a_header_followed_by_many_delimiters_is_x005_before_any_column_is_made(
        tmp_path: Path, delimiters: int) -> None:
    folder = make_export(tmp_path / "e")
    header, rest = _barn_text(folder).split("\n", 1)
    replace_file(folder, "barn.csv", (header + ";" * delimiters + "\n" + rest).encode())
    message = _refused(folder, "X005")
    columns = len(header.split(";")) + delimiters
    assert message == f"barn.csv: header has {columns} columns, more than the limit of 256"


def test_many_distinct_unknown_header_names_are_judged_in_linear_time(tmp_path: Path) -> None:
    from bbic_core import contract
    from bbic_core.validation.reader import header_faults

    names = [*contract.BARN.column_names, *(f"x{i}" for i in range(200_000))]
    [fault] = header_faults(contract.BARN, names, 1)
    assert fault.code == "X005" and "200005 columns" in fault.message


def test_a_data_line_of_a_million_delimiters_is_one_bounded_v006_row(tmp_path: Path) -> None:
    folder = make_export(tmp_path / "e")
    text = _barn_text(folder)
    replace_file(folder, "barn.csv", (text + "B9;;2016-01-01;1;" + ";" * 1_000_000 + "\n").encode(), rows=3)
    con = duckdb.connect()
    result = validate_export(folder, register=None, con=con, pseudonymiser=Pseudonymiser(b"k" * 32))
    assert result.outcome == "accepted" and result.files["barn.csv"].quarantined == 1
    ((rules, raw),) = con.execute("SELECT rules, raw_json FROM quarantine").fetchall()
    assert rules == ["V006"] and len(raw) < 2000
    import json

    extra = json.loads(raw)["_extra"]
    assert len(extra) == 21 and extra[-1] == f"… {1_000_000 - 20} fält till"


def test_a_giant_field_makes_the_file_x004_with_its_line(tmp_path: Path) -> None:
    from bbic_core.validation import reader

    folder = make_export(tmp_path / "e")
    text = _barn_text(folder)
    replace_file(folder, "barn.csv", (text + "B9" + "x" * (3 << 20) + ";;2016-01-01;1;\n").encode(), rows=3)
    old, reader.RECORD_MAX_BYTES = reader.RECORD_MAX_BYTES, 1 << 20
    try:
        message = _refused(folder, "X004")
    finally:
        reader.RECORD_MAX_BYTES = old
    assert message.startswith("barn.csv: the row at line 4 is longer than the limit of 1048576 bytes")


def test_bbic_validate_and_the_load_agree_on_a_wide_header(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from bbic_cli.main import app

    folder = make_export(tmp_path / "e")
    header, rest = _barn_text(folder).split("\n", 1)
    replace_file(folder, "barn.csv", (header + ";" * 100_000 + "\n" + rest).encode())
    out = CliRunner().invoke(app, ["validate", str(folder)])
    assert out.exit_code != 0 and "X005" in out.output and "Traceback" not in out.output
    assert _validate(folder).refusal is not None


# Finding 15: the manifest's duplicates, zips with a name twice, a BOM inside the header.

def test_a_manifest_listing_100000_files_is_judged_in_linear_time(tmp_path: Path) -> None:
    from bbic_core.validation.manifest import parse_manifest

    folder = make_export(tmp_path / "e")
    data = manifest(folder)
    files = list(data["files"])  # type: ignore[call-overload]
    entry = {"rows": 0, "sha256": "0" * 64}
    files += [{"name": f"extra{i}.csv", **entry} for i in range(100_000)]
    files += [{"name": "extra7.csv", **entry}, {"name": "extra99999.csv", **entry}]
    data["files"] = files
    found, refusals = parse_manifest(__import__("json").dumps(data).encode())
    assert found is None
    expected = "manifest.json: files lists 'extra7.csv', 'extra99999.csv' more than once"
    assert [r.message for r in refusals] == [expected]


@pytest.mark.parametrize("second", ["barn.csv", "./barn.csv"])
def test_a_zip_holding_a_file_name_twice_is_x001_ambiguous(tmp_path: Path, second: str) -> None:
    folder = make_export(tmp_path / "e")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns of the duplicate name it is asked to write
        archive = _zip(folder, tmp_path / "e.zip", extra=[(second, b"barn_id;personnummer\nB666;\n")])
    message = _refused(archive)
    assert message == "e.zip: the zip holds barn.csv more than once: which one is the export's is ambiguous"


def test_a_bom_before_a_later_header_name_is_named_in_the_x005_message(tmp_path: Path) -> None:
    folder = make_export(tmp_path / "e")
    text = _barn_text(folder).replace(";personnummer;", ";\ufeffpersonnummer;", 1)
    replace_file(folder, "barn.csv", text.encode())
    message = _refused(folder, "X005")
    assert message == ("barn.csv: header lacks column(s) personnummer (a byte order mark, U+FEFF, stands "
                       "before personnummer: remove it)")


def test_a_utf8_bom_in_a_windows_1252_file_is_named_in_the_x005_message(tmp_path: Path) -> None:
    folder = make_export(tmp_path / "e", encoding="windows-1252")
    replace_file(folder, "barn.csv", b"\xef\xbb\xbf" + (folder / "barn.csv").read_bytes())
    message = _refused(folder, "X005")
    assert message.endswith("(the file starts with a UTF-8 byte order mark but is declared windows-1252)")


def test_a_member_that_inflates_more_than_500_times_is_x001_a_zip_bomb(tmp_path: Path) -> None:
    folder = make_export(tmp_path / "e")
    archive = tmp_path / "e.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as out:
        for path in sorted(folder.iterdir()):
            if path.name != "barn.csv":
                out.write(path, path.name)
        out.writestr("barn.csv", (folder / "barn.csv").read_bytes() + b"\n" * (64 << 20))
    message = _refused(archive)
    assert message.startswith("barn.csv: declared ") and message.endswith("more than 500 times: a zip bomb")


def test_a_damaged_version_field_is_x001(tmp_path: Path) -> None:
    archive = _zip(make_export(tmp_path / "e"), tmp_path / "e.zip")
    data = bytearray(archive.read_bytes())
    at = data.find(b"PK\x01\x02")
    data[at + 6] = 143  # "version needed to extract": 14.3, which zipfile does not implement
    archive.write_bytes(bytes(data))
    assert "not a readable zip file" in _refused(archive)


@pytest.mark.parametrize("seed", [1, 2])
def test_random_damage_to_a_zip_never_raises(tmp_path: Path, seed: int) -> None:
    import random

    archive = _zip(make_export(tmp_path / "e"), tmp_path / "e.zip")
    base = archive.read_bytes()
    rng = random.Random(seed)
    outcomes = set()
    for i in range(40):
        data = bytearray(base)
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        damaged = tmp_path / f"d{i}.zip"
        damaged.write_bytes(bytes(data))
        result = _validate(damaged)  # a result, whatever the damage: never an exception
        outcomes.add(result.refusal.code if result.refusal is not None else result.outcome)
    assert "X001" in outcomes
