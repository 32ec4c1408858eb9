"""Figures → the tables a document shows. One model feeds HTML, PDF and Excel alike.

A *table* is one measure with its breakdown cross-table (reports.md): a one-dimensional
breakdown becomes a list with its total last, a count over two or more dimensions a cross-table
whose columns are the last dimension (when it is short: sex, group, legal ground). A measure with
several independent breakdowns (A7.insatser by group, type and legal ground) gives one table per
breakdown. Measures with no breakdown are gathered per measure group in a key-figure table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from bbic_core.dates import add_months
from bbic_core.documents import labels
from bbic_core.documents.document_context import DocumentContext
from bbic_core.figures.figure import SUPPRESSED, Figure, ReportKind
from bbic_core.scopes import Period

Unit = Literal["antal", "procent", "dagar", "text"]

# Measures drawn as charts (charts.py); they also get a table so every number stays readable.
CHART_MEASURES = frozenset({"A1.aktualiseringar_manad", "A4.utr_inledda_manad", "A5.utr_tid_fordelning",
                            "B3.behov"})
MAX_PIVOT_COLUMNS = 7  # a cross-table wider than this reads badly on A4 portrait: list it instead


@dataclass(frozen=True, slots=True)
class Cell:
    """One figure as shown: `text` for the reader, `number` for Excel; `basis` is "12 av 18" / "n = 14"."""

    measure: str
    unit: Unit
    value: str  # as in figures.csv
    numerator: str = ""
    denominator: str = ""
    text: str = ""
    basis: str = ""
    figure_key: tuple[str, str] | None = None  # (measure, breakdown) of the figure it shows

    @property
    def suppressed(self) -> bool:
        return self.value == SUPPRESSED

    @property
    def number(self) -> int | float | None:
        return labels.parse_number(self.value)


@dataclass(slots=True)
class Row:
    labels: list[str]
    cells: list[Cell | None]  # None: the combination does not occur (e.g. a pair of B4.placeringar)
    total: bool = False
    repeat: list[bool] = field(default_factory=list)  # label equal to the row above (blanked in print)
    before: Cell | None = None  # the same figure one year earlier (reports 1–2), when given
    change: str = ""  # this figure minus `before`, both as written ("-3.5", "12", "..", "")

    def shown(self, i: int) -> str:
        """The i-th label as printed: blank under an equal label of the row above."""
        return "" if i < len(self.repeat) and self.repeat[i] else self.labels[i]


@dataclass(slots=True)
class Table:
    measure: str
    title: str
    label_headers: list[str]
    value_headers: list[str]
    rows: list[Row]
    sheet_hint: str = ""  # what tells this table apart from its siblings of the same measure ("lagrum")
    key_figures: bool = False
    header_titles: list[str] = field(default_factory=list)  # a shortened value header's full label
    notes: list[str] = field(default_factory=list)  # footnotes printed under the table
    grand_total: Cell | None = None  # a cross-table without margins: its total, shown on a line of its own
    year_before: bool = False  # a column with the same period one year earlier and the change

    @property
    def change_unit(self) -> str:
        """What the change column counts in, for its header."""
        units = {row.cells[0].unit for row in self.rows if row.cells and row.cells[0] is not None}
        if units == {"procent"}:
            return "procentenheter"
        if units == {"dagar"}:
            return "dagar"
        return ""

    def header_title(self, i: int) -> str:
        return self.header_titles[i] if i < len(self.header_titles) else ""

    @property
    def basis_column(self) -> bool:
        """A one-value table whose cells have a basis ("12 av 18") shows it in a column of its own."""
        return len(self.value_headers) == 1 and any(
            row.cells and row.cells[0] is not None and row.cells[0].basis for row in self.rows)

    @property
    def text_values(self) -> bool:
        """Values that are mostly words (the licence facts): set flush left."""
        cells = [c for row in self.rows for c in row.cells if c is not None]
        return bool(cells) and sum(c.unit == "text" for c in cells) * 2 >= len(cells)

    @property
    def units(self) -> list[Unit]:
        """Per value column: the unit its cells share (`text` when mixed or empty)."""
        found: list[Unit] = []
        for i in range(len(self.value_headers)):
            seen = {cell.unit for row in self.rows if (cell := row.cells[i]) is not None}
            unit = next(iter(seen)) if len(seen) == 1 else "text"
            found.append(unit)
        return found


@dataclass(frozen=True, slots=True)
class ChartData:
    measure: str
    title: str
    labels: list[str]
    series: list[tuple[str, list[float | None]]]
    kind: Literal["line", "bar", "time_distribution", "needs"]
    note: str = ""


@dataclass(slots=True)
class Section:
    group: str
    title: str
    tables: list[Table] = field(default_factory=list)
    charts: list[ChartData] = field(default_factory=list)


# --- cells ----------------------------------------------------------------------------------------------

def unit_of(figure: Figure) -> Unit:
    known = labels.measure_info(figure.measure).unit
    if figure.numerator != "" or (known == "procent" and figure.denominator != ""):
        return "procent"
    if figure.denominator != "":
        return "dagar"
    if labels.parse_number(figure.value) is not None or figure.value == SUPPRESSED:
        return "antal"
    if known in ("antal", "procent", "dagar") and figure.value == "":
        return known  # type: ignore[return-value]
    return "text"


def make_cell(figure: Figure, sub: str | None = None) -> Cell:
    unit = unit_of(figure)
    value = figure.value
    basis = ""
    if value == SUPPRESSED:
        text = labels.SUPPRESSED_TEXT
    elif value == "":
        text = "–"
    elif unit == "procent":
        text = f"{labels.format_number_sv(value)} %"
    elif unit in ("antal", "dagar"):
        text = labels.format_number_sv(value)
    else:
        text = labels.value_label(figure.measure, value, sub)
    if unit == "procent" and figure.denominator not in ("", "0", SUPPRESSED):
        basis = (f"{labels.format_number_sv(figure.numerator)} av "
                 f"{labels.format_number_sv(figure.denominator)}")
    elif unit == "dagar" and figure.denominator not in ("", "0", SUPPRESSED):
        basis = f"n = {labels.format_number_sv(figure.denominator)}"
    return Cell(figure.measure, unit, value, figure.numerator, figure.denominator, text, basis,
                (figure.measure, figure.breakdown))


# --- selecting a document's figures ---------------------------------------------------------------------

def scope_matches(figure_scope: str, ctx: DocumentContext) -> bool:
    return figure_scope in (str(ctx.scope), ctx.scope.code)


def year_before(ctx: DocumentContext) -> Period:
    """`P′ = [from − 12 months, t − 12 months]`, t = min(to, A): the same period one year earlier, as
    D3.forandring (reports.md, report 4) takes it, so the two documents agree."""
    t = min(ctx.period.end, ctx.as_of)
    return Period(add_months(ctx.period.start, -12), add_months(t, -12))


def select_previous(figures: Iterable[Figure], ctx: DocumentContext) -> list[Figure]:
    """The same report's figures for the period one year earlier, among `figures`."""
    if ctx.report not in (ReportKind.VERKSAMHET, ReportKind.KLIENTGRUPP):
        return []
    earlier = year_before(ctx)
    return [f for f in figures if f.report == ctx.report.value and scope_matches(f.scope, ctx)
            and (f.period_from, f.period_to) == (earlier.start, earlier.end)
            and (earlier.start, earlier.end) != (ctx.period.start, ctx.period.end)]


