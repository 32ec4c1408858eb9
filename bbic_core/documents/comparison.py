"""Reports 4 (`jamforelse`) and 5 (`arsrapport`) as what a page shows, from their `figures.csv` rows.

D1 is one table, units as rows and key indicators as columns, each cell with its status written as a
mark and a word beside the colour; D3 lists the anomalies first, then every change in a table of the
same shape; D2 is one small line chart per indicator (the units' lines, the target dashed). The year's
report adds the licence check at its D (C.krav per district, trial licences ending soon, the training
need) and the data quality (E1.karantan, E2.okand_handlaggare). HTML, PDF and Excel share this model.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from bbic_core.documents import labels
from bbic_core.documents.charts import (
    BACKGROUND_COLOUR,
    MUNICIPALITY_COLOUR,
    UNIT_COLOURS,
    TrendChart,
    TrendSeries,
)
from bbic_core.documents.document_context import DocumentContext
from bbic_core.documents.licence_tables import build_licence, summary_table
from bbic_core.documents.tables import Cell, Row, Table
from bbic_core.figures.figure import SUPPRESSED, Figure, ReportKind
from bbic_core.rules import BY_CODE as RULES
from bbic_core.scopes import ScopeLevel

D_IDS = ("D1.nyckeltal", "D1.status", "D2.trend", "D3.forandring", "D3.avvikelse")
KRAV = "C.krav"
SHY = "\u00ad"  # a soft hyphen: the column headers may break there, and only there

# Column headers of the key indicators: short, in words of at most ten letters or broken at a soft
# hyphen, so that twelve columns fit a landscape page. The full title is in the legend.
HEADS: Mapping[str, str] = {
    "A1.aktualiseringar": f"Aktuali{SHY}seringar",
    "A2.skydd_inom_1dag": f"Skydds{SHY}bedömning inom 1 dag",
    "A3.fhb_inom_14d": f"Förhands{SHY}bedömning inom 14 dagar",
    "A4.utr_inledda": f"Inledda utred{SHY}ningar",
    "A5.utr_inom_4man": f"Utred{SHY}ningar inom 4 mån",
    "A5.utr_median_dagar": f"Utred{SHY}nings{SHY}tid, median (dagar)",
    "A8.placerade_barn": "Placerade barn",
    "A8.vardplan": f"Vård{SHY}plan",
    "A9.overvagande_i_tid": f"Över{SHY}väganden i tid",
    "A10.ateraktualiserade": f"Åter{SHY}aktuali{SHY}serade",
    "C4.anvandare_utbildade": f"Användare med grund{SHY}utbildning",
    KRAV: f"Licens{SHY}kraven",
}
TITLES: Mapping[str, str] = {
    KRAV: "Stadsdelar som uppfyller samtliga licenskrav",
    "C4.anvandare_utbildade": "BBIC-användare med grundutbildning (licenskontrollen vid periodens slut)",
}
BETTER_WORDS: Mapping[str, str] = {"higher": "högre är bättre", "lower": "lägre är bättre",
                                   "volume": "volym", "fixed": ""}

STATUS_WORDS: Mapping[str, str] = {"GRON": "grön", "GUL": "gul", "ROD": "röd", "SAKNAS": "saknas"}
STATUS_MARKS: Mapping[str, str] = {"GRON": "✔", "GUL": "!", "ROD": "✘", "SAKNAS": "–"}
STATUS_MEANING: Mapping[str, str] = {
    "GRON": "målet är nått",
    "GUL": "under målet men inom gränsvärdet",
    "ROD": "sämre än gränsvärdet",
    "SAKNAS": "värdet saknas eller visas inte",
}
ANOMALY_MARK = "⚑"
COMPACT_UNITS = 8


@dataclass(frozen=True, slots=True)
class Unit:
    code: str
    name: str
    level: ScopeLevel


@dataclass(frozen=True, slots=True)
class Indicator:
    id: str
    kind: str  # count, share, median, krav
    better: str  # higher, lower, volume, fixed
    head: str
    title: str
    target: str = ""  # "mål 95 %, gräns 80 %"

    @property
    def target_short(self) -> str:
        return self.target.split(",")[0] if self.target else ""


@dataclass(frozen=True, slots=True)
class MatrixCell:
    text: str
    value: str = ""
    numerator: str = ""
    denominator: str = ""
    basis: str = ""
    status: str = ""  # GRON, GUL, ROD, SAKNAS (D1); "" when the indicator has no target
    anomaly: str = ""  # J, N, .. (D3)

    @property
    def suppressed(self) -> bool:
        return self.value == SUPPRESSED

    @property
    def status_line(self) -> str:
        """`✔ grön`: the status as a mark and a word, never the colour alone."""
        if not self.status:
            return ""
        return f"{STATUS_MARKS.get(self.status, '')} {STATUS_WORDS.get(self.status, self.status)}".strip()


@dataclass(slots=True)
class MatrixRow:
    unit: Unit
    cells: list[MatrixCell | None]


@dataclass(slots=True)
class Matrix:
    title: str
    columns: list[Indicator]
    rows: list[MatrixRow]


@dataclass(frozen=True, slots=True)
class Change:
    """One D3 row as a reader takes it in: last year's figure, this year's, the change."""

    unit: Unit
    indicator: Indicator
    before: str
    now: str
    change: str
    anomaly: str  # J, N or ..
    sentence: str = ""


@dataclass(slots=True)
class ComparisonDocument:
    units: list[Unit]
    indicators: list[Indicator]
    d1: Matrix
    d3: Matrix
    changes: list[Change]  # anomalies first
    trends: list[TrendChart]
    krav_trend: Table | None
    tertials: list[str]
    summary: list[str] = field(default_factory=list)
    # the year's report
    licence: Table | None = None
    trials: Table | None = None
    training: Table | None = None
    quarantine: Table | None = None
    unknown_users: str = ""

    @property
    def anomalies(self) -> list[Change]:
        return [c for c in self.changes if c.anomaly == "J"]

    @property
    def legend_units(self) -> list[tuple[str, str, float]]:
        """(name, colour, width) of the trend charts' lines, shared by every small chart."""
        seen: dict[str, tuple[str, str, float]] = {}
        for chart in self.trends:
            for s in chart.series:
                # the city's districts are one grey crowd behind the networks: one entry says so
                name = "Stadsdelarna (var sin grå linje)" if s.colour == BACKGROUND_COLOUR else s.name
                seen.setdefault(name, (name, s.colour, s.width))
        return list(seen.values())

    @property
    def compact(self) -> bool:
        """Many units (the city's): the D1 and D3 tables set tighter so they keep to one page."""
        return len(self.units) > COMPACT_UNITS


