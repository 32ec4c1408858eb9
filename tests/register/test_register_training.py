"""`utbildning.csv` / `.xlsx`: encodings, line numbers, bookings, and the training questions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from register_helpers import TODAY, write_register

from bbic_core.register import RegisterError, load_register, unknown_trainees

D = dt.date
CSV = (
    "handlaggare_id;utbildning;genomford_datum;namn\n"
    "ÖS0001;GRUNDUTBILDNING;2008-04-10;Åsa Öberg\n"
    "BR0003;UTBILDARUTBILDNING;2008-01-20;\n"
    "BR0003;sos_grundutbildning;2007-12-05;\n"
    "BR0002;E_LEARNING;2015-10-01;\n"
)


def _load_csv(tmp_path: Path, data: bytes) -> tuple[list[tuple[str, str, dt.date]], list[str]]:
    reg = load_register(write_register(tmp_path, utbildning=data), today=TODAY)
    return [(u.handlaggare_id, u.utbildning, u.genomford_datum) for u in reg.utbildning], reg.warnings


EXPECTED = [
    ("ÖS0001", "GRUNDUTBILDNING", D(2008, 4, 10)),
    ("BR0003", "UTBILDARUTBILDNING", D(2008, 1, 20)),
    ("BR0003", "SOS_GRUNDUTBILDNING", D(2007, 12, 5)),
    ("BR0002", "E_LEARNING", D(2015, 10, 1)),
]


@pytest.mark.parametrize("data", [
    CSV.encode("utf-8"),
    b"\xef\xbb\xbf" + CSV.encode("utf-8"),
    CSV.encode("windows-1252"),
    CSV.replace("\n", "\r\n").encode("windows-1252"),
], ids=["utf8", "utf8-bom", "windows-1252", "windows-1252-crlf"])
def test_csv_in_every_encoding(tmp_path: Path, data: bytes) -> None:
    rows, warnings = _load_csv(tmp_path, data)
    assert rows == EXPECTED
    assert warnings == []


def test_training_on_the_day(tmp_path: Path) -> None:
    reg = load_register(write_register(tmp_path, utbildning=CSV.encode()), today=TODAY)
    assert not reg.has_basic_training("ÖS0001", D(2008, 4, 9))
    assert reg.has_basic_training("ÖS0001", D(2008, 4, 10))
    assert reg.has_basic_training("BR0003", D(2007, 12, 5))  # Socialstyrelsen's basic training counts
    assert not reg.has_basic_training("BR0002", D(2020, 1, 1))  # e-learning alone is not basic training
    assert not reg.is_trained_trainer("BR0003", D(2008, 1, 19))
    assert reg.is_trained_trainer("BR0003", D(2008, 1, 20))
    assert not reg.is_trained_trainer("ÖS0001", D(2020, 1, 1))
    assert not reg.has_basic_training("XX9999", D(2020, 1, 1))
    assert reg.first_basic_training() == {"ÖS0001": D(2008, 4, 10), "BR0003": D(2007, 12, 5)}
    assert unknown_trainees(reg, {"BR0002", "BR0003"}) == ["ÖS0001"]


def test_first_basic_training_is_the_earliest(tmp_path: Path) -> None:
    data = CSV + "ÖS0001;SOS_GRUNDUTBILDNING;2008-03-01;\nÖS0001;GRUNDUTBILDNING;2009-01-01;\n"
    reg = load_register(write_register(tmp_path, utbildning=data.encode()), today=TODAY)
    assert reg.first_basic_training()["ÖS0001"] == D(2008, 3, 1)


def test_future_date_is_a_booking_warning(tmp_path: Path) -> None:
    data = CSV + "BR0002;GRUNDUTBILDNING;2026-11-26;\n"
    reg = load_register(write_register(tmp_path, utbildning=data.encode()), today=TODAY)
    assert reg.warnings == ["utbildning.csv:6: genomford_datum: 2026-11-26 is after 2026-11-25 (a booking?)"]
    assert not reg.has_basic_training("BR0002", TODAY)
    assert reg.has_basic_training("BR0002", D(2026, 11, 26))


@pytest.mark.parametrize(("row", "key", "words"), [
    ("BR0002;GRUNDKURS;2020-01-01", "utbildning", "unknown code 'GRUNDKURS'"),
    ("BR0002;GRUNDUTBILDNING;2020-02-30", "genomford_datum", "2020-02-30"),
    ("BR0002;GRUNDUTBILDNING;1/2 2020", "genomford_datum", "YYYY-MM-DD"),
    ("BR0002;GRUNDUTBILDNING;", "genomford_datum", "empty"),
    (";GRUNDUTBILDNING;2020-01-01", "handlaggare_id", "empty"),
])
def test_bad_rows_name_line_and_column(tmp_path: Path, row: str, key: str, words: str) -> None:
    data = CSV + "\n" + row + "\n"  # a blank line keeps its number
    with pytest.raises(RegisterError) as caught:
        load_register(write_register(tmp_path, utbildning=data.encode("windows-1252")), today=TODAY)
    assert (caught.value.file, caught.value.line, caught.value.key) == ("utbildning.csv", 7, key)
    assert str(caught.value).startswith(f"utbildning.csv:7: {key}: ") and words in str(caught.value)


def test_line_numbers_count_quoted_line_breaks(tmp_path: Path) -> None:
    data = CSV.replace("Åsa Öberg", '"Åsa\nÖberg"') + "BR0002;X;2020-01-01;\n"
    with pytest.raises(RegisterError) as caught:
        load_register(write_register(tmp_path, utbildning=data.encode()), today=TODAY)
    assert caught.value.line == 7


def test_header_must_hold_the_columns(tmp_path: Path) -> None:
    data = "handlaggare_id;kurs;genomford_datum\nBR0002;GRUNDUTBILDNING;2020-01-01\n"
    with pytest.raises(RegisterError) as caught:
        load_register(write_register(tmp_path, utbildning=data.encode()), today=TODAY)
    assert str(caught.value).startswith("utbildning.csv:1: utbildning: the header lacks column utbildning")


def test_bytes_neither_utf8_nor_windows_1252(tmp_path: Path) -> None:
    data = CSV.encode() + b"BR0002;GRUNDUTBILDNING;2020-01-01;\x81\n"
    with pytest.raises(RegisterError) as caught:
        load_register(write_register(tmp_path, utbildning=data), today=TODAY)
    assert (caught.value.line, caught.value.key) == (6, None)


def _write_xlsx(path: Path, rows: list[list[object]]) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row_number, row in enumerate(rows, start=1):
        for column, value in enumerate(row, start=1):
            if value is not None:
                sheet.cell(row=row_number, column=column, value=value)
    workbook.create_sheet("Anteckningar").append(["not", "read", "at all"])
    workbook.save(path)


def test_xlsx_first_sheet(tmp_path: Path) -> None:
    folder = write_register(tmp_path)
    _write_xlsx(folder / "utbildning.xlsx", [
        ["handlaggare_id", "utbildning", "genomford_datum"],
        ["ÖS0001", "GRUNDUTBILDNING", dt.datetime(2008, 4, 10)],
        [None, None, None],
        ["BR0003", "UTBILDARUTBILDNING", "2008-01-20"],
        [4711, "SOS_GRUNDUTBILDNING", D(2009, 5, 4)],  # an id Excel keeps as a number
        ["BR0002", "GRUNDUTBILDNING", D(2027, 1, 10)],
    ])
    reg = load_register(folder, today=TODAY)
    assert [(u.handlaggare_id, u.utbildning, u.genomford_datum) for u in reg.utbildning] == [
        ("ÖS0001", "GRUNDUTBILDNING", D(2008, 4, 10)),
        ("BR0003", "UTBILDARUTBILDNING", D(2008, 1, 20)),
        ("4711", "SOS_GRUNDUTBILDNING", D(2009, 5, 4)),
        ("BR0002", "GRUNDUTBILDNING", D(2027, 1, 10)),
    ]
    assert reg.warnings == ["utbildning.xlsx:6: genomford_datum: 2027-01-10 is after 2026-11-25 (a booking?)"]


def test_xlsx_error_uses_excel_row_numbers(tmp_path: Path) -> None:
    folder = write_register(tmp_path)
    _write_xlsx(folder / "utbildning.xlsx", [
        ["handlaggare_id", "utbildning", "genomford_datum"],
        ["ÖS0001", "GRUNDUTBILDNING", dt.datetime(2008, 4, 10)],
        [None, None, None],
        [None, None, None],
        ["BR0003", "UTBILDARUTBILDNING", dt.datetime(2008, 1, 20, 13, 30)],
    ])
    with pytest.raises(RegisterError) as caught:
        load_register(folder, today=TODAY)
    assert str(caught.value).startswith("utbildning.xlsx:5: genomford_datum: ")


def test_both_training_files_is_an_error(tmp_path: Path) -> None:
    folder = write_register(tmp_path, utbildning=CSV.encode())
    _write_xlsx(folder / "utbildning.xlsx", [["handlaggare_id", "utbildning", "genomford_datum"]])
    with pytest.raises(RegisterError, match=r"both utbildning\.csv and utbildning\.xlsx"):
        load_register(folder, today=TODAY)


def test_no_training_file_is_a_warning(tmp_path: Path) -> None:
    reg = load_register(write_register(tmp_path), today=TODAY)
    assert reg.utbildning == [] and len(reg.warnings) == 1 and "no training file" in reg.warnings[0]