def earlier_figures(figures: Sequence[Figure], ctx: DocumentContext,
                    previous: Sequence[Figure] | None) -> list[Figure]:
    """The figures of the same report one year earlier: `previous` (of this report and scope), else
    those among `figures` whose period is P′."""
    if previous is None:
        return select_previous(figures, ctx)
    if ctx.report not in (ReportKind.VERKSAMHET, ReportKind.KLIENTGRUPP):
        return []
    return [f for f in previous if f.report == ctx.report.value and scope_matches(f.scope, ctx)]


def written_change(now: str, before: str) -> str:
    """`now − before` as both are written: one decimal when they have one, `..` when either is
    hidden, empty when either is empty (as D3.forandring)."""
    if SUPPRESSED in (now, before):
        return SUPPRESSED
    a, b = labels.parse_number(now), labels.parse_number(before)
    if a is None or b is None:
        return ""
    diff = Decimal(now) - Decimal(before)
    text = f"{diff:.1f}" if "." in now or "." in before else str(diff)
    return "0.0" if text == "-0.0" else text


def add_year_before(tables: Iterable[Table], previous: Sequence[Figure]) -> None:
    """Give every one-column table the column of the same figure one year earlier (and the change)."""
    earlier = {(f.measure, f.breakdown): f for f in previous}
    for table in tables:
        if len(table.value_headers) != 1:
            continue
        found = False
        for row in table.rows:
            cell = row.cells[0] if row.cells else None
            if cell is None or cell.figure_key is None:
                continue
            before = earlier.get(cell.figure_key)
            if before is None:
                continue
            found = True
            row.before = make_cell(before)
            row.change = written_change(cell.value, before.value)
        table.year_before = found