# --- reading the rows ----------------------------------------------------------------------------------

def _pairs(figure: Figure) -> dict[str, str]:
    return dict(labels.parse_breakdown(figure.breakdown))


def _kind(nyckeltal: str, figures: Iterable[Figure]) -> tuple[str, str]:
    """(kind, better) of an indicator: the figures library's list, else what its rows show."""
    from bbic_core.figures.indicators import BY_NYCKELTAL

    known = BY_NYCKELTAL.get(nyckeltal)
    if known is not None:
        return known.kind, known.better
    if nyckeltal == KRAV:
        return "krav", "fixed"
    rows = list(figures)
    if any(f.numerator not in ("", SUPPRESSED) for f in rows):
        return "share", "higher"
    if any(f.denominator not in ("", SUPPRESSED) for f in rows):
        return "median", "lower"
    return "count", "volume"


def _level(code: str, ctx: DocumentContext, position: int, count: int) -> ScopeLevel:
    if code in ctx.levels:
        return ctx.levels[code]
    if position == count - 1:
        return ScopeLevel.MUNICIPALITY
    if code == ctx.scope.code:
        return ctx.scope.level
    return ScopeLevel.DISTRICT


def _target_text(nyckeltal: str, kind: str, ctx: DocumentContext) -> str:
    target = ctx.targets.get(nyckeltal)
    if target is None:
        return ""
    unit = " %" if kind == "share" else " dagar" if kind == "median" else ""
    return f"mål {_number(target.mal)}{unit}, gräns {_number(target.grans)}{unit}"


