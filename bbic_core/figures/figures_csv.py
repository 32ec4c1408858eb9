"""`figures.csv`: the long form of every figure, the single source of HTML, PDF and Excel.

`;`-separated, UTF-8 (no BOM; one is accepted on reading), RFC 4180 quoting (CRLF line ends,
fields quoted only where they hold `;`, `"` or a line break), `.` as decimal point, empty fields
where a column does not apply (reports.md, Outputs).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from pathlib import Path

from bbic_core.figures.figure import FIGURES_CSV_COLUMNS, Figure


def figures_csv_text(figures: Iterable[Figure]) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", quotechar='"', quoting=csv.QUOTE_MINIMAL,
                        lineterminator="\r\n")
    writer.writerow(FIGURES_CSV_COLUMNS)
    for figure in figures:
        writer.writerow(figure.as_row())
    return buffer.getvalue()


def write_figures_csv(figures: Iterable[Figure], path: Path) -> None:
    path.write_bytes(figures_csv_text(figures).encode("utf-8"))


def parse_figures_csv(text: str, source: str = "figures.csv") -> list[Figure]:
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), delimiter=";", quotechar='"')
    header = next(reader, None)
    if header is None or tuple(h.strip().lower() for h in header) != FIGURES_CSV_COLUMNS:
        raise ValueError(f"{source}: the header is not {';'.join(FIGURES_CSV_COLUMNS)}")
    figures: list[Figure] = []
    for row in reader:
        line_no = reader.line_num
        if not row:
            continue
        if len(row) != len(FIGURES_CSV_COLUMNS):
            raise ValueError(f"{source}:{line_no}: {len(row)} fields, expected {len(FIGURES_CSV_COLUMNS)}")
        report, scope, p_from, p_to, as_of, measure, brk, value, numerator, denominator = row
        try:
            dates = dt.date.fromisoformat(p_from), dt.date.fromisoformat(p_to), dt.date.fromisoformat(as_of)
        except ValueError as exc:
            raise ValueError(f"{source}:{line_no}: {exc}") from None
        figures.append(Figure(report, scope, *dates, measure, brk, value, numerator, denominator))
    return figures


def read_figures_csv(path: Path) -> list[Figure]:
    return parse_figures_csv(path.read_bytes().decode("utf-8"), path.name)
