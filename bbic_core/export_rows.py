"""Pydantic v2 models of one row of every file of the Paraply export contract.

An IT supplier can validate its own records one at a time and get the rule codes the export
validator gives: every value is parsed exactly as the contract says (trimmed of spaces and
tabs, empty → None, dates `YYYY-MM-DD`, flags `J`/`N`, codes case-insensitive against their code
list), and every rule that one row can break on its own is a validator raising a pydantic error
whose *type* is the rule code (`V001`, `V002`, `V003`, `V007`, `V013`, `V020`, `V021`, `V022`, `V030`,
`V031`, `V032`, `V035`, `V036`). Warnings (`V010`, `V011`, `V012`, `V033`, `V034`, `V037`) do not
fail validation: they are kept on the row (`row.row_warnings`) and returned by `parse_row`.
Rules that need other rows or files (keys, references, V014–V016, V023, V024) belong to the
export validator.

The fields of each model are checked against `bbic_core.contract` when the class is made, and
the parsing of every field is driven by that contract column (its kind, code list, limit,
default), so the contract has one home.

A personal number is never echoed: models hide inputs in errors (`hide_input_in_errors`), the
field is left out of `repr`, no message carries a value, and an invalid number is dropped
(warning V010) rather than reported back.

Versions. `FORM_VERSIONS` holds what differs between the BBIC 2006 forms and the 2016 revision:
today only the triangle's assessment areas (an investigation's `triangel_version` picks the
list; V036). The files' columns are the same for both, so both versions share the models. If a
later contract gives a 2016 file other columns, add its `FileSpec` to the contract, subclass the
2006 model (`class Utredning2016(Utredning): file_spec = contract.UTREDNING_2016`, with the new
fields), and register it in `FormVersionSpec.models` of `FORM_VERSIONS[FormVersion.V2016]`;
`model_for(file, version)` then hands it out and the field check below keeps it in step with
its `FileSpec`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, NoReturn, Self, TypedDict

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from bbic_core import codes, contract, rules
from bbic_core import personnummer as pnr
from bbic_core.codes import FormVersion
from bbic_core.contract import Column, FileSpec, Kind

__all__ = [
    "FORM_VERSIONS",
    "ROW_MODELS",
    "ROW_RULE_CODES",
    "Aktualisering",
    "Arende",
    "Barn",
    "ContractRow",
    "Dokument",
    "FormVersionSpec",
    "Insats",
    "Personal",
    "RuleHit",
    "Utredning",
    "UtredningBedomning",
    "ValidationContext",
    "model_for",
    "parse_row",
    "rule_codes",
]

TRIM = pnr.TRIM  # the contract trims spaces and tabs only
MIN_DATE = dt.date(1900, 1, 1)  # V022
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MUNICIPALITY = re.compile(r"[0-9]{4}")
_DISTRICT = re.compile(r"[a-z0-9_]+")  # register.md: [a-z0-9_]{1,40}; the length is V002
_NUMBER_SHAPED = re.compile(r"[0-9+-]{10}")  # every form V007 looks for has ten such in a row
# The contract: "start_datum … empty = beslut_datum", so V020 compares slut_datum with that.
_EMPTY_MEANS: Mapping[str, str] = {"start_datum": "beslut_datum"}


# --- findings ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RuleHit:
    """One rule broken by one row: the code, the column at fault (None: the row), a message without values."""

    code: str
    column: str | None
    message: str

    @property
    def severity(self) -> rules.Severity:
        return rules.rule(self.code).severity

    @property
    def is_error(self) -> bool:
        return self.severity is rules.Severity.ERROR


def _message(code: str, detail: str = "") -> str:
    text = rules.rule(code).message_sv
    return f"{text} ({detail})" if detail else text


def hit(code: str, column: str | None, detail: str = "") -> RuleHit:
    return RuleHit(code, column, _message(code, detail))


def rule_error(code: str, detail: str = "") -> PydanticCustomError:
    """A pydantic error whose type is the rule code; `ctx` carries `code` and `severity` too."""
    return _custom_error(code, _message(code, detail))


def _custom_error(code: str, message: str) -> PydanticCustomError:
    # Braces would be read as template fields by pydantic.
    template = message.replace("{", "(").replace("}", ")")
    return PydanticCustomError(code, template, {"code": code, "severity": rules.rule(code).severity.value})


def rule_codes(exc: ValidationError) -> list[str]:
    """The rule codes of a model's ValidationError, in order (a non-rule pydantic error counts as V002)."""
    return [h.code for h in hits_from_error(exc)]