def _number(value: float) -> str:
    return labels.format_number_sv(str(int(value)) if float(value).is_integer() else f"{value:.1f}")


def indicator_text(kind: str, value: str, numerator: str = "", denominator: str = "") -> tuple[str, str]:
    """(text, basis) of one indicator's value: `89,5 %` with `17 av 19`, `102,5` with `n = 14`."""
    sv = labels.format_number_sv
    if value == SUPPRESSED:
        return labels.SUPPRESSED_TEXT, ""
    if value == "":
        return "–", ""
    if kind == "krav":
        if denominator not in ("", SUPPRESSED):
            return f"{sv(value)} av {sv(denominator)}", "stadsdelar"
        return labels.value_label(KRAV, value), ""
    if kind == "share":
        basis = f"{sv(numerator)} av {sv(denominator)}" if denominator not in ("", SUPPRESSED) else ""
        return f"{sv(value)} %", basis
    if kind == "median":
        return sv(value), f"n = {sv(denominator)}" if denominator not in ("", SUPPRESSED) else ""
    return sv(value), ""


def _before(now: str, change: str, kind: str) -> str:
    """Last year's written value: this year's minus the written change (both as written, so exact)."""
    try:
        value = Decimal(now) - Decimal(change)
    except (InvalidOperation, ValueError):
        return ""
    return str(value) if kind == "count" else f"{value:.1f}"


def build_comparison(figures: Sequence[Figure], ctx: DocumentContext, *,
                     every_rule: bool = False) -> ComparisonDocument:
    """The document model of report 4, or of report 5 (which adds licence and data quality);
    `every_rule`: E1 lists the rules that quarantined no row too (the workbook)."""
    d_rows = [f for f in figures if f.measure in D_IDS]
    by_measure: dict[str, dict[tuple[str, str], Figure]] = {m: {} for m in D_IDS}
    trend_rows: dict[tuple[str, str], dict[str, Figure]] = {}
    unit_codes: list[str] = []
    nyckeltal_ids: list[str] = []
    for figure in d_rows:
        pairs = _pairs(figure)
        unit, nyckeltal = pairs.get("enhet", ""), pairs.get("nyckeltal", "")
        if unit not in unit_codes:
            unit_codes.append(unit)
        if nyckeltal not in nyckeltal_ids:
            nyckeltal_ids.append(nyckeltal)
        if figure.measure == "D2.trend":
            trend_rows.setdefault((unit, nyckeltal), {})[pairs.get("tertial", "")] = figure
        else:
            by_measure[figure.measure][(unit, nyckeltal)] = figure
    units = [Unit(code, ctx.names.get(code, code), _level(code, ctx, i, len(unit_codes)))
             for i, code in enumerate(unit_codes)]
    indicators = []
    for nyckeltal in nyckeltal_ids:
        rows = (f for (_, n), f in by_measure["D1.nyckeltal"].items() if n == nyckeltal)
        kind, better = _kind(nyckeltal, rows)
        title = TITLES.get(nyckeltal, labels.measure_info(nyckeltal).title)
        indicators.append(Indicator(nyckeltal, kind, better, HEADS.get(nyckeltal, title), title,
                                    _target_text(nyckeltal, kind, ctx)))
    tertials = sorted({t for cells in trend_rows.values() for t in cells})
    doc = ComparisonDocument(
        units, indicators, _d1(units, indicators, by_measure), _d3(units, indicators, by_measure),
        _changes(units, indicators, by_measure), _trends(units, indicators, trend_rows, tertials, ctx),
        _krav_trend(units, trend_rows, tertials), tertials)
    if ctx.report == ReportKind.ARSRAPPORT:
        _year_parts(doc, [f for f in figures if f.measure not in D_IDS], ctx, every_rule)
    doc.summary = _summary(doc, ctx)
    return doc