def select(figures: Iterable[Figure], ctx: DocumentContext) -> list[Figure]:
    """The figures of this document: its report and scope, and (outside the licence report) its period."""
    chosen = []
    for figure in figures:
        if figure.report != ctx.report.value or not scope_matches(figure.scope, ctx):
            continue
        # the licence check has its own window W, and the year's report holds its rows (with W) too
        if ctx.report not in (ReportKind.LICENS, ReportKind.ARSRAPPORT) and (
                figure.period_from, figure.period_to) != (ctx.period.start, ctx.period.end):
            continue
        chosen.append(figure)
    return chosen


def _group_sort_key(group: str) -> tuple[str, int]:
    head = group.rstrip("0123456789")
    tail = group[len(head):]
    return head, int(tail) if tail else 0


# --- tables of the two follow-up reports -------------------------------------------------------------

def build_sections(figures: Sequence[Figure], ctx: DocumentContext,
                   previous: Sequence[Figure] = ()) -> list[Section]:
    """Sections for `verksamhet` and `klientgrupp`: one per measure group, in spec order; with
    `previous` (the same report one year earlier) each one-column table shows that year too."""
    sections = _sections(figures, ctx)
    if previous:
        add_year_before((t for section in sections for t in section.tables), previous)
    return sections


def _sections(figures: Sequence[Figure], ctx: DocumentContext) -> list[Section]:
    by_measure: dict[str, list[Figure]] = {}
    for figure in figures:
        by_measure.setdefault(figure.measure, []).append(figure)
    sections: dict[str, Section] = {}
    for measure, rows in by_measure.items():
        group = labels.measure_group(measure)
        section = sections.setdefault(group, Section(group, f"{group} {labels.group_title(group)}"))
        parsed = [(labels.parse_breakdown(f.breakdown), f) for f in rows]
        if all(not pairs for pairs, _ in parsed):
            _key_figure_table(section).rows.extend(
                Row([labels.measure_info(measure).title], [make_cell(f)]) for _, f in parsed)
            continue
        section.tables.extend(measure_tables(measure, parsed, ctx.names))
        if measure in CHART_MEASURES:
            section.charts.extend(chart_data(measure, parsed, by_measure))
    return [sections[g] for g in sorted(sections, key=_group_sort_key)]


def _key_figure_table(section: Section) -> Table:
    if section.tables and section.tables[0].key_figures:
        return section.tables[0]
    table = Table("", "Nyckeltal", ["Mått"], ["Värde"], [], key_figures=True)
    section.tables.insert(0, table)
    return table


def _blocks(parsed: Sequence[tuple[tuple[tuple[str, str], ...], Figure]]
            ) -> list[tuple[tuple[str, ...], list[tuple[dict[str, str], Figure]]]]:
    """Cells grouped by their widest breakdown signature; narrower ones filled with ALL."""
    signatures: list[tuple[str, ...]] = []
    for pairs, _ in parsed:
        keys = tuple(k for k, _ in pairs)
        if keys not in signatures:
            signatures.append(keys)
    widest = [s for s in signatures if s and not any(set(s) < set(t) for t in signatures)]
    blocks: dict[tuple[str, ...], list[tuple[dict[str, str], Figure]]] = {s: [] for s in widest}
    for pairs, figure in parsed:
        names = {k for k, _ in pairs}
        home = next((s for s in widest if names <= set(s)), None)
        if home is None:
            continue
        values = dict(pairs)
        blocks[home].append(({k: values.get(k, labels.ALL) for k in home}, figure))
    return [(s, cells) for s, cells in blocks.items() if cells]


