"""The rule catalogue of the export contract: every X (export) and V (row) code.

Each rule is one declared unit: its code, level, severity, the fields it reads, and its message
in Swedish and English. The checks themselves live in `bbic_core.validation` (one function per
code, registered against this catalogue); this module is what integrators and reports read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "BY_CODE",
    "EXPORT_RULE_ORDER",
    "RULES",
    "Level",
    "Rule",
    "Severity",
    "rule",
]


class Level(StrEnum):
    EXPORT = "export"  # refuses the whole export
    ROW = "row"  # quarantines or flags one row


class Severity(StrEnum):
    REFUSAL = "X"
    ERROR = "E"
    WARNING = "W"


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    level: Level
    severity: Severity
    message_sv: str
    message_en: str
    fields: tuple[str, ...] = ()
    quarantines: bool = False  # the row goes to quarantine (errors, and V004W copies)
    counts_as_error: bool = True  # counted towards X008's systematic-fault threshold

    @property
    def is_refusal(self) -> bool:
        return self.severity is Severity.REFUSAL


def _x(code: str, sv: str, en: str) -> Rule:
    return Rule(code, Level.EXPORT, Severity.REFUSAL, sv, en)


def _e(code: str, sv: str, en: str, *fields: str) -> Rule:
    return Rule(code, Level.ROW, Severity.ERROR, sv, en, fields, quarantines=True)


def _w(code: str, sv: str, en: str, *fields: str) -> Rule:
    return Rule(code, Level.ROW, Severity.WARNING, sv, en, fields, counts_as_error=False)


RULES: tuple[Rule, ...] = (
    # Export-level, in the order they are checked: the first found is the refusal code.
    _x(
        "X001",
        "manifest.json saknas, är inte giltig JSON eller inte detta format/version, extract är inte full, "
        "okänd teckenkodning, ogiltig created_at, eller zip-filen har annan struktur",
        "manifest.json missing, not JSON, not this format and major version, extract not full, "
        "unknown encoding, created_at not ISO 8601 with offset, or a zip of another layout",
    ),
    _x("X007", "Kommunkoden skiljer sig från registrets kommun", "municipality differs from the register's"),
    _x(
        "X010",
        "Ett redan inläst export_id har kommit igen med andra kontrollsummor",
        "an export_id already loaded arrives again with other checksums",
    ),
    _x(
        "X009",
        "created_at är inte senare än den aktuella exportens (gammal export i fel ordning)",
        "created_at is not later than that of the current export",
    ),
    _x(
        "X002",
        "En av de åtta filerna saknas i manifestet, eller en listad fil saknas i exporten",
        "one of the eight files is not listed, or a listed file is missing",
    ),
    _x("X003", "En fils SHA-256 skiljer sig från manifestets", "a file's SHA-256 differs from the manifest"),
    _x(
        "X006",
        "En fil kan inte avkodas i angiven teckenkodning",
        "a file does not decode in the declared encoding",
    ),
    _x(
        "X005",
        "En kolumn i kontraktet saknas i filhuvudet, eller en kolumn förekommer två gånger",
        "a contract column is missing from a header, or a header names a column twice",
    ),
    _x(
        "X004",
        "Filens antal rader skiljer sig från manifestets",
        "a file's row count differs from the manifest",
    ),
    _x(
        "X008",
        "Systematiskt fel: fler än 5 % och fler än 10 av en fils rader bryter mot en felregel",
        "systematic fault: more than 5 % and more than 10 of a file's rows break an error rule",
    ),
    # Row-level.
    _e("V001", "Ett obligatoriskt värde saknas", "a required value is missing"),
    _e(
        "V002",
        "Värdet kan inte tolkas som sin typ (datum, flagga, tal) eller är för långt",
        "a value does not parse as its type, or is too long",
    ),
    _e("V003", "Koden finns inte i sin kodlista", "a code is not in its code list"),
    _e(
        "V004",
        "Flera rader har samma nyckel men olika innehåll; alla sätts i karantän",
        "rows share a key but differ: all are quarantined",
    ),
    Rule(
        "V004W",
        Level.ROW,
        Severity.WARNING,
        "Identisk dubblettrad: den första läses in, kopian sätts i karantän",
        "identical copy of a row: the first is loaded, the copy is quarantined",
        quarantines=True,
        counts_as_error=False,
    ),
    _e(
        "V005",
        "En referens pekar inte på någon rad, eller på en rad i karantän",
        "a reference points at no row, or at a quarantined row",
    ),
    _e("V006", "Raden har fler fält än filhuvudet", "the row has more fields than the header"),
    _e(
        "V007",
        "Ett id eller en referens innehåller ett personnummer eller samordningsnummer",
        "an id or reference holds a personal identity or coordination number",
    ),
    _w(
        "V010",
        "Ogiltigt personnummer: numret tas bort, raden behålls",
        "invalid personnummer: the number is dropped, the row kept",
        "personnummer",
    ),
    _w(
        "V011",
        "Födelsedatum stämmer inte med personnumret (personnumrets datum används)",
        "fodelsedatum disagrees with personnummer",
        "fodelsedatum",
        "personnummer",
    ),
    _w(
        "V012",
        "Kön stämmer inte med personnumrets könssiffra",
        "kon disagrees with the sex digit",
        "kon",
        "personnummer",
    ),
    _e(
        "V013",
        "Varken giltigt personnummer eller giltigt födelsedatum: åldern är okänd",
        "neither a valid personnummer nor a valid fodelsedatum",
        "personnummer",
        "fodelsedatum",
    ),
    _w(
        "V014",
        "Samma personnummer på två barn med olika barn_id",
        "the same personnummer on two barn rows",
        "personnummer",
        "barn_id",
    ),
    _w(
        "V015",
        "handlaggare_id finns inte bland personalen: användaren räknas som okänd",
        "a handlaggare_id that names no clean personal row",
        "handlaggare_id",
    ),
    _e(
        "V016",
        "Raden pekar på ett ärende, en aktualisering, utredning eller insats som hör till ett annat barn",
        "the row names a record that belongs to another child",
        "barn_id",
    ),
    _e("V020", "Datum i fel ordning", "dates out of order"),
    _e("V021", "Datum senare än exportens datum", "a date later than the as-of date"),
    _e("V022", "Datum före 1900-01-01", "a date before 1900-01-01"),
    _w(
        "V023",
        "Barnet är yngre än 0 eller äldre än 20 år vid händelsen",
        "the child is younger than 0 or older than 20 at the event",
    ),
    _w("V024", "Händelsedatum utanför ärendets öppna period", "event date outside its case's open period"),
    _e(
        "V030",
        "Förhandsbedömningens datum och beslut ska båda vara ifyllda eller båda tomma",
        "forhandsbedomning_datum and forhandsbedomning_beslut not both set or both empty",
        "forhandsbedomning_datum",
        "forhandsbedomning_beslut",
    ),
    _e(
        "V031",
        "Resultat saknas på avslutad utredning, eller är ifyllt på pågående",
        "resultat missing on a closed investigation, or set on an open one",
        "resultat",
        "avslutad_datum",
    ),
    _e(
        "V032",
        "LVU-lagrum på en öppenvårdsinsats",
        "an LVU lagrum on an open intervention type",
        "lagrum",
        "insatstyp",
    ),
    _w(
        "V033",
        "Anonym anmälan från anmälare med anmälningsplikt",
        "anonymous report from a reporter with a duty to report",
        "anonym",
        "anmalare",
    ),
    _w("V034", "Anmälare saknas på en anmälan", "anmalare missing on an ANMALAN", "anmalare"),
    _e(
        "V035",
        "Dokumenttypen hör till en insats men insats_id saknas",
        "a document type that belongs to an intervention has no insats_id",
        "insats_id",
        "typ",
    ),
    _e(
        "V036",
        "Området hör till den andra versionen av triangeln",
        "an assessment area of the other triangle version",
        "omrade",
    ),
    _w(
        "V037",
        "Skyddsbedömningens datum saknas på en anmälan",
        "skyddsbedomning_datum missing on an ANMALAN",
        "skyddsbedomning_datum",
    ),
    _w(
        "V050", "Okänd kolumn (ignoreras; rapporteras en gång per fil)", "a column the contract does not know"
    ),
)

BY_CODE: Mapping[str, Rule] = {r.code: r for r in RULES}
EXPORT_RULE_ORDER: tuple[str, ...] = tuple(r.code for r in RULES if r.level is Level.EXPORT)


def rule(code: str) -> Rule:
    return BY_CODE[code]