def _d1(units: Sequence[Unit], indicators: Sequence[Indicator],
        by_measure: Mapping[str, Mapping[tuple[str, str], Figure]]) -> Matrix:
    rows = []
    for unit in units:
        cells: list[MatrixCell | None] = []
        for indicator in indicators:
            figure = by_measure["D1.nyckeltal"].get((unit.code, indicator.id))
            if figure is None:
                cells.append(None)
                continue
            status = by_measure["D1.status"].get((unit.code, indicator.id))
            text, basis = indicator_text(indicator.kind, figure.value, figure.numerator, figure.denominator)
            cells.append(MatrixCell(text, figure.value, figure.numerator, figure.denominator, basis,
                                    status.value if status is not None else ""))
        rows.append(MatrixRow(unit, cells))
    return Matrix("Nyckeltal per enhet", list(indicators), rows)


def _d3(units: Sequence[Unit], indicators: Sequence[Indicator],
        by_measure: Mapping[str, Mapping[tuple[str, str], Figure]]) -> Matrix:
    columns = [i for i in indicators if i.kind != "krav"]  # C.krav has no change (always empty)
    rows = []
    for unit in units:
        cells: list[MatrixCell | None] = []
        for indicator in columns:
            figure = by_measure["D3.forandring"].get((unit.code, indicator.id))
            flag = by_measure["D3.avvikelse"].get((unit.code, indicator.id))
            if figure is None:
                cells.append(None)
                continue
            cells.append(MatrixCell(labels.signed(figure.value), figure.value,
                                    anomaly=flag.value if flag is not None else ""))
        rows.append(MatrixRow(unit, cells))
    return Matrix("Förändring mot samma period året innan", columns, rows)


def _changes(units: Sequence[Unit], indicators: Sequence[Indicator],
             by_measure: Mapping[str, Mapping[tuple[str, str], Figure]]) -> list[Change]:
    found = []
    for unit in units:
        for indicator in indicators:
            if indicator.kind == "krav":
                continue
            figure = by_measure["D3.forandring"].get((unit.code, indicator.id))
            now = by_measure["D1.nyckeltal"].get((unit.code, indicator.id))
            if figure is None or now is None:
                continue
            flag = by_measure["D3.avvikelse"].get((unit.code, indicator.id))
            before = _before(now.value, figure.value, indicator.kind)
            now_text, _ = indicator_text(indicator.kind, now.value)
            before_text, _ = indicator_text(indicator.kind, before) if before else (
                labels.SUPPRESSED_TEXT if figure.value == SUPPRESSED else "–", "")
            anomaly = flag.value if flag is not None else ""
            found.append(Change(unit, indicator, before_text, now_text, labels.signed(figure.value), anomaly,
                                _sentence(unit, indicator, before_text, now_text, figure.value)))
    # anomalies first (reports.md: "D3 with the anomalies listed first"), each group in unit order
    return sorted(found, key=lambda c: c.anomaly != "J")


def _sentence(unit: Unit, indicator: Indicator, before: str, now: str, change: str) -> str:
    """`Rinkeby-Kista: Utredningar avslutade inom fyra månader sjönk från 80,0 % till 50,0 %
    (−30,0 procentenheter, sämre).` Plain Swedish for the committee."""
    try:
        diff = Decimal(change)
    except (InvalidOperation, ValueError):
        return ""
    if diff == 0:
        verb = "var oförändrat"
        return f"{unit.name}: {indicator.title} {verb}, {now}."
    if indicator.kind == "share":
        verb = "steg" if diff > 0 else "sjönk"
        size = f"{labels.signed(change)} procentenheter"
    elif indicator.kind == "median":
        verb = "blev längre" if diff > 0 else "blev kortare"
        size = f"{labels.signed(change)} dagar"
    else:
        verb = "ökade" if diff > 0 else "minskade"
        size = labels.signed(change)
    judged = ""
    if indicator.better in ("higher", "lower"):
        better = (diff > 0) == (indicator.better == "higher")
        judged = ", bättre" if better else ", sämre"
    return f"{unit.name}: {indicator.title} {verb} från {before} till {now} ({size}{judged})."