Cells = Sequence[tuple[dict[str, str], Figure]]
Parsed = Sequence[tuple[tuple[tuple[str, str], ...], Figure]]


def _value_orders(keys: Sequence[str], cells: Cells) -> dict[str, list[str]]:
    """Each dimension's values in the order of its code list (codes outside it after them, in the
    order the figures give them), the total last. B4.placeringar lists only the pairs that occur,
    so the order the figures come in is not the code list's."""
    orders: dict[str, list[str]] = {k: [] for k in keys}
    for values, _ in cells:
        for k in keys:
            if values[k] not in orders[k]:
                orders[k].append(values[k])
    return {k: sorted(seen, key=_ranking(k, seen)) for k, seen in orders.items()}


def _ranking(key: str, seen: Sequence[str]) -> Callable[[str], tuple[bool, int, int]]:
    def rank(value: str) -> tuple[bool, int, int]:
        position = labels.code_rank(key, value)
        if position is not None:
            return value == labels.ALL, 0, position
        return value == labels.ALL, 1, seen.index(value)
    return rank


def measure_tables(measure: str, parsed: Sequence[tuple[tuple[tuple[str, str], ...], Figure]],
                   names: Mapping[str, str]) -> list[Table]:
    info = labels.measure_info(measure)
    blocks = _blocks(parsed)
    tables = []
    for keys, cells in blocks:
        orders = _value_orders(keys, cells)
        hint = ", ".join(labels.dimension_title(k).lower() for k in keys) if len(blocks) > 1 else ""
        title = f"{info.title} efter {hint}" if hint else info.title
        units = {unit_of(f) for _, f in cells}
        last = keys[-1]
        if len(keys) >= 2 and units <= {"antal"} and len(orders[last]) <= MAX_PIVOT_COLUMNS:
            tables.append(_cross_table(measure, title, keys, cells, orders, names, hint))
        else:
            tables.append(_list_table(measure, title, keys, cells, orders, names, info.unit, hint))
    return tables


def _row_sort(keys: Sequence[str], orders: Mapping[str, list[str]]
              ) -> Callable[[Mapping[str, str]], tuple[int, ...]]:
    """Rows in the order of each dimension's values; a triangle area by its version's sides and list
    (B3: version, side, area), so that a side's areas stay together."""
    def key(values: Mapping[str, str]) -> tuple[int, ...]:
        out: list[int] = []
        for k in keys:
            if k == "omrade" and values[k] != labels.ALL:
                out.extend((0, *labels.area_rank(values.get("version", ""), values[k])))
            else:
                out.extend((1 if k == "omrade" else 0, orders[k].index(values[k]), 0))
        return tuple(out)
    return key


def _mark_repeats(rows: list[Row]) -> None:
    previous: list[str] = []
    for row in rows:
        repeat = []
        same_so_far = True
        for i, text in enumerate(row.labels):
            same_so_far = same_so_far and i < len(previous) and previous[i] == text
            repeat.append(same_so_far and i < len(row.labels) - 1)
        row.repeat = repeat
        previous = row.labels


def _list_table(measure: str, title: str, keys: Sequence[str], cells: Cells,
                orders: Mapping[str, list[str]], names: Mapping[str, str], unit: str, hint: str) -> Table:
    sort = _row_sort(keys, orders)
    header = {"procent": "Andel", "dagar": "Median (dagar)"}.get(unit, "Antal")
    rows = []
    headers = [labels.dimension_title(k) for k in keys]
    if "omrade" in keys:  # the triangle's side (Barnets behov, …) helps the eye through 20 areas
        headers.insert(list(keys).index("omrade"), "Sida av triangeln")
    for values, figure in sorted(cells, key=lambda c: sort(c[0])):
        row_labels = []
        for k in keys:
            if k == "omrade":
                row_labels.append(labels.triangle_side(values.get("version", ""), values[k]))
            row_labels.append(labels.breakdown_value_label(k, values[k], names))
        total = all(values[k] == labels.ALL for k in keys)
        rows.append(Row(row_labels, [make_cell(figure)], total))
    _mark_repeats(rows)
    return Table(measure, title, headers, [header], rows, hint)


