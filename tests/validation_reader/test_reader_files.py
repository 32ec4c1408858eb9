"""X002, X003, X006, X005 and X004 on the files of an export, their order, and the raw tables read."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest
from reader_helpers import (
    PNR,
    barn_csv,
    header_of,
    make_export,
    replace_file,
    set_rows,
    unlist,
)

from bbic_core import contract
from bbic_core.checksums import sha256_file
from bbic_core.validation.reader import open_export, read_export
from bbic_core.validation.refusal import Refusal


def _codes(folder: Path) -> list[str]:
    return [r.code for r in read_export(folder).refusals]


def test_a_valid_export_reads_every_file(tmp_path: Path) -> None:
    folder = make_export(tmp_path / "e")
    result = read_export(folder)
    assert result.refusals == []
    assert list(result.files) == [spec.name for spec in contract.FILES]
    assert result.checksums == {spec.name: sha256_file(folder / spec.name) for spec in contract.FILES}
    barn = result.files["barn.csv"]
    assert barn.spec is contract.BARN and barn.rows_read == 2 and barn.unknown_columns == []
    assert barn.extra_values is None
    assert barn.table.schema == pa.schema(
        [(c, pa.string()) for c in header_of("barn")] + [("_line", pa.int32()), ("_extra", pa.string())])
    assert barn.table.to_pylist() == [
        {"barn_id": "B1", "personnummer": PNR, "fodelsedatum": "", "kon": "2", "folkbokford_kommun": "",
         "_line": 2, "_extra": None},
        {"barn_id": "B2", "personnummer": "", "fodelsedatum": "2016-01-02", "kon": "1",
         "folkbokford_kommun": "", "_line": 3, "_extra": None},
    ]
    assert result.files["insats.csv"].rows_read == 0


def test_x002_a_contract_file_not_listed(tmp_path: Path) -> None:
    folder = make_export(tmp_path / "e")
    unlist(folder, "insats.csv")
    result = read_export(folder)
    assert result.refusals == [Refusal("X002", "insats.csv is not listed in manifest.json", "insats.csv")]
    assert result.files == {}


def test_x002_a_listed_file_missing(tmp_path: Path) -> None:
    folder = make_export(tmp_path / "e")
    (folder / "dokument.csv").unlink()
    result = read_export(folder)
    assert result.refusals == [
        Refusal("X002", "dokument.csv is listed in manifest.json but is not in the export", "dokument.csv")]
    assert "dokument.csv" not in result.checksums


def test_x002_a_listed_extra_file_missing(tmp_path: Path) -> None:
    folder = make_export(tmp_path / "e")
    replace_file(folder, "notes.csv", b"a\n1\n", rows=1)
    (folder / "notes.csv").unlink()
    assert _codes(folder) == ["X002"]


def test_unlisted_extra_files_are_ignored(tmp_path: Path) -> None:
    folder = make_export(tmp_path / "e")
    (folder / "notes.csv").write_bytes(b"\x81\x81 not even text")
    (folder / "README.txt").write_text("hej")
    result = read_export(folder)
    assert result.refusals == []
    assert "notes.csv" not in result.checksums and "notes.csv" not in result.files


def test_listed_extra_files_are_checked_for_x003_and_x006_only(tmp_path: Path) -> None:
    folder = make_export(tmp_path / "e")
    # A file with no contract header and a wrong row count: neither X005 nor X004 applies to it.
    replace_file(folder, "notes.csv", b"whatever;x\n1\n2\n", rows=7)
    result = read_export(folder)
    assert result.refusals == []
    assert "notes.csv" in result.checksums and "notes.csv" not in result.files
    replace_file(folder, "notes.csv", b"whatever\n\xff\n", rows=1)
    (folder / "notes.csv").write_bytes(b"whatever\n\xfe\n")
    refusals = read_export(folder).refusals
    assert [(r.code, r.file) for r in refusals] == [("X003", "notes.csv"), ("X006", "notes.csv")]


def test_x003_checksum_differs(tmp_path: Path) -> None:
    folder = make_export(tmp_path / "e")
    path = folder / "barn.csv"
    path.write_bytes(path.read_bytes().replace(b"B2", b"B3"))
    result = read_export(folder)
    [refusal] = result.refusals
    assert refusal.code == "X003" and refusal.file == "barn.csv"
    assert refusal.message.startswith("barn.csv: SHA-256 ")
    assert result.checksums["barn.csv"] == sha256_file(path)
    assert result.files == {}


def test_x006_invalid_utf8_names_the_line(tmp_path: Path) -> None:
    folder = make_export(tmp_path / "e")
    data = barn_csv([["B1", "", "", "1", ""], ["B2", "", "", "2", ""]]).replace(b"B2", b"B\xe52")
    replace_file(folder, "barn.csv", data, rows=2)
    [refusal] = read_export(folder).refusals
    message = "barn.csv: does not decode as utf-8: byte 0xE5 is not valid UTF-8 at line 3"
    assert refusal == Refusal("X006", message, "barn.csv", 3)


def test_x006_utf8_cut_inside_a_character(tmp_path: Path) -> None:
    folder = make_export(tmp_path / "e")
    data = barn_csv([["B1", "", "", "1", "å"]])[:-2]  # the newline and the second byte of å are cut
    replace_file(folder, "barn.csv", data, rows=1)
    [refusal] = read_export(folder).refusals
    assert refusal.code == "X006" and refusal.line == 2


@pytest.mark.parametrize("byte", [0x81, 0x8D, 0x8F, 0x90, 0x9D])
def test_x006_undefined_windows_1252_bytes(tmp_path: Path, byte: int) -> None:
    folder = make_export(tmp_path / "e", encoding="windows-1252")
    rows = [["B1", "", "", "1", ""], ["B\"\n2", "", "", "2", ""], ["B3", "", "", "1", "x"]]
    data = barn_csv(rows, encoding="cp1252").replace(b";x", b";" + bytes([byte]))
    replace_file(folder, "barn.csv", data, rows=3)
    [refusal] = read_export(folder).refusals
    message = f"barn.csv: does not decode as windows-1252: byte 0x{byte:02X} is not defined in Windows-1252"
    assert refusal == Refusal("X006", f"{message} at line 5", "barn.csv", 5)


def test_windows_1252_text_is_read(tmp_path: Path) -> None:
    folder = make_export(tmp_path / "e", encoding="windows-1252")
    rows = [["Bå", "", "", "1", "ä;ö"], ["B€", "", "", "2", "Å\r\nÖ"]]
    replace_file(folder, "barn.csv", barn_csv(rows, encoding="cp1252", line_end="\r\n"), rows=2)
    result = read_export(folder)
    assert result.refusals == []
    table = result.files["barn.csv"].table
    assert table.column("barn_id").to_pylist() == ["Bå", "B€"]
    assert table.column("folkbokford_kommun").to_pylist() == ["ä;ö", "Å\r\nÖ"]
    assert table.column("_line").to_pylist() == [2, 3]


def test_a_utf8_bom_is_stripped(tmp_path: Path) -> None:
    folder = make_export(tmp_path / "e")
    data = b"\xef\xbb\xbf" + barn_csv([["Bå", "", "", "1", ""]])
    replace_file(folder, "barn.csv", data, rows=1)
    result = read_export(folder)
    assert result.refusals == []
    assert result.files["barn.csv"].table.column("barn_id").to_pylist() == ["Bå"]
    assert result.files["barn.csv"].unknown_columns == []


def test_a_windows_1252_file_with_utf8_bytes_is_read_as_windows_1252(tmp_path: Path) -> None:
    folder = make_export(tmp_path / "e", encoding="windows-1252")
    replace_file(folder, "barn.csv", barn_csv([["Bå", "", "", "1", ""]]), rows=1)
    result = read_export(folder)
    assert result.refusals == []
    assert result.files["barn.csv"].table.column("barn_id").to_pylist() == ["BÃ¥"]


def test_x005_a_missing_column(tmp_path: Path) -> None:
    folder = make_export(tmp_path / "e")
    header = [c for c in header_of("barn") if c not in ("kon", "fodelsedatum")]
    replace_file(folder, "barn.csv", barn_csv([["B1", "", ""]], header=header), rows=1)
    result = read_export(folder)
    assert result.refusals == [
        Refusal("X005", "barn.csv: header lacks column(s) fodelsedatum, kon", "barn.csv", 1)]
    assert result.files == {}


def test_x005_a_column_named_twice(tmp_path: Path) -> None:
    folder = make_export(tmp_path / "e")
    header = [*header_of("barn"), " KON "]
    replace_file(folder, "barn.csv", barn_csv([["B1", "", "", "1", "", "2"]], header=header), rows=1)
    assert read_export(folder).refusals == [
        Refusal("X005", "barn.csv: header names column(s) kon more than once", "barn.csv", 1)]


def test_x005_an_unknown_column_named_twice(tmp_path: Path) -> None:
    folder = make_export(tmp_path / "e")
    header = [*header_of("barn"), "Extra", "extra"]
    replace_file(folder, "barn.csv", barn_csv([["B1", "", "", "1", "", "a", "b"]], header=header), rows=1)
    assert read_export(folder).refusals == [
        Refusal("X005", "barn.csv: header names column(s) 'extra' more than once", "barn.csv", 1)]


def test_x005_an_empty_file_has_no_header(tmp_path: Path) -> None:
    folder = make_export(tmp_path / "e")
    replace_file(folder, "barn.csv", b"\n\n", rows=0)
    assert read_export(folder).refusals == [Refusal("X005", "barn.csv: has no header", "barn.csv")]


def test_header_names_are_trimmed_case_insensitive_and_in_any_order(tmp_path: Path) -> None:
    folder = make_export(tmp_path / "e")
    header = ["  KON", "Barn_ID\t", "folkbokford_kommun", "Anteckning", "fodelsedatum ", "PersonNummer", "",
              ""]
    rows = [["1 ", " B1", "0180", "hej", "", "", "", "z"]]
    replace_file(folder, "barn.csv", barn_csv(rows, header=header), rows=1)
    result = read_export(folder)
    assert result.refusals == []
    raw = result.files["barn.csv"]
    assert raw.table.column_names == [*header_of("barn"), "_line", "_extra"]
    assert raw.table.to_pylist()[0] == {"barn_id": " B1", "personnummer": "", "fodelsedatum": "", "kon": "1 ",
                                        "folkbokford_kommun": "0180", "_line": 2, "_extra": None}
    assert raw.unknown_columns == ["Anteckning", "", ""]
    assert raw.extra_values is not None
    assert raw.extra_values.column_names == ["Anteckning", "", ""]
    assert [c.to_pylist() for c in raw.extra_values.columns] == [["hej"], [""], ["z"]]


@pytest.mark.parametrize(("listed", "expected"), [(1, "barn.csv: 2 data rows, manifest.json says 1"),
                                                  (5, "barn.csv: 2 data rows, manifest.json says 5")])
def test_x004_row_count_differs(tmp_path: Path, listed: int, expected: str) -> None:
    folder = make_export(tmp_path / "e")
    set_rows(folder, "barn.csv", listed)
    assert read_export(folder).refusals == [Refusal("X004", expected, "barn.csv")]


def test_x004_a_truncated_file(tmp_path: Path) -> None:
    folder = make_export(tmp_path / "e")
    data = barn_csv([[f"B{i}", "", "", "1", ""] for i in range(10)])
    cut = data[: data.index(b"B5;") + 2]  # a row cut in the middle: still a row, with fewer fields
    replace_file(folder, "barn.csv", cut, rows=10)
    assert read_export(folder).refusals == [
        Refusal("X004", "barn.csv: 6 data rows, manifest.json says 10", "barn.csv")]


def test_x004_blank_lines_are_not_rows_but_blank_looking_lines_are(tmp_path: Path) -> None:
    folder = make_export(tmp_path / "e")
    data = b"barn_id;personnummer;fodelsedatum;kon;folkbokford_kommun\r\n\r\nB1;;;1;\r\n\n  \n;;;;\n\n"
    replace_file(folder, "barn.csv", data, rows=3)
    result = read_export(folder)
    assert result.refusals == []
    table = result.files["barn.csv"].table
    assert table.column("barn_id").to_pylist() == ["B1", "  ", ""]
    assert table.column("_line").to_pylist() == [3, 5, 6]


def test_refusals_come_in_the_contracts_order_with_every_fault(tmp_path: Path) -> None:
    folder = make_export(tmp_path / "e")
    set_rows(folder, "arende.csv", 9)  # X004
    header = [c for c in header_of("personal") if c != "roll"]
    replace_file(folder, "personal.csv", b";".join(h.encode() for h in header) + b"\n", rows=0)  # X005
    replace_file(folder, "insats.csv", b"\xff\n", rows=0)  # X006
    (folder / "dokument.csv").write_bytes(b"changed\n")  # X003 (and X005: the header is gone)
    unlist(folder, "utredning.csv")  # X002
    refusals = read_export(folder).refusals
    assert [(r.code, r.file) for r in refusals] == [
        ("X002", "utredning.csv"), ("X003", "dokument.csv"), ("X006", "insats.csv"), ("X005", "dokument.csv"),
        ("X005", "personal.csv"), ("X004", "arende.csv")]


def test_the_handle_checks_once_and_reads_one_file_at_a_time(tmp_path: Path) -> None:
    folder = make_export(tmp_path / "e")
    with open_export(folder) as export:
        assert export.manifest is not None and export.refusals == []
        assert export.check() == []
        assert set(export.checksums) == {spec.name for spec in contract.FILES}
        names = [raw.name for raw in export.iter_files()]
        assert names == [spec.name for spec in contract.FILES]
        assert export.read_file("arende.csv").table.column("barn_id").to_pylist() == ["B1"]


def test_a_refused_file_cannot_be_read(tmp_path: Path) -> None:
    folder = make_export(tmp_path / "e")
    replace_file(folder, "barn.csv", b"barn_id\nB1\n", rows=1)
    with open_export(folder) as export:
        assert [r.code for r in export.check()] == ["X005"]
        with pytest.raises(ValueError, match="X005"):
            export.read_file("barn.csv")
        assert export.read_file("arende.csv").rows_read == 1


def test_a_listed_name_is_never_echoed_raw(tmp_path: Path) -> None:
    # The manifest's file names are free text: a line break or a personal number must not reach the message.
    folder = make_export(tmp_path / "e")
    name = f"kopia {PNR}\nx.csv"
    replace_file(folder, "notes.csv", b"a\n1\n", rows=1)
    doc = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    doc["files"] = [{**e, "name": name} if e["name"] == "notes.csv" else e for e in doc["files"]]
    (folder / "manifest.json").write_text(json.dumps(doc), encoding="utf-8")
    (refusal,) = read_export(folder).refusals
    assert refusal.code == "X002" and refusal.message.startswith("kopia *** x.csv is listed")
    assert PNR not in f"{refusal.message}{refusal.file}" and "\n" not in refusal.message
