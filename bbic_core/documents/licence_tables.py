"""The licence check (`licens`) as tables: one section per district and, for a network or the city,
a summary of the requirements R1–R5 per district.

Licence rows put `stadsdel=<code>` first in the breakdown (reports.md); sub-values use the key
`uppgift`; lists are one row per item with value 1 (`enhet=…`, `handlaggare_id=…`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bbic_core.documents import labels
from bbic_core.documents.document_context import DocumentContext
from bbic_core.documents.tables import Cell, Row, Table, make_cell
from bbic_core.figures.figure import Figure

REQUIREMENT_ORDER = ("R1", "R2", "R3", "R4", "R5", labels.ALL)
LIST_KEYS = ("enhet", "handlaggare_id")
STATUS_MARKS: Mapping[str, str] = {"UPPFYLLT": "✔", "EJ_UPPFYLLT": "✘", "UNDERLAG_SAKNAS": "–"}


@dataclass(frozen=True, slots=True)
class TrialLicence:
    """C1.provolicens_slut of one district: the trial licence's end, days left, and the warning."""

    end: str
    days_left: str
    warning: bool

    @property
    def warning_text(self) -> str:
        """`Prövolicensen upphör 2027-01-15 (om 52 dagar) och ansökan om licens är inte skickad`."""
        return (f"Prövolicensen upphör {self.end} ({_days_text(self.days_left)}) "
                "och ansökan om licens är inte skickad")


def _days_text(days: str) -> str:
    if days == "0":
        return "i dag"
    if days == "1":
        return "om 1 dag"
    return f"om {labels.format_number_sv(days)} dagar" if days else "inom kort"


@dataclass(slots=True)
class DistrictLicence:
    code: str
    name: str
    requirements: Table
    facts: Table
    forms: Table | None = None
    lists: list[Table] = field(default_factory=list)
    trial: TrialLicence | None = None
    statuses: dict[str, Cell] = field(default_factory=dict)  # C.krav by requirement (R1…R5, ALL)

    @property
    def overall(self) -> Cell | None:
        for row in self.requirements.rows:
            if row.total:
                return row.cells[0]
        return None


@dataclass(slots=True)
class LicenceDocument:
    summary: Table | None
    districts: list[DistrictLicence]
    scope_facts: Table | None  # rows that name no district (e.g. records naming an unknown user)


def status_mark(value: str) -> str:
    return STATUS_MARKS.get(value, "")


def build_licence(figures: Sequence[Figure], ctx: DocumentContext) -> LicenceDocument:
    by_district: dict[str, list[tuple[list[tuple[str, str]], Figure]]] = {}
    scope_rows: list[Row] = []
    for figure in figures:
        pairs = list(labels.parse_breakdown(figure.breakdown))
        if pairs and pairs[0][0] == "stadsdel":
            by_district.setdefault(pairs[0][1], []).append((pairs[1:], figure))
        else:
            scope_rows.append(Row([_fact_label(figure.measure, dict(pairs))], [make_cell(figure)]))
    districts = [_district(code, rows, ctx.names) for code, rows in by_district.items()]
    summary = summary_table(districts) if len(districts) > 1 or ctx.scope.level != "stadsdel" else None
    scope_facts = (Table("", "Uppgifter för hela urvalet", ["Uppgift"], ["Värde"], scope_rows)
                   if scope_rows else None)
    return LicenceDocument(summary, districts, scope_facts)


def _fact_label(measure: str, values: Mapping[str, str]) -> str:
    title = labels.measure_info(measure).title
    sub = values.get("uppgift")
    return f"{title}: {labels.breakdown_value_label('uppgift', sub).lower()}" if sub else title


def _district(code: str, rows: Sequence[tuple[list[tuple[str, str]], Figure]],
              names: Mapping[str, str]) -> DistrictLicence:
    requirement_cells: dict[str, Figure] = {}
    trial: dict[str, str] = {}
    form_rows: list[Row] = []
    fact_rows: list[Row] = []
    list_items: dict[tuple[str, str], list[str]] = {}
    for pairs, figure in rows:
        values = dict(pairs)
        if figure.measure == "C.krav":  # its own table (R1–R5), never among the facts
            requirement_cells[values.get("krav", labels.ALL)] = figure
        elif figure.measure == "C1.provolicens_slut":
            trial[values.get("uppgift", "slut")] = figure.value
        elif figure.measure == "C5.formular" and "dokument" in values:
            form_rows.append(Row([labels.breakdown_value_label("dokument", values["dokument"])],
                                 [make_cell(figure)]))
        elif any(k in values for k in LIST_KEYS):
            key = next(k for k in LIST_KEYS if k in values)
            list_items.setdefault((figure.measure, key), []).append(values[key])
        else:
            sub = values.get("uppgift")
            fact_rows.append(Row([_fact_label(figure.measure, values)], [make_cell(figure, sub)]))
    requirement_rows = [
        Row([labels.REQUIREMENTS.get(r, r)], [make_cell(requirement_cells[r])], total=r == labels.ALL)
        for r in (*REQUIREMENT_ORDER, *sorted(set(requirement_cells) - set(REQUIREMENT_ORDER)))
        if r in requirement_cells
    ]
    name = names.get(code, code)
    requirements = Table("C.krav", f"Krav för licensen – {name}", ["Krav"], ["Status"], requirement_rows)
    facts = Table("", f"Uppgifter – {name}", ["Uppgift"], ["Värde"], fact_rows)
    forms = (Table("C5.formular", f"{labels.measure_info('C5.formular').title} – {name}", ["Dokument"],
                   ["Andel i BBIC-formulär"], form_rows) if form_rows else None)
    lists = [Table(measure, f"{labels.measure_info(measure).title} – {name}", [labels.dimension_title(key)],
                   [], [Row([item], []) for item in items], sheet_hint=key)
             for (measure, key), items in list_items.items()]
    trial_licence = (TrialLicence(trial["slut"], trial.get("dagar_kvar", ""), trial.get("varning") == "J")
                     if "slut" in trial else None)
    statuses = {r: make_cell(f) for r, f in requirement_cells.items()}
    return DistrictLicence(code, name, requirements, facts, forms, lists, trial_licence, statuses)


def summary_table(districts: Sequence[DistrictLicence]) -> Table:
    """C.krav per district: R1–R5 and all of them, one row per district."""
    shown = {row.labels[0] for d in districts for row in d.requirements.rows}
    present = [r for r in REQUIREMENT_ORDER if labels.REQUIREMENTS.get(r) in shown]
    rows = []
    for district in districts:
        by_label = {row.labels[0]: row.cells[0] for row in district.requirements.rows}
        rows.append(Row([district.name], [by_label.get(labels.REQUIREMENTS[r]) for r in present]))
    headers = [r if r != labels.ALL else "Samtliga" for r in present]
    return Table("C.krav", "Sammanfattning: krav per stadsdel", ["Stadsdel"], headers, rows)
