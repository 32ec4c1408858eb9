"""Excel workbook of one report: a first sheet with the report's header facts, then one sheet per
table (a measure with its breakdown cross-table), built from the same table model as the HTML.

Numbers are numbers: counts as integers, shares and medians as decimals shown with one decimal
(`0.0`); a share also gets its numerator and denominator, a median its n. A suppressed cell is the
text `..`, exactly as in `figures.csv`. Dates are Excel dates.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from bbic_core.documents import comparison, labels
from bbic_core.documents.document_context import DocumentContext
from bbic_core.documents.licence_tables import build_licence
from bbic_core.documents.tables import Cell, Row, Table, build_sections, earlier_figures, make_cell, select
from bbic_core.figures.figure import SUPPRESSED, Figure, ReportKind

SHEET_NAME_MAX = 31
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def sheet_name(wanted: str, taken: set[str]) -> str:
    """A valid, unique sheet name: ≤ 31 characters, none of `[]:*?/\\`, unique without regard to case."""
    base = _BAD_SHEET_CHARS.sub("-", wanted).strip("'") or "Blad"
    name = base[:SHEET_NAME_MAX]
    n = 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name = base[:SHEET_NAME_MAX - len(suffix)] + suffix
        n += 1
    taken.add(name.lower())
    return name


class _Formats:
    def __init__(self, book: Workbook) -> None:
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.bold = book.add_format({"bold": True})
        self.header = book.add_format({"bold": True, "bg_color": "#DFE8F1", "bottom": 1, "text_wrap": True,
                                       "valign": "top"})
        self.integer = book.add_format({"num_format": "0"})
        self.decimal = book.add_format({"num_format": "0.0"})
        self.date = book.add_format({"num_format": "yyyy-mm-dd"})
        self.text = book.add_format({})
        self.suppressed = book.add_format({"align": "right"})
        self.total_label = book.add_format({"bold": True, "top": 1})
        self.total_integer = book.add_format({"bold": True, "top": 1, "num_format": "0"})
        self.wrap = book.add_format({"text_wrap": True, "valign": "top"})


def write_excel(figures: Sequence[Figure], ctx: DocumentContext, path: Path,
                previous: Sequence[Figure] | None = None) -> None:
    """The workbook of report `ctx.report` for `ctx.scope`, written to `path`; reports 1–2 with the
    same period one year earlier beside each figure of a one-column table (see `render_html`)."""
    chosen = select(figures, ctx)
    earlier = earlier_figures(figures, ctx, previous)
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                           "strings_to_urls": False})
    book.set_properties({"title": f"{ctx.title} – {ctx.scope_name}", "subject": ctx.period_label,
                         "comments": ctx.mode_label})
    formats = _Formats(book)
    taken: set[str] = set()
    _facts_sheet(book.add_worksheet(sheet_name("Rapport", taken)), ctx, formats)
    if ctx.report == ReportKind.LICENS:
        tables = _licence_tables(chosen, ctx)
    elif ctx.report in (ReportKind.JAMFORELSE, ReportKind.ARSRAPPORT):
        tables = comparison.excel_tables(chosen, ctx)
    else:
        tables = _follow_up_tables(chosen, ctx, earlier)
    for table in tables:
        wanted = f"{table.measure} {table.sheet_hint}".strip() if table.measure else table.title
        _table_sheet(book.add_worksheet(sheet_name(wanted, taken)), table, formats)
    book.close()


def _facts_sheet(sheet: Worksheet, ctx: DocumentContext, f: _Formats) -> None:
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, 1, 70)
    sheet.write_string(0, 0, f"{ctx.title} – {ctx.scope_label}", f.title)
    facts: list[tuple[str, str]] = [
        ("Rapport", ctx.title),
        ("Omfattning", ctx.scope_label),
        ("Period", ctx.period_label),
        ("Uppgifter per", ctx.as_of.isoformat()),
        ("Export", ctx.export_id),
        ("Rapporttyp", ctx.mode_label),
        *((("Preliminär", "Ja: året är inte slut, siffrorna kan ändras"),) if ctx.preliminary else ()),
        ("Rader i karantän", str(ctx.quarantined_rows)),
    ]
    if ctx.unknown_user_records is not None:
        facts.append(("Poster med okänd handläggare", str(ctx.unknown_user_records)))
    facts += [("Anmärkning", note) for note in ctx.notes]
    facts.append(("Förklaring", "”..” = visas inte av röjandeskäl; tom cell = underlag saknas. "
                                "Andelar i procent."))
    for i, (key, value) in enumerate(facts, start=2):
        sheet.write_string(i, 0, key, f.bold)
        number = labels.parse_number(value)
        if isinstance(number, int):
            sheet.write_number(i, 1, number, f.integer)
        else:
            sheet.write_string(i, 1, value, f.wrap)


def _follow_up_tables(figures: Sequence[Figure], ctx: DocumentContext,
                      previous: Sequence[Figure] = ()) -> list[Table]:
    sections = build_sections(figures, ctx, previous)
    key_rows: list[Row] = []
    tables: list[Table] = []
    for section in sections:
        for table in section.tables:
            if table.key_figures:
                key_rows.extend(Row([section.title, *row.labels], row.cells, row.total, before=row.before,
                                    change=row.change) for row in table.rows)
            else:
                tables.append(table)
    if key_rows:
        tables.insert(0, Table("", "Nyckeltal", ["Måttgrupp", "Mått"], ["Värde"], key_rows, key_figures=True,
                               year_before=any(row.before is not None for row in key_rows)))
    return tables


def _licence_tables(figures: Sequence[Figure], ctx: DocumentContext) -> list[Table]:
    """The licence check per measure across its districts: one sheet per measure, a district column."""
    doc = build_licence(figures, ctx)
    tables: list[Table] = []
    if doc.summary is not None:
        tables.append(doc.summary)
    by_measure: dict[str, list[Row]] = {}
    for figure in figures:
        pairs = labels.parse_breakdown(figure.breakdown)
        values = dict(pairs)
        district = values.get("stadsdel", "")
        rest = [(k, v) for k, v in pairs if k != "stadsdel"]
        detail = ", ".join(_detail(k, v, ctx.names) for k, v in rest)
        row = Row([ctx.names.get(district, district), detail],
                  [make_cell(figure, values.get("uppgift"))], total=False)
        by_measure.setdefault(figure.measure, []).append(row)
    for measure, rows in by_measure.items():
        if measure == "C.krav" and doc.summary is not None:
            continue  # the summary is the same table, districts by requirement
        title = labels.measure_info(measure).title
        tables.append(Table(measure, title, ["Stadsdel", "Uppgift"], ["Värde"], rows))
    if doc.scope_facts is not None:
        tables.append(doc.scope_facts)
    return tables


def _detail(key: str, value: str, names: Mapping[str, str]) -> str:
    text = labels.breakdown_value_label(key, value, names)
    return text if key == "uppgift" else f"{labels.dimension_title(key)}: {text}"


def _expanded_headers(table: Table) -> list[tuple[str, int, str]]:
    """Each value column → the Excel columns it becomes: (header, source column, part)."""
    out: list[tuple[str, int, str]] = []
    for i, header in enumerate(table.value_headers):
        units = {cell.unit for row in table.rows if i < len(row.cells) and (cell := row.cells[i]) is not None}
        out.append((f"{header} (%)" if units == {"procent"} else header, i, "value"))
        if "procent" in units:
            out += [("Täljare", i, "numerator"), ("Nämnare", i, "denominator")]
        elif "dagar" in units:
            out.append(("Antal (n)", i, "denominator"))
    return out


def _table_sheet(sheet: Worksheet, table: Table, f: _Formats) -> None:
    sheet.write_string(0, 0, table.title, f.title)
    columns = _expanded_headers(table)
    headers = [*table.label_headers, *(h for h, _, _ in columns)]
    for c, header in enumerate(headers):
        sheet.write_string(2, c, header, f.header)
    for c in range(len(table.label_headers)):
        sheet.set_column(c, c, 34 if c == len(table.label_headers) - 1 else 22)
    sheet.set_column(len(table.label_headers), len(headers) - 1, 13)
    sheet.freeze_panes(3, len(table.label_headers))
    if table.year_before:
        first = len(headers)
        unit = f" ({table.change_unit})" if table.change_unit else ""
        for c, header in enumerate(("Året innan", f"Förändring{unit}"), start=first):
            sheet.write_string(2, c, header, f.header)
        sheet.set_column(first, first + 1, 14)
    for r, row in enumerate(table.rows, start=3):
        for c, text in enumerate(row.labels):
            sheet.write_string(r, c, text, f.total_label if row.total else f.text)
        for offset, (_, source, part) in enumerate(columns):
            cell = row.cells[source] if source < len(row.cells) else None
            _write_cell(sheet, r, len(table.label_headers) + offset, cell, part, row.total, f)
        if table.year_before and row.before is not None:
            _write_cell(sheet, r, len(headers), row.before, "value", row.total, f)
            change = Cell(row.before.measure, row.before.unit, row.change, text=row.change)
            _write_cell(sheet, r, len(headers) + 1, change, "value", row.total, f)
    if table.grand_total is not None:
        # above the header, not under a column: the total belongs to no single column
        sheet.write_string(1, 0, "Totalt", f.total_label)
        _write_cell(sheet, 1, 1, table.grand_total, "value", True, f)
    for r, note in enumerate(table.notes, start=len(table.rows) + 4):
        sheet.write_string(r, 0, note, f.text)


def _write_cell(sheet: Worksheet, r: int, c: int, cell: Cell | None, part: str, total: bool,
                f: _Formats) -> None:
    if cell is None:
        return
    text = {"value": cell.value, "numerator": cell.numerator, "denominator": cell.denominator}[part]
    if part != "value" and cell.unit not in ("procent", "dagar"):
        return
    if text == SUPPRESSED:
        sheet.write_string(r, c, SUPPRESSED, f.suppressed)
        return
    if text == "":
        sheet.write_blank(r, c, None)
        return
    number = labels.parse_number(text)
    if number is not None:
        fmt: Any = (f.total_integer if total else f.integer) if isinstance(number, int) else f.decimal
        sheet.write_number(r, c, number, fmt)
        return
    if _ISO_DATE.fullmatch(text):
        sheet.write_datetime(r, c, dt.datetime.fromisoformat(text), f.date)
        return
    sheet.write_string(r, c, cell.text if part == "value" else text, f.text)