def _only_grand_total(keys: Sequence[str], cells: Cells) -> Figure | None:
    """The grand total when it is the cross-table's only margin (B4.placeringar gives the pairs that
    occur and `insatstyp=ALL&lagrum=ALL`): a "Totalt" row and column would hold nothing but `·`."""
    grand = None
    inner = False
    for values, figure in cells:
        at_total = [values[k] == labels.ALL for k in keys]
        if all(at_total):
            grand = figure
        elif any(at_total):
            return None
        else:
            inner = True
    return grand if inner else None


def _cross_table(measure: str, title: str, keys: Sequence[str], cells: Cells,
                 orders: Mapping[str, list[str]], names: Mapping[str, str], hint: str) -> Table:
    row_keys, col_key = list(keys[:-1]), keys[-1]
    grand = _only_grand_total(keys, cells)
    if grand is not None:
        cells = [(values, figure) for values, figure in cells if figure is not grand]
        orders = {k: [v for v in vs if v != labels.ALL] for k, vs in orders.items()}
    columns = orders[col_key]
    grid: dict[tuple[str, ...], dict[str, Figure]] = {}
    for values, figure in cells:
        grid.setdefault(tuple(values[k] for k in row_keys), {})[values[col_key]] = figure
    sort = _row_sort(row_keys, orders)
    rows = []
    for row_values in sorted(grid, key=lambda rv: sort(dict(zip(row_keys, rv, strict=True)))):
        line = grid[row_values]
        row_labels = [labels.breakdown_value_label(k, v, names)
                      for k, v in zip(row_keys, row_values, strict=True)]
        row_cells = [make_cell(line[c]) if c in line else None for c in columns]
        rows.append(Row(row_labels, row_cells, all(v == labels.ALL for v in row_values)))
    _mark_repeats(rows)
    # Long column labels (`LVU 6 § (omedelbart omhändertagande)`) would squeeze the table: the
    # header keeps the short part, the full label goes in its `title` and in a footnote.
    headers, full, notes = [], [], []
    for column in columns:
        label = labels.breakdown_value_label(col_key, column, names)
        short, left_out = labels.short_header(label)
        headers.append(short)
        full.append(label if left_out else "")
        if left_out:
            notes.append(f"{short}: {left_out}.")
    if any(cell is None for row in rows for cell in row.cells):
        notes.append("· = kombinationen förekommer inte.")
    return Table(measure, title, [labels.dimension_title(k) for k in row_keys], headers, rows, hint,
                 header_titles=full, notes=notes, grand_total=make_cell(grand) if grand is not None else None)


# --- chart data -------------------------------------------------------------------------------------------

