"""A hostile or broken register is a RegisterError naming the file (and the line where there is one),
never another exception, and its cost is bounded: the pipeline then falls back to the last good one."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from register_helpers import SMALL_YAML, write_register

from bbic_core.register import RegisterError, load_register

TODAY = dt.date(2026, 11, 25)


def _error(folder: Path) -> RegisterError:
    with pytest.raises(RegisterError) as caught:
        load_register(folder, today=TODAY)
    assert "\n" not in str(caught.value)
    return caught.value


def _yaml_error(tmp_path: Path, extra: str) -> RegisterError:
    return _error(write_register(tmp_path, SMALL_YAML + extra))


def test_a_recursive_alias_is_a_register_error(tmp_path: Path) -> None:
    error = _yaml_error(tmp_path, "loop: &a [*a]\n")
    assert error.file == "organisation.yaml" and error.line is not None and "alias" in error.message


def test_a_recursive_mapping_alias_is_a_register_error(tmp_path: Path) -> None:
    error = _yaml_error(tmp_path, "loop: &a {self: *a}\n")
    assert error.file == "organisation.yaml" and "alias" in error.message


def test_billion_laughs_is_a_register_error_at_once(tmp_path: Path) -> None:
    lines = ['lol0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"lol{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, 10)]
    error = _yaml_error(tmp_path, "\n".join(lines) + "\n")
    assert error.file == "organisation.yaml" and error.line is not None and "alias" in error.message


def test_a_few_aliases_are_still_allowed(tmp_path: Path) -> None:
    text = SMALL_YAML.replace("  - {typ: LICENS, beviljad: 2011-01-15, to: 2020-06-30}\n",
                              "  - &lic {typ: LICENS, beviljad: 2011-01-15, to: 2020-06-30}\n")
    assert load_register(write_register(tmp_path, text), today=TODAY).district_codes() == {"bromma", "spanga"}


def test_deep_nesting_is_a_register_error(tmp_path: Path) -> None:
    error = _yaml_error(tmp_path, "deep: " + "[" * 10_000 + "]" * 10_000 + "\n")
    assert error.line == SMALL_YAML.count("\n") + 1 and "deep" in error.message


def test_a_large_yaml_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    filler = "".join(f"# {'x' * 70}\n" for _ in range(90_000))  # about 6 MB of comments
    error = _yaml_error(tmp_path, filler)
    assert error.line is None and "larger than" in error.message


def _xlsx_bytes() -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["handlaggare_id", "utbildning", "genomford_datum"])
    for i in range(200):
        sheet.append([f"H{i}", "GRUNDUTBILDNING", "2020-01-01"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _rewrite_xlsx(data: bytes, change: dict[str, bytes | None]) -> bytes:
    """The workbook with members replaced (bytes) or removed (None)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if info.filename in change:
                if change[info.filename] is not None:
                    dst.writestr(info.filename, change[info.filename] or b"")
                continue
            dst.writestr(info, src.read(info))
    return out.getvalue()


def _xlsx_folder(tmp_path: Path, data: bytes) -> Path:
    folder = write_register(tmp_path)
    (folder / "utbildning.xlsx").write_bytes(data)
    return folder


def test_an_xlsx_with_truncated_sheet_xml_is_a_register_error(tmp_path: Path) -> None:
    data = _xlsx_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    cut = _rewrite_xlsx(data, {"xl/worksheets/sheet1.xml": sheet[: len(sheet) // 2]})
    error = _error(_xlsx_folder(tmp_path, cut))
    assert error.file == "utbildning.xlsx" and "sheet" in error.message


def test_an_xlsx_without_its_sheet_is_a_register_error(tmp_path: Path) -> None:
    data = _rewrite_xlsx(_xlsx_bytes(), {"xl/worksheets/sheet1.xml": None})
    error = _error(_xlsx_folder(tmp_path, data))
    assert error.file == "utbildning.xlsx"


def test_an_xlsx_with_no_sheet_at_all_is_a_register_error(tmp_path: Path) -> None:
    data = _xlsx_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        workbook_xml = z.read("xl/workbook.xml")
    start, end = workbook_xml.index(b"<sheets>"), workbook_xml.index(b"</sheets>") + len(b"</sheets>")
    data = _rewrite_xlsx(data, {"xl/workbook.xml": workbook_xml[:start] + b"<sheets/>" + workbook_xml[end:]})
    error = _error(_xlsx_folder(tmp_path, data))
    assert error.file == "utbildning.xlsx" and "sheet" in error.message


def test_a_huge_utbildning_csv_is_refused_by_size(tmp_path: Path) -> None:
    from bbic_core.register import utbildning

    folder = write_register(tmp_path, utbildning=b"handlaggare_id;utbildning;genomford_datum\n" + b"x" * 4096)
    old, utbildning.MAX_BYTES = utbildning.MAX_BYTES, 1024
    try:
        error = _error(folder)
    finally:
        utbildning.MAX_BYTES = old
    assert error.file == "utbildning.csv" and "larger than" in error.message