def tertial_label(code: str) -> str:
    """`2024-T3` → `T3 2024`."""
    year, _, part = code.partition("-")
    return f"{part} {year}" if part else code


def _trends(units: Sequence[Unit], indicators: Sequence[Indicator],
            rows: Mapping[tuple[str, str], Mapping[str, Figure]], tertials: Sequence[str],
            ctx: DocumentContext) -> list[TrendChart]:
    many = sum(u.level == ScopeLevel.DISTRICT for u in units) > len(UNIT_COLOURS) - 2
    charts = []
    for indicator in indicators:
        if indicator.kind == "krav":
            continue  # a status, not a number: its own small table (`krav_trend`)
        series = []
        palette = iter(UNIT_COLOURS * 3)
        hidden = False
        for unit in units:
            cells = rows.get((unit.code, indicator.id), {})
            values: list[float | None] = []
            for tertial in tertials:
                figure = cells.get(tertial)
                number = labels.parse_number(figure.value) if figure is not None else None
                hidden = hidden or (figure is not None and figure.value == SUPPRESSED)
                values.append(None if number is None else float(number))
            if unit.level == ScopeLevel.MUNICIPALITY:
                colour, width = MUNICIPALITY_COLOUR, 3.0
            elif unit.level == ScopeLevel.DISTRICT and many:
                colour, width = BACKGROUND_COLOUR, 1.2
            else:
                colour, width = next(palette), 2.0
            series.append(TrendSeries(unit.name, values, colour, width))
        target = ctx.targets.get(indicator.id)
        hidden_note = "värden som visas som .. saknas" if hidden else ""
        note = ", ".join(n for n in (indicator.target, hidden_note) if n)
        title = indicator.head.replace(SHY, "")  # short: a third of the page's width
        line = None if target is None else float(target.mal)
        charts.append(TrendChart(indicator.id, title, [tertial_label(t) for t in tertials], series,
                                 indicator.kind == "share", line, note))
    return charts


def _krav_trend(units: Sequence[Unit], rows: Mapping[tuple[str, str], Mapping[str, Figure]],
                tertials: Sequence[str]) -> Table | None:
    if not any(n == KRAV for _, n in rows):
        return None
    table_rows = []
    for unit in units:
        cells = rows.get((unit.code, KRAV), {})
        row_cells: list[Cell | None] = []
        for tertial in tertials:
            figure = cells.get(tertial)
            if figure is None:
                row_cells.append(None)
                continue
            text, _ = indicator_text("krav", figure.value, figure.numerator, figure.denominator)
            row_cells.append(Cell(KRAV if not figure.denominator else "D2.trend", "text", figure.value,
                                  figure.numerator, figure.denominator, text))
        table_rows.append(Row([unit.name], row_cells))
    return Table("D2.trend", "Licenskraven per tertial", ["Enhet"], [tertial_label(t) for t in tertials],
                 table_rows, sheet_hint="C.krav")


# --- the year's report: licence check at D, data quality ------------------------------------------------

def _year_parts(doc: ComparisonDocument, figures: Sequence[Figure], ctx: DocumentContext,
                with_zeros: bool = False) -> None:
    licence_rows = [f for f in figures if f.measure.startswith("C")]
    if licence_rows:
        licence = build_licence(licence_rows, ctx)
        doc.licence = summary_table(licence.districts) if licence.districts else None
        doc.trials = _trials(licence_rows, ctx)
        doc.training = _training(licence_rows, ctx)
    quarantine = [f for f in figures if f.measure == "E1.karantan"]
    if quarantine:
        doc.quarantine = _quarantine(quarantine, with_zeros)
    unknown = next((f for f in figures if f.measure == "E2.okand_handlaggare"), None)
    if unknown is not None:
        doc.unknown_users = unknown.value


