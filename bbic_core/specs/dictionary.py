"""The data dictionary of the export contract, in Markdown and HTML, generated from the catalogue.

Every file with its columns (type, required, key, reference, default, meaning), every code list
with each code's Swedish label, and the rule catalogue (code, level, severity, both messages).
The two renderings share one view model (`dictionary_view`) so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bbic_core import codes, contract, rules
from bbic_core.codes import CodeList
from bbic_core.contract import Column, FileSpec
from bbic_core.specs.json_schema import kind_label

if TYPE_CHECKING:
    import jinja2

_SEVERITY_SV: Mapping[rules.Severity, str] = {
    rules.Severity.REFUSAL: "Exporten avvisas",
    rules.Severity.ERROR: "Fel (karantän)",
    rules.Severity.WARNING: "Varning",
}
_LEVEL_SV: Mapping[rules.Level, str] = {rules.Level.EXPORT: "export", rules.Level.ROW: "rad"}


@dataclass(frozen=True, slots=True)
class ColumnView:
    name: str
    type: str
    required: bool
    key: bool
    ref: str
    default: str
    code_list: str
    description: str


@dataclass(frozen=True, slots=True)
class FileView:
    name: str
    table: str
    title: str
    key: tuple[str, ...]
    date_orders: tuple[str, ...]
    columns: tuple[ColumnView, ...]


@dataclass(frozen=True, slots=True)
class CodeView:
    code: str
    label_sv: str
    label_en: str
    note: str


@dataclass(frozen=True, slots=True)
class CodeListView:
    name: str
    title: str
    used_by: tuple[str, ...]
    codes: tuple[CodeView, ...]


@dataclass(frozen=True, slots=True)
class RuleView:
    code: str
    level: str
    severity: str
    severity_code: str
    message_sv: str
    message_en: str


@dataclass(frozen=True, slots=True)
class DictionaryView:
    format: str
    version: str
    files: tuple[FileView, ...]
    contract_lists: tuple[CodeListView, ...]
    other_lists: tuple[CodeListView, ...]
    rules: tuple[RuleView, ...]


def _column(col: Column) -> ColumnView:
    return ColumnView(
        name=col.name, type=kind_label(col), required=col.required, key=col.key,
        ref=contract.BY_TABLE[col.ref].name if col.ref else "", default=col.default or "",
        code_list=col.codes.name if col.codes is not None else "", description=col.description_sv,
    )


def _file(spec: FileSpec) -> FileView:
    orders = tuple(f"{o.later} {'>' if o.strict else '≥'} {o.earlier}" for o in spec.date_order)
    columns = tuple(_column(c) for c in spec.columns)
    return FileView(spec.name, spec.table, spec.title_sv, spec.key, orders, columns)


def _note(code: codes.Code) -> str:
    notes: list[str] = []
    if code.side:
        notes.append(code.side)
    if code.version is not None:
        notes.append(f"version {code.version.value}")
    if code.duty_to_report:
        notes.append("anmälningsplikt (14 kap. 1 § SoL)")
    if code.placement is True:
        notes.append("placering (dygnsvård)")
    elif code.placement is False:
        notes.append("öppenvård")
    return "; ".join(notes)


def _code_list(cl: CodeList, used_by: tuple[str, ...]) -> CodeListView:
    return CodeListView(cl.name, cl.title_sv, used_by,
                        tuple(CodeView(c.code, c.label_sv, c.label_en, _note(c)) for c in cl))


def dictionary_view() -> DictionaryView:
    used: dict[str, list[str]] = {}
    for spec in contract.FILES:
        for col in spec.columns:
            if col.codes is not None:
                used.setdefault(col.codes.name, []).append(f"{spec.name}: {col.name}")
    # The triangle's per-version lists stand beside the combined list the column names (V036).
    for version_list in codes.TRIANGEL_OMRADEN.values():
        used.setdefault(version_list.name, []).append("utredning_bedomning.csv: omrade (per version)")
    used.setdefault(codes.FLAGGA.name, []).extend(
        f"{spec.name}: {col.name}" for spec in contract.FILES for col in spec.columns
        if col.kind is contract.Kind.FLAG
    )
    catalogue = codes.CATALOGUE.values()
    contract_lists = tuple(_code_list(cl, tuple(used[cl.name])) for cl in catalogue if cl.name in used)
    other_lists = tuple(_code_list(cl, ()) for cl in catalogue if cl.name not in used)
    rule_views = tuple(
        RuleView(r.code, _LEVEL_SV[r.level], _SEVERITY_SV[r.severity], r.severity.value, r.message_sv,
                 r.message_en)
        for r in rules.RULES
    )
    return DictionaryView(contract.FORMAT, contract.FORMAT_VERSION, tuple(_file(s) for s in contract.FILES),
                          contract_lists, other_lists, rule_views)


def _md_cell(value: object) -> str:
    # A Markdown table cell: `|` would end the cell and a line break the row.
    return str(value).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _environment(autoescape: bool) -> jinja2.Environment:
    import jinja2  # only when a dictionary is written: importing the library stays free of it

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("bbic_core.specs", "templates"),
        autoescape=autoescape,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["md"] = _md_cell
    return env


def markdown() -> str:
    """The data dictionary as Markdown."""
    return _environment(autoescape=False).get_template("dictionary.md.j2").render(d=dictionary_view())


def html() -> str:
    """The data dictionary as one self-contained HTML page (autoescaped)."""
    return _environment(autoescape=True).get_template("dictionary.html.j2").render(d=dictionary_view())
