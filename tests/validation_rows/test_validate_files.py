"""validate_export on files shaped the way real exports go wrong: header quirks, blank-looking lines,
a BOM, a zip, a huge field. Each file is written as bytes, then the manifest is rewritten for it."""

from __future__ import annotations

import zipfile
from pathlib import Path

import duckdb
from export_fixtures import FakeRegister, validate, write
from rows_fixtures import base_tables

from bbic_core import contract
from bbic_core.export_writer import write_manifest
from bbic_core.validation.result import ValidationResult

HEADER = b"handlaggare_id;stadsdel;roll;bbic_anvandare;anstalld_fran;anstalld_till"
ROW = b"H1;bromma;HANDLAGGARE;J;2010-01-01;"


def _with_personal(folder: Path, data: bytes, rows: int, *, encoding: str = "utf-8") -> Path:
    """The base export with `personal.csv` replaced by `data` (`rows` data rows) and a fresh manifest."""
    (folder / "personal.csv").write_bytes(data)
    counts = {s.name: len(base_tables().get(s.table, [])) for s in contract.FILES}
    counts["personal.csv"] = rows
    write_manifest(folder, export_id="exp-1", municipality="0180", created_at="2025-06-30T22:00:00+02:00",
                   row_counts=counts, encoding=encoding)
    return folder


def _run(tmp_path: Path, data: bytes, rows: int) -> tuple[ValidationResult, duckdb.DuckDBPyConnection]:
    return validate(_with_personal(write(tmp_path / "e", base_tables()), data, rows), register=FakeRegister())


def _findings(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int, str, str]]:
    return [tuple(r) for r in con.execute(  # type: ignore[misc]
        "SELECT file, line, column_name, code FROM findings").fetchall()]


def test_a_trailing_delimiter_on_the_header_is_an_empty_unknown_column(tmp_path: Path) -> None:
    # Data rows without the trailing `;` are one field short: read with the missing field empty.
    result, con = _run(tmp_path, HEADER + b";\n" + ROW + b"\n", 1)
    assert result.outcome == "accepted" and result.files["personal.csv"].loaded == 1
    assert _findings(con) == [("personal.csv", 1, "", "V050")]
    (message,) = con.execute("SELECT message FROM findings").fetchone() or ("",)
    assert message.endswith("(tomt kolumnnamn, t.ex. ett avslutande ;)")


def test_v050_is_reported_on_the_header_line_after_blank_lines(tmp_path: Path) -> None:
    result, con = _run(tmp_path, b"\n\r\n" + HEADER + b";kommentar\n" + ROW + b";x\n", 1)
    assert result.outcome == "accepted"
    assert _findings(con) == [("personal.csv", 3, "kommentar", "V050")]
    assert con.execute("SELECT _line FROM clean_personal").fetchall() == [(4,)]


def test_a_file_with_only_a_bom_and_a_header_has_no_rows(tmp_path: Path) -> None:
    result, _ = _run(tmp_path, b"\xef\xbb\xbf" + HEADER, 0)
    assert result.outcome == "accepted"
    stats = result.files["personal.csv"]
    assert (stats.read, stats.loaded, stats.quarantined, stats.rules) == (0, 0, 0, {})


def test_an_empty_file_is_x005(tmp_path: Path) -> None:
    result, _ = _run(tmp_path, b"", 0)
    assert result.refusal is not None
    assert (result.refusal.code, result.refusal.file) == ("X005", "personal.csv")


def test_lines_of_spaces_tabs_or_delimiters_are_rows(tmp_path: Path) -> None:
    # Blank lines (no characters) are not rows; a line of spaces, a tab or delimiters is one, read empty.
    result, con = _run(tmp_path, HEADER + b"\n" + ROW + b"\n\n  \n\t\n;;\n\r\n", 4)
    assert result.files["personal.csv"].model_dump()["quarantined"] == 3
    assert con.execute("SELECT line, rules FROM quarantine").fetchall() == [
        (4, ["V001"]), (5, ["V001"]), (6, ["V001"])]


def test_a_huge_field_is_read_and_never_copied_into_a_message(tmp_path: Path) -> None:
    huge = b"x" * (3 << 20)
    result, con = _run(tmp_path, HEADER + b"\n" + ROW + b"\nH2;" + huge + b";HANDLAGGARE;J;2010-01-01;\n", 2)
    assert result.files["personal.csv"].quarantined == 1
    (longest,) = con.execute("SELECT max(length(message)) FROM findings").fetchone() or (0,)
    assert ("personal.csv", 3, "stadsdel", "V002") in _findings(con) and longest < 200


def test_a_zipped_export_in_one_folder_validates_like_the_folder(tmp_path: Path) -> None:
    t = base_tables()
    t["arende"][0]["avslutat_datum"] = "2024-01-09"  # V020
    folder = write(tmp_path / "e", t, municipality="0180")
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for path in sorted(folder.iterdir()):
            z.write(path, f"paraply-export/{path.name}")
    zipped, con = validate(archive, register=FakeRegister())
    plain, _ = validate(folder, register=FakeRegister())
    assert zipped.outcome == "accepted" and zipped.files == plain.files
    assert ("arende.csv", 2, "avslutat_datum", "V020") in _findings(con)


def test_windows_1252_values_are_decoded(tmp_path: Path) -> None:
    data = HEADER + b"\n" + ROW + b"\nH2;bromma;\xd6VRIG;J;2010-01-01;\n"  # ÖVRIG: not a code (OVRIG is)
    folder = _with_personal(write(tmp_path / "e", base_tables()), data, 2, encoding="windows-1252")
    result, con = validate(folder, register=FakeRegister())
    assert result.outcome == "accepted" and result.files["personal.csv"].rules == {"V003": 1}
    (raw,) = con.execute("SELECT raw_json FROM quarantine").fetchone() or ("",)
    assert '"roll":"ÖVRIG"' in raw