def _by_district(figures: Iterable[Figure], measure: str) -> dict[str, dict[str, Figure]]:
    out: dict[str, dict[str, Figure]] = {}
    for figure in figures:
        if figure.measure != measure:
            continue
        pairs = _pairs(figure)
        out.setdefault(pairs.get("stadsdel", ""), {})[pairs.get("uppgift", "")] = figure
    return out


def _text_cell(measure: str, value: str, text: str | None = None) -> Cell:
    number = labels.parse_number(value)
    unit = "antal" if number is not None or value == SUPPRESSED else "text"
    shown = text if text is not None else (labels.format_number_sv(value) if unit == "antal" else value)
    return Cell(measure, unit, value, text=shown or "–")  # type: ignore[arg-type]


def _trials(figures: Sequence[Figure], ctx: DocumentContext) -> Table:
    """The districts whose trial licence ends within `varning_dagar` days of D, with the application."""
    rows = []
    for district, parts in _by_district(figures, "C1.provolicens_slut").items():
        end, left = parts.get(""), parts.get("dagar_kvar")
        days = labels.parse_number(left.value) if left is not None else None
        if end is None or not isinstance(days, int) or days > ctx.warning_days:
            continue
        sent = parts.get("ansokan_licens")
        sent_text = "Ja" if sent is not None and sent.value == "J" else "Nej"
        rows.append(Row([ctx.names.get(district, district)], [
            _text_cell("C1.provolicens_slut", end.value), _text_cell("C1.provolicens_slut", str(days)),
            _text_cell("C1.provolicens_slut", sent.value if sent is not None else "", sent_text)]))
    return Table("C1.provolicens_slut", f"Prövolicenser som upphör inom {ctx.warning_days} dagar",
                 ["Stadsdel"], ["Upphör", "Dagar kvar", "Ansökan om licens skickad"], rows)


def _training(figures: Sequence[Figure], ctx: DocumentContext) -> Table:
    rows = []
    sums = [0, 0, 0]
    hidden = False
    for district, parts in _by_district(figures, "C7.utbildningsbehov").items():
        cells: list[Cell | None] = []
        for i, key in enumerate(("", "grupper", "kursdagar")):
            figure = parts.get(key)
            value = figure.value if figure is not None else ""
            number = labels.parse_number(value)
            if isinstance(number, int):
                sums[i] += number
            hidden = hidden or value == SUPPRESSED
            cells.append(_text_cell("C7.utbildningsbehov", value))
        rows.append(Row([ctx.names.get(district, district)], cells))
    if len(rows) > 1:
        # groups are per district (courses are given locally), so the total is a sum, not ceil(n / size)
        totals = [_text_cell("C7.utbildningsbehov", SUPPRESSED if hidden else str(n)) for n in sums]
        rows.append(Row([labels.TOTAL_LABEL], list[Cell | None](totals), total=True))
    return Table("C7.utbildningsbehov", "Behov av grundutbildning", ["Stadsdel"],
                 ["Användare utan grundutbildning", "Utbildningsgrupper", "Kursdagar"], rows)


def _quarantine(figures: Sequence[Figure], with_zeros: bool = False) -> Table:
    rows = []
    total = None
    for figure in figures:
        code = _pairs(figure).get("regel", "")
        if code == labels.ALL:
            total = Row(["Rader i karantän (varje rad en gång)"], [_text_cell("E1.karantan", figure.value)],
                        total=True)
            continue
        rule = RULES.get(code)
        label = f"{code} {rule.message_sv}" if rule is not None else code
        if figure.value == "0" and not with_zeros:
            continue  # the printed report names the rules that put rows aside; the workbook has them all
        rows.append(Row([label], [_text_cell("E1.karantan", figure.value)]))
    if total is not None:
        rows.append(total)
    return Table("E1.karantan", "Rader i karantän efter regel", ["Regel"], ["Rader"], rows)


# --- the summary a reader sees first --------------------------------------------------------------------