def chart_data(measure: str, parsed: Sequence[tuple[tuple[tuple[str, str], ...], Figure]],
               related: Mapping[str, Sequence[Figure]] | None = None) -> list[ChartData]:
    """The chart of `measure`; `related` (every figure of the report, by measure) lends the A5 chart
    A5.utr_inom_4man for its caption."""
    title = labels.measure_info(measure).title
    if measure in ("A1.aktualiseringar_manad", "A4.utr_inledda_manad"):
        points = [(dict(p).get("manad", ""), f) for p, f in parsed
                  if dict(p).get("manad", labels.ALL) != labels.ALL]
        points.sort(key=lambda x: x[0])
        return [ChartData(measure, title, [labels.short_month_label(m) for m, _ in points],
                          [(title, [_chart_number(f) for _, f in points])], "bar",
                          _suppressed_note(f for _, f in points))]
    if measure == "A5.utr_tid_fordelning":
        points = [(dict(p).get("manader", ""), f) for p, f in parsed
                  if dict(p).get("manader", labels.ALL) != labels.ALL]
        within = next((f for f in (related or {}).get("A5.utr_inom_4man", ()) if f.breakdown == labels.ALL),
                      None)
        notes = (_beyond_note(points, within), _suppressed_note(f for _, f in points))
        note = " ".join(n for n in notes if n)
        return [ChartData(measure, title, [_months_axis_label(m) for m, _ in points],
                          [(m, [_chart_number(f)]) for m, f in points], "time_distribution", note)]
    if measure == "B3.behov":
        charts = []
        versions: dict[str, list[tuple[str, Figure]]] = {}
        for pairs, figure in parsed:
            values = dict(pairs)
            if values.get("omrade", labels.ALL) == labels.ALL:
                continue
            versions.setdefault(values.get("version", ""), []).append((values["omrade"], figure))
        for version, points in versions.items():
            points.sort(key=_by_area(version))
            version_label = labels.breakdown_value_label("version", version) if version else ""
            charts.append(ChartData(
                measure, f"Behovsprofil, {version_label}" if version_label else "Behovsprofil",
                [labels.breakdown_value_label("omrade", area) for area, _ in points],
                [("Andel med behov (%)", [_chart_number(f) for _, f in points])], "needs",
                _suppressed_note(f for _, f in points)))
        return charts
    return []


def _by_area(version: str) -> Callable[[tuple[str, Figure]], tuple[int, int]]:
    def key(point: tuple[str, Figure]) -> tuple[int, int]:
        return labels.area_rank(version, point[0])
    return key


def beyond_four_months(bucket: str) -> bool:
    """A5.utr_tid_fordelning's bucket (`0`…`5`, `6+`: whole months taken) at or past the law's four months."""
    months = bucket.rstrip("+")
    return not months.isdigit() or int(months) >= 4


def _beyond_note(points: Sequence[tuple[str, Figure]], within: Figure | None) -> str:
    """The caption's count beyond the 4-month line: what the chart is for, stated in words.

    The bars count whole months, so the "4 mån" bar also holds the investigations closed on the very
    day four months had passed, which the law (and A5.utr_inom_4man) counts as in time. The count
    beyond is A5.utr_inom_4man's denominator − numerator when it is shown; the difference to the
    orange bars is said, so that the caption and the key figure agree."""
    if any(f.value == SUPPRESSED for _, f in points):
        return "Antalet utredningar som tog mer än fyra månader visas inte av röjandeskäl."
    counts = [(bucket, labels.parse_number(f.value)) for bucket, f in points]
    total = sum(int(n) for _, n in counts if n is not None)
    bars = sum(int(n) for bucket, n in counts if n is not None and beyond_four_months(bucket))
    if total == 0:
        return ""
    sv = labels.format_number_sv
    num = labels.parse_number(within.numerator) if within is not None else None
    den = labels.parse_number(within.denominator) if within is not None else None
    if isinstance(num, int) and den == total:
        beyond = total - num
        on_the_day = bars - beyond
        if on_the_day >= 0:
            note = (f"Över 4 mån: {sv(str(beyond))} av {sv(str(total))} avslutade utredningar tog mer än "
                    f"fyra månader (lagens gräns).")
            if on_the_day:
                note += (f" Staplarna räknar hela månader: stapeln ”4 mån” rymmer också "
                         f"{sv(str(on_the_day))} som avslutades på dagen då fyra månader hade gått, "
                         f"alltså i tid.")
            return note
    return (f"Över 4 mån: {sv(str(bars))} av {sv(str(total))} avslutade utredningar tog fyra hela månader "
            f"eller mer (lagens gräns är fyra månader).")


def _months_axis_label(value: str) -> str:
    return f"{value[:-1]}+ mån" if value.endswith("+") else f"{value} mån"


def _chart_number(figure: Figure) -> float | None:
    number = labels.parse_number(figure.value)
    return None if number is None else float(number)


def _suppressed_note(figures: Iterable[Figure]) -> str:
    if any(f.value == SUPPRESSED for f in figures):
        return "Värden som inte visas av röjandeskäl (..) saknas i diagrammet."
    return ""
