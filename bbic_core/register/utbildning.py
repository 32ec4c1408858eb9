"""`utbildning.csv` / `utbildning.xlsx`: the training each user has completed (register.md)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from bbic_core.register.errors import RegisterError
from bbic_core.register.organisation import ISO_DATE, Register, Utbildning

COLUMNS = ("handlaggare_id", "utbildning", "genomford_datum")
CODES = frozenset({"GRUNDUTBILDNING", "SOS_GRUNDUTBILDNING", "UTBILDARUTBILDNING", "E_LEARNING"})

RawRow = tuple[int, list[Any]]  # (line or Excel row number, cell values)
# A training list has a row per user: a few MiB at most. Larger is refused before it is read whole.
MAX_BYTES = 64 << 20


def decode(data: bytes, file: str) -> str:
    """UTF-8 (a BOM allowed), else Windows-1252 (what Excel on Swedish Windows saves)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("windows-1252")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise RegisterError(file, line, None, "the file is neither UTF-8 nor Windows-1252") from None


def _bounded_bytes(path: Path) -> bytes:
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise RegisterError(path.name, None, None, f"cannot read: {exc.strerror}") from None
    if len(data) > MAX_BYTES:
        raise RegisterError(path.name, None, None, f"larger than the limit of {MAX_BYTES} bytes")
    return data


def read_csv_rows(path: Path) -> Iterator[RawRow]:
    text = decode(_bounded_bytes(path), path.name)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    start = 1
    try:
        for row in reader:
            yield start, list(row)
            start = reader.line_num + 1  # a quoted field may span lines: the next row starts after
    except csv.Error as exc:
        raise RegisterError(path.name, reader.line_num, None, f"CSV: {exc}") from None


def read_xlsx_rows(path: Path) -> Iterator[RawRow]:
    import openpyxl  # only a register kept in Excel needs it

    if path.stat().st_size > MAX_BYTES:
        raise RegisterError(path.name, None, None, f"larger than the limit of {MAX_BYTES} bytes")
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError, InvalidFileException… on a bad file
        raise RegisterError(path.name, None, None, f"cannot open the workbook: {_one_line(exc)}") from None
    try:
        if not workbook.worksheets:
            raise RegisterError(path.name, None, None, "the workbook has no sheet")
        number = 0
        try:
            sheet = workbook.worksheets[0]
            # read-only sheets yield empty rows for gaps, so the count matches Excel's row numbers
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield number, list(values)
        except RegisterError:
            raise
        except Exception as exc:  # a truncated or broken sheet: XML, zip or value errors from openpyxl
            broken = f"cannot read the first sheet ({type(exc).__name__}: {_one_line(exc)})"
            raise RegisterError(path.name, number + 1, None, broken) from None
    finally:
        workbook.close()


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200]


def parse_rows(rows: Iterable[RawRow], file: str, today: dt.date) -> tuple[list[Utbildning], list[str]]:
    """Rows (the first holding the header) to trainings; RegisterError on a bad row, warnings for bookings."""
    iterator = iter(rows)
    header: dict[str, int] | None = None
    for number, values in iterator:
        if _blank(values):
            continue
        names = [_text(v).lower() for v in values]
        missing = [c for c in COLUMNS if c not in names]
        if missing:
            raise RegisterError(file, number, missing[0],
                                f"the header lacks column {missing[0]} (expected {';'.join(COLUMNS)})")
        header = {c: names.index(c) for c in COLUMNS}
        break
    if header is None:
        raise RegisterError(file, None, None, f"the file is empty (expected the header {';'.join(COLUMNS)})")
    trainings: list[Utbildning] = []
    warnings: list[str] = []
    for number, values in iterator:
        if _blank(values):
            continue
        cells = {c: values[i] if i < len(values) else None for c, i in header.items()}
        handlaggare_id = _text(cells["handlaggare_id"])
        if not handlaggare_id:
            raise RegisterError(file, number, "handlaggare_id", "empty")
        if len(handlaggare_id) > 40:
            raise RegisterError(file, number, "handlaggare_id", "longer than 40 characters")
        code = _text(cells["utbildning"]).upper()
        if code not in CODES:
            raise RegisterError(file, number, "utbildning",
                                f"unknown code {_text(cells['utbildning'])!r} (expected one of "
                                f"{', '.join(sorted(CODES))})")
        day = _date(cells["genomford_datum"], file, number)
        if day > today:
            warnings.append(f"{file}:{number}: genomford_datum: {day} is after {today} (a booking?)")
        trainings.append(Utbildning(handlaggare_id=handlaggare_id, utbildning=code,
                                    genomford_datum=day))
    return trainings, warnings


def load_utbildning(folder: Path, today: dt.date) -> tuple[list[Utbildning], list[str]]:
    """The training file of a register folder; none at all is allowed (a warning: nobody is trained)."""
    csv_path, xlsx_path = folder / "utbildning.csv", folder / "utbildning.xlsx"
    if csv_path.is_file() and xlsx_path.is_file():
        raise RegisterError("utbildning.csv", None, None,
                            "both utbildning.csv and utbildning.xlsx exist: keep one, so that it is clear "
                            "which counts")
    if csv_path.is_file():
        return parse_rows(read_csv_rows(csv_path), csv_path.name, today)
    if xlsx_path.is_file():
        return parse_rows(read_xlsx_rows(xlsx_path), xlsx_path.name, today)
    return [], ["utbildning.csv: no training file in the register: nobody counts as trained"]


def unknown_trainees(register: Register, personal_ids: set[str]) -> list[str]:
    """Ids in the training list that `personal.csv` lacks (the pipeline reports them as warnings)."""
    return sorted({row.handlaggare_id for row in register.utbildning} - personal_ids)


def _blank(values: list[Any]) -> bool:
    return all(_text(v) == "" for v in values)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # an id typed as a number in Excel
    return str(value).strip()


def _date(value: Any, file: str, number: int) -> dt.date:
    if isinstance(value, dt.datetime):
        if value.time() != dt.time(0):
            raise RegisterError(file, number, "genomford_datum", f"expected a date without a time: {value}")
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    try:
        if not ISO_DATE.match(text):
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise RegisterError(file, number, "genomford_datum",
                            f"not a date YYYY-MM-DD: {text!r}" if text else "empty") from None