def _summary(doc: ComparisonDocument, ctx: DocumentContext) -> list[str]:
    """Short sentences in plain Swedish: the scope's own standing, the anomalies, the licence, the data."""
    lines = []
    own = next((r for r in doc.d1.rows if r.unit.code == ctx.scope.code), None)
    if own is not None:
        statuses = [c.status for c, i in zip(own.cells, doc.d1.columns, strict=True)
                    if c is not None and c.status and i.kind != "krav"]
        if statuses:
            green, yellow, red = (statuses.count(s) for s in ("GRON", "GUL", "ROD"))
            text = f"{own.unit.name} nådde målet för {green} av {len(statuses)} nyckeltal med målvärde"
            parts = []
            if yellow:
                parts.append(f"{yellow} låg under målet men inom gränsvärdet (gult)")
            if red:
                parts.append(f"{red} var sämre än gränsvärdet (rött)")
            lines.append(text + (": " + " och ".join(parts) if parts else "") + ".")
    anomalies = doc.anomalies
    if anomalies:
        many = "stora förändringar" if len(anomalies) > 1 else "stor förändring"
        lines.append(f"{len(anomalies)} {many} jämfört med året innan (avvikelser, se nedan).")
        # the scope's own anomalies in words: what the reader of this scope's report answers for
        lines += [c.sentence for c in anomalies if c.unit.code == ctx.scope.code and c.sentence]
    elif doc.changes:
        lines.append("Inga stora förändringar jämfört med året innan.")
    if doc.licence is not None and doc.licence.rows:
        overall = [row.cells[-1] for row in doc.licence.rows if row.cells and row.cells[-1] is not None]
        met = sum(c.value == "UPPFYLLT" for c in overall)
        lines.append(f"{met} av {len(overall)} stadsdelar uppfyller samtliga licenskrav.")
    if doc.trials is not None and doc.trials.rows:
        unsent = sum(1 for row in doc.trials.rows if row.cells[2] is not None and row.cells[2].value != "J")
        trials = "prövolicenser" if len(doc.trials.rows) > 1 else "prövolicens"
        lines.append(f"{len(doc.trials.rows)} {trials} upphör inom {ctx.warning_days} dagar"
                     + (f"; för {unsent} är ansökan om licens inte skickad." if unsent else "."))
    if doc.training is not None and doc.training.rows:
        last = doc.training.rows[-1]
        if all(c is not None for c in last.cells):
            users, groups, days = (c.text for c in last.cells if c is not None)
            if users not in ("0", labels.SUPPRESSED_TEXT):
                lines.append(f"{users} BBIC-användare saknar grundutbildning: {groups} utbildningsgrupper "
                             f"med {days} kursdagar.")
    if doc.quarantine is not None or doc.unknown_users:
        total = next((r.cells[0].text for r in (doc.quarantine.rows if doc.quarantine else ())
                      if r.total and r.cells[0] is not None), "")
        parts = []
        if total:
            rows = "rad" if total == "1" else "rader"
            parts.append(f"{total} {rows} i exporten kunde inte användas (karantän)")
        if doc.unknown_users:
            n = doc.unknown_users
            facts = "uppgift" if n == "1" else "uppgifter"
            parts.append(f"{labels.format_number_sv(n)} {facts} under året anger en handläggare som saknas "
                         f"i personalfilen")
        if parts:
            lines.append("Datakvalitet: " + "; ".join(parts) + ".")
    return lines


# --- the workbook: the same figures in long form, one sheet per table ------------------------------------

_EXCEL_UNITS = {"share": "procent", "median": "dagar", "count": "antal"}


def _indicator_cell(measure: str, indicator: Indicator, figure: Figure) -> Cell:
    text, _ = indicator_text(indicator.kind, figure.value, figure.numerator, figure.denominator)
    if indicator.kind == "krav":
        unit = "procent" if figure.denominator not in ("", SUPPRESSED) else "text"
    else:
        unit = _EXCEL_UNITS.get(indicator.kind, "antal")
    return Cell(measure, unit, figure.value, figure.numerator, figure.denominator, text)  # type: ignore[arg-type]