def hits_from_error(exc: ValidationError) -> list[RuleHit]:
    found: list[RuleHit] = []
    for err in exc.errors(include_input=False, include_url=False):
        code = err["type"] if err["type"] in rules.BY_CODE else "V002"  # e.g. a wrong Python type
        column = str(err["loc"][0]) if err["loc"] else None
        found.append(RuleHit(code, column, err["msg"]))
    return found


def _raise(title: str, errors: list[RuleHit]) -> NoReturn:
    details = [InitErrorDetails(type=_custom_error(h.code, h.message), loc=(h.column,) if h.column else (),
                                input=None) for h in errors]
    raise ValidationError.from_exception_data(title, details, hide_input=True)


class ValidationContext(TypedDict, total=False):
    """What a single row cannot know by itself; each key switches on the rules that need it."""

    districts: Collection[str]  # the register's district codes: an unknown `stadsdel` is V003
    triangel_versions: Mapping[str, str]  # utredning_id → triangel_version, for V036
    as_of: dt.date  # the export's as-of date, for V021
    findings: list[RuleHit]  # warnings are appended here too (so they survive a row's errors)


def _context(info: ValidationInfo) -> Mapping[str, Any]:
    ctx = info.context
    return ctx if isinstance(ctx, Mapping) else {}


# --- values -----------------------------------------------------------------------------------


def parse_value(column: Column, value: object, context: Mapping[str, Any] | None = None) -> object:
    """One raw value of `column` as the contract reads it, or a `PydanticCustomError` with its rule code."""
    ctx = context or {}
    if isinstance(value, str):
        value = value.strip(TRIM) or None
    if value is None and column.default is not None:
        value = column.default
    if value is None:
        if column.required:
            raise rule_error("V001", column.name)
        return None
    kind = column.kind
    if kind is Kind.DATE:
        return _parse_date(column, value, ctx)
    if kind is Kind.FLAG:
        return _parse_flag(column, value)
    if not isinstance(value, str):
        raise rule_error("V002", f"{column.name}: text väntas")
    if kind is Kind.PERSONNUMMER:
        parsed = pnr.parse(value)
        return None if parsed is None else parsed.normalised  # an invalid number is V010, a warning
    if column.max_length is not None and len(value) > column.max_length:
        raise rule_error("V002", f"{column.name}: längre än {column.max_length} tecken")
    if kind is Kind.MUNICIPALITY:
        if not _MUNICIPALITY.fullmatch(value):
            raise rule_error("V002", f"{column.name}: fyra siffror väntas")
        return value
    if kind is Kind.DISTRICT:
        district = value.lower()
        known = ctx.get("districts")
        if not _DISTRICT.fullmatch(district) or (known is not None and district not in known):
            raise rule_error("V003", column.name)
        return district
    if kind is Kind.CODE:
        code = value.upper()
        if column.codes is None or code not in column.codes:
            raise rule_error("V003", column.name)
        return FormVersion(code) if column.codes is codes.TRIANGEL_VERSION else code
    if _holds_personnummer(value):  # an id or reference (Kind.TEXT) holding a personal number
        raise rule_error("V007", column.name)
    return value


