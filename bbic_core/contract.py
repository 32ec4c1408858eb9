"""The Paraply export contract (version 1.0) as data: files, columns, types, keys and references.

Every other part (the validator, the JSON Schemas, the data dictionary, the DuckDB tables, the
synthetic generator) is derived from this one declaration, so that the contract has one
typed home. The prose reference is `shared/spec/paraply-export.md`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from bbic_core import codes

__all__ = [
    "AKTUALISERING",
    "ARENDE",
    "BARN",
    "BY_NAME",
    "BY_TABLE",
    "CHILD_OWNED_REFS",
    "DOKUMENT",
    "ENCODINGS",
    "EVENT_DATES",
    "FILES",
    "FORMAT",
    "FORMAT_VERSION",
    "INSATS",
    "LOAD_ORDER",
    "PERSONAL",
    "PLANNED_DATES",
    "TEXT_MAX",
    "UTREDNING",
    "UTREDNING_BEDOMNING",
    "Column",
    "DateOrder",
    "FileSpec",
    "Kind",
]

FORMAT = "paraply-bbic-export"
FORMAT_VERSION = "1.0"
ENCODINGS = ("utf-8", "windows-1252")
TEXT_MAX = 40  # the contract's limit for ids ("text ≤ 40")
# Dates the contract calls planned: they may lie after the as-of date (V021).
PLANNED_DATES = frozenset({"forlangd_till", "start_datum", "slut_datum", "anstalld_till"})
# Event dates checked against age (V023) and against the case's open period (V024).
EVENT_DATES = frozenset({"inkom_datum", "inledd_datum", "beslut_datum"})


class Kind(StrEnum):
    TEXT = "text"
    DATE = "date"
    FLAG = "flag"
    CODE = "code"
    DISTRICT = "district"
    MUNICIPALITY = "municipality"
    PERSONNUMMER = "personnummer"


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    kind: Kind
    required: bool = False
    key: bool = False
    ref: str | None = None  # the file whose key this column names
    codes: codes.CodeList | None = None
    default: str | None = None
    description_sv: str = ""
    description_en: str = ""
    max_length: int | None = None

    @property
    def sql_type(self) -> str:
        return {Kind.DATE: "DATE", Kind.FLAG: "BOOLEAN"}.get(self.kind, "VARCHAR")


@dataclass(frozen=True, slots=True)
class DateOrder:
    """`later` must not come before `earlier` (V020); `strict` asks for later > earlier."""

    later: str
    earlier: str
    strict: bool = False


@dataclass(frozen=True)
class FileSpec:
    name: str  # e.g. "barn.csv"
    table: str  # e.g. "barn"
    title_sv: str
    columns: tuple[Column, ...]
    date_order: tuple[DateOrder, ...] = ()

    @property
    def key(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.key)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


def _id(name: str, desc: str, en: str = "") -> Column:
    return Column(
        name, Kind.TEXT, required=True, key=True, max_length=TEXT_MAX, description_sv=desc, description_en=en
    )


def _ref(name: str, target: str, required: bool = True, desc: str = "", en: str = "") -> Column:
    return Column(
        name,
        Kind.TEXT,
        required=required,
        ref=target,
        max_length=TEXT_MAX,
        description_sv=desc,
        description_en=en,
    )


def _date(name: str, required: bool = False, desc: str = "", en: str = "") -> Column:
    return Column(name, Kind.DATE, required=required, description_sv=desc, description_en=en)


def _flag(
    name: str, required: bool = True, default: str | None = None, desc: str = "", en: str = ""
) -> Column:
    return Column(name, Kind.FLAG, required=required, default=default, description_sv=desc, description_en=en)


def _code(
    name: str,
    cl: codes.CodeList,
    required: bool = True,
    default: str | None = None,
    desc: str = "",
    en: str = "",
) -> Column:
    return Column(
        name, Kind.CODE, required=required, codes=cl, default=default, description_sv=desc, description_en=en
    )


_STADSDEL = Column(
    "stadsdel",
    Kind.DISTRICT,
    required=True,
    max_length=TEXT_MAX,
    description_sv="Stadsdel (kod i organisationsregistret)",
    description_en="District code",
)
_HANDLAGGARE = _ref(
    "handlaggare_id",
    "personal",
    required=False,
    desc="Handläggare (Paraply-användare)",
    en="User who made the record",
)

BARN = FileSpec(
    "barn.csv",
    "barn",
    "Barn",
    (
        _id("barn_id", "Paraplys person-id", "Paraply's person id"),
        Column(
            "personnummer",
            Kind.PERSONNUMMER,
            description_sv="Personnummer eller samordningsnummer, 12 siffror; "
            "ersätts av en pseudonym vid inläsning",
            description_en="Personal or coordination number; replaced by a keyed pseudonym at load",
        ),
        _date(
            "fodelsedatum",
            desc="Födelsedatum (krävs när personnummer saknas eller är ogiltigt)",
            en="Birth date (required when the personal number is missing or invalid)",
        ),
        _code("kon", codes.KON, required=False, desc="Kön", en="Sex"),
        Column(
            "folkbokford_kommun",
            Kind.MUNICIPALITY,
            description_sv="Folkbokföringskommun (kommunkod)",
            description_en="Municipality of registration",
        ),
    ),
)

ARENDE = FileSpec(
    "arende.csv",
    "arende",
    "Ärenden",
    (
        _id("arende_id", "Ärende-id", "Case id"),
        _ref("barn_id", "barn", desc="Barnet", en="The child"),
        _STADSDEL,
        _date("oppnat_datum", required=True, desc="Ärendet öppnat", en="Case opened"),
        _date("avslutat_datum", desc="Ärendet avslutat", en="Case closed"),
    ),
    (DateOrder("avslutat_datum", "oppnat_datum"),),
)

AKTUALISERING = FileSpec(
    "aktualisering.csv",
    "aktualisering",
    "Aktualiseringar",
    (
        _id("aktualisering_id", "Aktualiserings-id", "Id"),
        _ref("barn_id", "barn", desc="Barnet", en="The child"),
        _ref(
            "arende_id",
            "arende",
            required=False,
            desc="Ärendet (tomt om inget ärende öppnades)",
            en="The case (empty where none was opened)",
        ),
        _STADSDEL,
        _code("typ", codes.AKTUALISERING_TYP, desc="Ansökan, anmälan eller information", en="Type"),
        _date("inkom_datum", required=True, desc="Inkom", en="Received"),
        _code("anmalare", codes.ANMALARE, required=False, desc="Anmälare", en="Reporter"),
        _flag("anonym", required=False, default="N", desc="Anonym anmälan", en="Anonymous report"),
        _code("orsak", codes.ORSAK, desc="Huvudsaklig orsak", en="Main reason"),
        _date("skyddsbedomning_datum", desc="Skyddsbedömning gjord", en="Protection assessment made"),
        _date(
            "forhandsbedomning_datum",
            desc="Beslut efter förhandsbedömning (tomt = ej beslutad)",
            en="Pre-assessment decision date",
        ),
        _code(
            "forhandsbedomning_beslut",
            codes.FHB_BESLUT,
            required=False,
            desc="Beslut efter förhandsbedömning",
            en="Pre-assessment decision",
        ),
        _flag("bbic_formular", desc="BBIC-formuläret Ansökan/Anmälan användes", en="BBIC form used"),
        _HANDLAGGARE,
    ),
    (DateOrder("skyddsbedomning_datum", "inkom_datum"), DateOrder("forhandsbedomning_datum", "inkom_datum")),
)

UTREDNING = FileSpec(
    "utredning.csv",
    "utredning",
    "Utredningar",
    (
        _id("utredning_id", "Utrednings-id", "Investigation id"),
        _ref("barn_id", "barn", desc="Barnet", en="The child"),
        _ref("arende_id", "arende", desc="Ärendet", en="The case"),
        _ref(
            "aktualisering_id",
            "aktualisering",
            required=False,
            desc="Aktualiseringen som ledde till utredningen",
            en="The aktualisering that led to it",
        ),
        _STADSDEL,
        _date(
            "inledd_datum", required=True, desc="Beslut att inleda utredning", en="Decision to investigate"
        ),
        _date("utredningsplan_datum", desc="Utredningsplan upprättad", en="Investigation plan"),
        _date("forlangd_till", desc="Förlängd till (efter beslut om förlängning)", en="Extended until"),
        _date("avslutad_datum", desc="Utredningen avslutad (tomt = pågår)", en="Closed (empty = ongoing)"),
        _code(
            "resultat",
            codes.UTREDNING_RESULTAT,
            required=False,
            desc="Resultat (krävs på avslutad utredning)",
            en="Result (required when closed)",
        ),
        _flag("bbic_formular", desc="Dokumenterad i BBIC:s utredningsformulär", en="BBIC form used"),
        _code(
            "triangel_version",
            codes.TRIANGEL_VERSION,
            required=False,
            default="2006",
            desc="Triangelns version",
            en="Triangle version",
        ),
        _HANDLAGGARE,
    ),
    (
        DateOrder("utredningsplan_datum", "inledd_datum"),
        DateOrder("forlangd_till", "inledd_datum", strict=True),
        DateOrder("avslutad_datum", "inledd_datum"),
    ),
)

UTREDNING_BEDOMNING = FileSpec(
    "utredning_bedomning.csv",
    "utredning_bedomning",
    "Bedömningar i triangeln",
    (
        Column(
            "utredning_id",
            Kind.TEXT,
            required=True,
            key=True,
            ref="utredning",
            max_length=TEXT_MAX,
            description_sv="Utredningen",
            description_en="The investigation",
        ),
        Column(
            "omrade",
            Kind.CODE,
            required=True,
            key=True,
            codes=codes.TRIANGEL_OMRADE_ALLA,
            description_sv="Område i triangeln (utredningens version)",
            description_en="Assessment area",
        ),
        _code("bedomning", codes.BEDOMNING, desc="Bedömning", en="Assessment"),
    ),
)

INSATS = FileSpec(
    "insats.csv",
    "insats",
    "Insatser",
    (
        _id("insats_id", "Insats-id", "Intervention id"),
        _ref("barn_id", "barn", desc="Barnet", en="The child"),
        _ref("arende_id", "arende", desc="Ärendet", en="The case"),
        _ref("utredning_id", "utredning", required=False, desc="Utredningen", en="The investigation"),
        _STADSDEL,
        _code("insatstyp", codes.INSATSTYP, desc="Insatstyp", en="Intervention type"),
        _code("lagrum", codes.LAGRUM, desc="Lagrum", en="Legal basis"),
        _date("beslut_datum", required=True, desc="Beslut", en="Decision"),
        _date("start_datum", desc="Start (tomt = beslutsdatum)", en="Start (empty = decision date)"),
        _date("slut_datum", desc="Slut (tomt = pågår)", en="End (empty = ongoing)"),
        _HANDLAGGARE,
    ),
    (DateOrder("slut_datum", "start_datum"),),
)

DOKUMENT = FileSpec(
    "dokument.csv",
    "dokument",
    "BBIC-dokument",
    (
        _id("dokument_id", "Dokument-id", "Document id"),
        _ref("barn_id", "barn", desc="Barnet", en="The child"),
        _ref(
            "insats_id",
            "insats",
            required=False,
            desc="Insatsen (krävs utom för grunduppgifter och avslutning)",
            en="The intervention (required but for GRUNDUPPGIFTER and AVSLUTNING)",
        ),
        _code("typ", codes.DOKUMENT_TYP, desc="Dokumenttyp", en="Document type"),
        _date("datum", required=True, desc="Datum", en="Date"),
        _flag("bbic_formular", desc="Gjord i BBIC-formuläret", en="Made in the BBIC form"),
        _HANDLAGGARE,
    ),
)

PERSONAL = FileSpec(
    "personal.csv",
    "personal",
    "Personal (Paraply-användare)",
    (
        _id("handlaggare_id", "Användar-id", "User id"),
        _STADSDEL,
        _code("roll", codes.ROLL, desc="Roll", en="Role"),
        _flag("bbic_anvandare", desc="Arbetar med BBIC", en="Works with BBIC"),
        _date("anstalld_fran", required=True, desc="Anställd från", en="Employed from"),
        _date("anstalld_till", desc="Anställd till", en="Employed until"),
    ),
    (DateOrder("anstalld_till", "anstalld_fran"),),
)

FILES: tuple[FileSpec, ...] = (
    BARN,
    ARENDE,
    AKTUALISERING,
    UTREDNING,
    UTREDNING_BEDOMNING,
    INSATS,
    DOKUMENT,
    PERSONAL,
)
BY_NAME: Mapping[str, FileSpec] = {f.name: f for f in FILES}
BY_TABLE: Mapping[str, FileSpec] = {f.table: f for f in FILES}
# Referenced files first: the order in which V005 cascades.
LOAD_ORDER: tuple[str, ...] = (
    "personal",
    "barn",
    "arende",
    "aktualisering",
    "utredning",
    "utredning_bedomning",
    "insats",
    "dokument",
)
# Columns that name a row owned by a child: V016 compares their barn_id with the row's own.
CHILD_OWNED_REFS: Mapping[str, str] = {
    "arende_id": "arende",
    "aktualisering_id": "aktualisering",
    "utredning_id": "utredning",
    "insats_id": "insats",
}