def excel_tables(figures: Sequence[Figure], ctx: DocumentContext) -> list[Table]:
    """D1 (with its status), D2 and D3 (anomalies first) as long tables, then the year's report's parts."""
    doc = build_comparison(figures, ctx, every_rule=True)
    wanted = {u.code: u for u in doc.units}
    indicators = {i.id: i for i in doc.indicators}
    d1: list[Row] = []
    d2: list[Row] = []
    statuses = {(_pairs(f).get("enhet"), _pairs(f).get("nyckeltal")): f.value
                for f in figures if f.measure == "D1.status"}
    flags = {(_pairs(f).get("enhet"), _pairs(f).get("nyckeltal")): f.value
             for f in figures if f.measure == "D3.avvikelse"}
    for figure in figures:
        pairs = _pairs(figure)
        unit, indicator = wanted.get(pairs.get("enhet", "")), indicators.get(pairs.get("nyckeltal", ""))
        if unit is None or indicator is None:
            continue
        if figure.measure == "D1.nyckeltal":
            status = statuses.get((unit.code, indicator.id), "")
            d1.append(Row([unit.name, indicator.title], [
                _indicator_cell(figure.measure, indicator, figure),
                Cell("D1.status", "text", status, text=STATUS_WORDS.get(status, status).capitalize())
                if status else None]))
        elif figure.measure == "D2.trend":
            d2.append(Row([unit.name, indicator.title, tertial_label(pairs.get("tertial", ""))],
                          [_indicator_cell(figure.measure, indicator, figure)]))
    d3 = []
    for change in doc.changes:
        flag = flags.get((change.unit.code, change.indicator.id), "")
        now = next((c for r in doc.d1.rows if r.unit.code == change.unit.code
                    for c, i in zip(r.cells, doc.d1.columns, strict=True)
                    if i.id == change.indicator.id), None)
        written = next((c.value for r in doc.d3.rows if r.unit.code == change.unit.code
                        for c, i in zip(r.cells, doc.d3.columns, strict=True)
                        if c is not None and i.id == change.indicator.id), "")
        before = _before(now.value, written, change.indicator.kind) if now is not None else ""
        if written == SUPPRESSED:
            before = SUPPRESSED
        d3.append(Row([change.unit.name, change.indicator.title], [
            Cell("D3.forandring", "antal", before, text=change.before),
            Cell("D3.forandring", "antal", now.value if now is not None else "", text=change.now),
            Cell("D3.forandring", "antal", written, text=change.change),
            Cell("D3.avvikelse", "text", flag, text={"J": "Ja", "N": "Nej"}.get(flag, flag)),
        ]))
    before_label = str(ctx.period.end.year - 1) if ctx.report == ReportKind.ARSRAPPORT else "Året innan"
    now_label = str(ctx.period.end.year) if ctx.report == ReportKind.ARSRAPPORT else "Perioden"
    tables = [
        Table("D1.nyckeltal", "Nyckeltal per enhet", ["Enhet", "Nyckeltal"], ["Värde", "Status"], d1),
        Table("D2.trend", "Nyckeltal per tertial", ["Enhet", "Nyckeltal", "Tertial"], ["Värde"], d2),
        Table("D3.forandring", "Förändring mot samma period året innan (avvikelser först)",
              ["Enhet", "Nyckeltal"], [before_label, now_label, "Förändring", "Avvikelse"], d3),
    ]
    tables += [t for t in (doc.licence, doc.trials, doc.training, doc.quarantine) if t is not None]
    if doc.unknown_users:
        row = Row([f"Uppgifter under {now_label} som anger en handläggare som saknas i personalfilen"],
                  [_text_cell("E2.okand_handlaggare", doc.unknown_users)])
        tables.append(Table("E2.okand_handlaggare", "Uppgifter med okänd handläggare", ["Uppgift"], ["Antal"],
                            [row]))
    return tables