def _holds_personnummer(value: str) -> bool:
    """V007 as the export validator judges it (`personnummer_in_ids`, one definition of what counts)."""
    if not _NUMBER_SHAPED.search(value):
        return False  # ids of the usual shape: no import of the validator (and pyarrow) needed
    import pyarrow as pa

    from bbic_core.personnummer_in_ids import holds_personnummer

    return bool(holds_personnummer(pa.array([value], pa.string()))[0])


def _parse_date(column: Column, value: object, ctx: Mapping[str, Any]) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, str | dt.date):
        raise rule_error("V002", f"{column.name}: datum ÅÅÅÅ-MM-DD väntas")
    if isinstance(value, str):
        if not _DATE.fullmatch(value):
            raise rule_error("V002", f"{column.name}: datum ÅÅÅÅ-MM-DD väntas")
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            raise rule_error("V002", f"{column.name}: inget giltigt datum") from None
    if value < MIN_DATE:
        raise rule_error("V022", column.name)
    as_of = ctx.get("as_of")
    if isinstance(as_of, dt.date) and value > as_of and column.name not in contract.PLANNED_DATES:
        raise rule_error("V021", column.name)
    return value


def _parse_flag(column: Column, value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.upper() in ("J", "N"):
        return value.upper() == "J"
    raise rule_error("V002", f"{column.name}: J eller N väntas")


def _normalised_keys(data: Mapping[Any, Any]) -> dict[str, Any]:
    # Header names are compared trimmed and case-insensitively with the contract's lowercase names.
    # A None key is where csv.DictReader puts the fields beyond the header (V006, see parse_row).
    return {str(k).strip(TRIM).lower(): v for k, v in data.items() if k is not None}


# --- the models -------------------------------------------------------------------------------


class ContractRow(BaseModel):
    """One row of a contract file; subclasses name their `file_spec` and declare its columns in order."""

    model_config = ConfigDict(frozen=True, extra="ignore", hide_input_in_errors=True)

    file_spec: ClassVar[FileSpec]
    _warnings: tuple[RuleHit, ...] = PrivateAttr(default=())

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        fields = tuple(cls.model_fields)
        if fields != cls.file_spec.column_names:
            raise TypeError(f"{cls.__name__} fields {fields} differ from {cls.file_spec.name} columns "
                            f"{cls.file_spec.column_names}")

    @property
    def row_warnings(self) -> tuple[RuleHit, ...]:
        """The warnings this row raised (it is valid; the export validator would load it and record these)."""
        return self._warnings

    @model_validator(mode="before")
    @classmethod
    def _every_column(cls, data: Any) -> Any:
        # A column absent from the row reads as empty (contract: "missing fields empty"), so a
        # required one is V001 rather than pydantic's "missing".
        if not isinstance(data, Mapping):
            return data
        row = _normalised_keys(data)
        for name in cls.file_spec.column_names:
            row.setdefault(name, None)
        return row

    @field_validator("*", mode="before")
    @classmethod
    def _contract_value(cls, value: object, info: ValidationInfo) -> object:
        assert info.field_name is not None
        return parse_value(cls.file_spec.column(info.field_name), value, _context(info))

    def _apply(self, info: ValidationInfo, checks: list[RuleHit | None]) -> Self:
        found = [h for h in checks if h is not None]
        warnings = [h for h in found if not h.is_error]
        sink = _context(info).get("findings")
        if isinstance(sink, list):
            sink.extend(warnings)
        errors = [h for h in found if h.is_error]
        if errors:
            _raise(type(self).__name__, errors)
        self._warnings = (*self._warnings, *warnings)
        return self

    def _v020_date_order(self) -> list[RuleHit | None]:
        """V020: each of the file's date orders (`later` ≥ `earlier`, or > when strict)."""
        found: list[RuleHit | None] = []
        for order in self.file_spec.date_order:
            later = getattr(self, order.later)
            earlier = getattr(self, order.earlier)
            if earlier is None and order.earlier in _EMPTY_MEANS:
                earlier = getattr(self, _EMPTY_MEANS[order.earlier])
            if later is None or earlier is None:
                continue
            if later < earlier or (order.strict and later == earlier):
                relation = "efter" if order.strict else "samma dag som eller efter"
                found.append(hit("V020", order.later, f"{order.later} ska vara {relation} {order.earlier}"))
        return found


def _v010_personnummer(raw: object) -> RuleHit | None:
    """V010: a personnummer given but invalid (not 12 digits, impossible date, check digit)."""
    if isinstance(raw, str) and raw.strip(TRIM) and pnr.parse(raw) is None:
        return hit("V010", "personnummer")
    return None


class Barn(ContractRow):
    """`barn.csv`: a child. `personnummer` holds the valid number's 12-digit form (never in repr)."""

    file_spec: ClassVar[FileSpec] = contract.BARN

    barn_id: str
    personnummer: str | None = Field(default=None, repr=False)
    fodelsedatum: dt.date | None = None
    kon: str | None = None
    folkbokford_kommun: str | None = None

    @property
    def fodelsedatum_effektiv(self) -> dt.date | None:
        """The number's birth date when valid, else `fodelsedatum` (as `clean_barn` holds it)."""
        parsed = pnr.parse(self.personnummer)
        return parsed.birth_date if parsed else self.fodelsedatum

    @property
    def kon_effektiv(self) -> str | None:
        """`kon`, else the sex digit of a valid number, else None."""
        parsed = pnr.parse(self.personnummer)
        return self.kon or (parsed.sex if parsed else None)

    @model_validator(mode="wrap")
    @classmethod
    def _v010_v013_unparsable(cls, data: Any, handler: ModelWrapValidatorHandler[Barn],
                              info: ValidationInfo) -> Barn:
        raw = _normalised_keys(data).get("personnummer") if isinstance(data, Mapping) else None
        v010 = _v010_personnummer(raw)
        if v010 is not None:
            sink = _context(info).get("findings")
            if isinstance(sink, list):
                sink.append(v010)
        try:
            row = handler(data)
        except ValidationError as exc:
            found = hits_from_error(exc)
            # V013: "an unparsable fodelsedatum is V002 and counts as absent".
            bad_date = any(h.code == "V002" and h.column == "fodelsedatum" for h in found)
            if bad_date and pnr.parse(raw if isinstance(raw, str) else None) is None:
                _raise(cls.__name__, [*found, hit("V013", "fodelsedatum")])
            raise
        if v010 is not None:
            row._warnings = (v010, *row._warnings)
        return row

    @model_validator(mode="after")
    def _row_rules(self, info: ValidationInfo) -> Self:
        parsed = pnr.parse(self.personnummer)
        v013 = hit("V013", "fodelsedatum") if parsed is None and self.fodelsedatum is None else None
        v011 = (hit("V011", "fodelsedatum") if parsed and self.fodelsedatum
                and self.fodelsedatum != parsed.birth_date else None)
        v012 = hit("V012", "kon") if parsed and self.kon and self.kon != parsed.sex else None
        return self._apply(info, [v013, v011, v012])


class Arende(ContractRow):
    """`arende.csv`: a case."""

    file_spec: ClassVar[FileSpec] = contract.ARENDE

    arende_id: str
    barn_id: str
    stadsdel: str
    oppnat_datum: dt.date
    avslutat_datum: dt.date | None = None

    @model_validator(mode="after")
    def _row_rules(self, info: ValidationInfo) -> Self:
        return self._apply(info, self._v020_date_order())


class Aktualisering(ContractRow):
    """`aktualisering.csv`: an application, report of concern or other information, and its pre-assessment."""

    file_spec: ClassVar[FileSpec] = contract.AKTUALISERING

    aktualisering_id: str
    barn_id: str
    arende_id: str | None = None
    stadsdel: str
    typ: str
    inkom_datum: dt.date
    anmalare: str | None = None
    anonym: bool = False
    orsak: str
    skyddsbedomning_datum: dt.date | None = None
    forhandsbedomning_datum: dt.date | None = None
    forhandsbedomning_beslut: str | None = None
    bbic_formular: bool
    handlaggare_id: str | None = None

    @model_validator(mode="after")
    def _row_rules(self, info: ValidationInfo) -> Self:
        half_set = (self.forhandsbedomning_datum is None) != (self.forhandsbedomning_beslut is None)
        v030 = hit("V030", "forhandsbedomning_beslut") if half_set else None
        v033 = hit("V033", "anonym") if self.anonym and self.anmalare in codes.DUTY_TO_REPORT else None
        anmalan = self.typ == "ANMALAN"
        v034 = hit("V034", "anmalare") if anmalan and self.anmalare is None else None
        no_protection = anmalan and self.skyddsbedomning_datum is None
        v037 = hit("V037", "skyddsbedomning_datum") if no_protection else None
        return self._apply(info, [*self._v020_date_order(), v030, v033, v034, v037])


class Utredning(ContractRow):
    """`utredning.csv`: an investigation (11 kap. 1 § SoL); `triangel_version` picks the form version."""

    file_spec: ClassVar[FileSpec] = contract.UTREDNING

    utredning_id: str
    barn_id: str
    arende_id: str
    aktualisering_id: str | None = None
    stadsdel: str
    inledd_datum: dt.date
    utredningsplan_datum: dt.date | None = None
    forlangd_till: dt.date | None = None
    avslutad_datum: dt.date | None = None
    resultat: str | None = None
    bbic_formular: bool
    triangel_version: FormVersion = FormVersion.V2006
    handlaggare_id: str | None = None

    @model_validator(mode="after")
    def _row_rules(self, info: ValidationInfo) -> Self:
        closed = self.avslutad_datum is not None
        v031 = hit("V031", "resultat") if closed != (self.resultat is not None) else None
        return self._apply(info, [*self._v020_date_order(), v031])


class UtredningBedomning(ContractRow):
    """`utredning_bedomning.csv`: one area of an investigation's triangle.

    The area's version is its investigation's: pass `context={"triangel_versions": {utredning_id:
    version}}` to check V036; a code in neither version's list is V003 in any case.
    """

    file_spec: ClassVar[FileSpec] = contract.UTREDNING_BEDOMNING

    utredning_id: str
    omrade: str
    bedomning: str

    @model_validator(mode="after")
    def _row_rules(self, info: ValidationInfo) -> Self:
        versions = _context(info).get("triangel_versions")
        version = versions.get(self.utredning_id) if isinstance(versions, Mapping) else None
        v036 = None
        if version is not None:
            areas = FORM_VERSIONS[FormVersion(str(version))].areas
            v036 = hit("V036", "omrade", f"version {version}") if self.omrade not in areas else None
        return self._apply(info, [v036])


class Insats(ContractRow):
    """`insats.csv`: a decided intervention."""

    file_spec: ClassVar[FileSpec] = contract.INSATS

    insats_id: str
    barn_id: str
    arende_id: str
    utredning_id: str | None = None
    stadsdel: str
    insatstyp: str
    lagrum: str
    beslut_datum: dt.date
    start_datum: dt.date | None = None
    slut_datum: dt.date | None = None
    handlaggare_id: str | None = None

    @property
    def start_effektiv(self) -> dt.date:
        """`start_datum`, or `beslut_datum` when empty (contract)."""
        return self.start_datum or self.beslut_datum

    @model_validator(mode="after")
    def _row_rules(self, info: ValidationInfo) -> Self:
        v032 = (hit("V032", "lagrum") if self.lagrum in codes.LVU_LAGRUM
                and self.insatstyp not in codes.PLACEMENT_TYPES else None)
        return self._apply(info, [*self._v020_date_order(), v032])


class Dokument(ContractRow):
    """`dokument.csv`: a BBIC document in the case."""

    file_spec: ClassVar[FileSpec] = contract.DOKUMENT

    dokument_id: str
    barn_id: str
    insats_id: str | None = None
    typ: str
    datum: dt.date
    bbic_formular: bool
    handlaggare_id: str | None = None

    @model_validator(mode="after")
    def _row_rules(self, info: ValidationInfo) -> Self:
        needs_insats = self.typ in codes.INTERVENTION_DOCUMENTS
        v035 = hit("V035", "insats_id") if needs_insats and self.insats_id is None else None
        return self._apply(info, [v035])


class Personal(ContractRow):
    """`personal.csv`: a Paraply user (no names)."""

    file_spec: ClassVar[FileSpec] = contract.PERSONAL

    handlaggare_id: str
    stadsdel: str
    roll: str
    bbic_anvandare: bool
    anstalld_fran: dt.date
    anstalld_till: dt.date | None = None

    @model_validator(mode="after")
    def _row_rules(self, info: ValidationInfo) -> Self:
        return self._apply(info, self._v020_date_order())


ROW_MODELS: Mapping[str, type[ContractRow]] = {
    m.file_spec.name: m
    for m in (Barn, Arende, Aktualisering, Utredning, UtredningBedomning, Insats, Dokument, Personal)
}


@dataclass(frozen=True)
class FormVersionSpec:
    """What one BBIC form version decides: its triangle areas and the row models of its files."""

    version: FormVersion
    areas: codes.CodeList
    models: Mapping[str, type[ContractRow]] = field(default_factory=lambda: ROW_MODELS)


FORM_VERSIONS: Mapping[FormVersion, FormVersionSpec] = {
    v: FormVersionSpec(v, areas) for v, areas in codes.TRIANGEL_OMRADEN.items()
}


def model_for(file_name: str, version: FormVersion = FormVersion.V2006) -> type[ContractRow]:
    """The row model of a contract file, by file name (`barn.csv`) or table name (`barn`)."""
    spec = contract.BY_NAME.get(file_name) or contract.BY_TABLE.get(file_name)
    if spec is None:
        raise KeyError(f"{file_name} is not a file of the contract")
    return FORM_VERSIONS[version].models[spec.name]


def parse_row(file_name: str, mapping: Mapping[str, object], *,
              context: ValidationContext | None = None) -> tuple[ContractRow | None, list[RuleHit]]:
    """One raw row (column → value as written) as its model, with every rule hit found on it.

    The model is None when an error rule fired; the hits then hold the errors and any warnings
    found on the way (V010, V050, and the cross-field warnings when every value parsed). An
    unknown column is V050; fields beyond the header (`csv.DictReader`'s `None` key) are V006.
    Cross-field rules are checked once every value of the row parses.
    """
    model = model_for(file_name)
    known = set(model.file_spec.column_names)
    found = [hit("V050", name) for name in _normalised_keys(mapping) if name not in known]
    if None in mapping:  # csv.DictReader's key for fields beyond the header
        found.append(hit("V006", None))
    findings: list[RuleHit] = []
    ctx: dict[str, Any] = dict(context or {})
    ctx["findings"] = findings
    try:
        row = model.model_validate(mapping, context=ctx)
    except ValidationError as exc:
        return None, [*found, *hits_from_error(exc), *findings]
    if any(h.is_error for h in found):
        return None, [*found, *findings]
    return row, [*found, *findings]


# Rules applied per row by these models (a grep for a code finds its home).
ROW_RULE_CODES: tuple[str, ...] = (
    "V001", "V002", "V003", "V006", "V007", "V010", "V011", "V012", "V013", "V020", "V021", "V022",
    "V030", "V031", "V032", "V033", "V034", "V035", "V036", "V037", "V050",
)
