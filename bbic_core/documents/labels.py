"""Swedish words for everything a document shows: measure titles, breakdown values, codes in values.

A reader of a printout sees labels, never raw codes: every breakdown key maps to a code list of
`bbic_core.codes` (or to a small list of its own here, for keys that are not Paraply codes), and
numbers are written the Swedish way (decimal comma, a non-breaking space between thousands).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

from bbic_core import codes
from bbic_core.figures import measures as catalogue
from bbic_core.figures.figure import SUPPRESSED, ReportKind
from bbic_core.scopes import ScopeLevel

ALL = "ALL"
TOTAL_LABEL = "Totalt"
SUPPRESSED_TEXT = SUPPRESSED  # shown as it stands: `..` is the Swedish statistics sign for "not shown"

MODE_LABELS: Mapping[str, str] = {
    "internal": "Intern – exakta tal",
    "published": "Publicerad – röjandekontroll tillämpad",
}

REPORT_TITLES: Mapping[str, str] = {
    ReportKind.VERKSAMHET: "Verksamhetsuppföljning",
    ReportKind.KLIENTGRUPP: "Klientgruppen",
    ReportKind.LICENS: "Licenskontroll",
    ReportKind.JAMFORELSE: "Jämförelse",
    ReportKind.ARSRAPPORT: "Årsrapport till nämnden",
}

SCOPE_LEVEL_LABELS: Mapping[str, str] = {
    ScopeLevel.DISTRICT: "Stadsdel",
    ScopeLevel.NETWORK: "Nätverk",
    ScopeLevel.MUNICIPALITY: "Kommunen",
}

# The measure groups of the three reports (reports.md), in report order.
GROUP_TITLES: Mapping[str, str] = {
    "A1": "Aktualiseringar",
    "A2": "Skyddsbedömning",
    "A3": "Förhandsbedömning",
    "A4": "Utredningar",
    "A5": "Utredningstid",
    "A6": "Utredningsplan och BBIC-formulär",
    "A7": "Beslutade insatser",
    "A8": "Placerade barn och planer",
    "A9": "Övervägande och omprövning",
    "A10": "Återaktualiseringar",
    "B1": "Utredda barn",
    "B2": "Anmälare och orsak",
    "B3": "Behovsprofil enligt BBIC-triangeln",
    "B4": "Barn med insats",
    "B5": "Utredningarnas resultat",
    "B6": "Tidigare aktualiserade barn",
    "C1": "Licens",
    "C2": "BBIC-ansvarig",
    "C3": "Lokala utbildare",
    "C4": "BBIC-användare och grundutbildning",
    "C5": "Användning av BBIC-formulären",
    "C6": "Underlicenser",
    "C7": "Utbildningsbehov",
    "C": "Kravuppfyllelse",
}


@dataclass(frozen=True, slots=True)
class MeasureInfo:
    title: str
    unit: str  # "antal", "procent", "dagar" (a median), "text" (a date, a code, J/N)


# The figures library's catalogue is the one source of measure titles and units.
_UNITS: Mapping[str, str] = {
    "count": "antal", "share": "procent", "median": "dagar", "code": "text", "date": "text",
}

REQUIREMENTS: Mapping[str, str] = {
    **{code: f"{code} {text}" for code, text in catalogue.KRAV.items()},
    ALL: "Samtliga krav",
}

# The requirements in a word, for the licence report's summary box (the full text is in its legend).
REQUIREMENT_SHORT: Mapping[str, str] = {
    "R1": "Licens",
    "R2": "BBIC-ansvarig",
    "R3": "Lokal utbildare",
    "R4": "Grundutbildning",
    "R5": "BBIC-formulären",
}

FORM_DOCUMENTS: Mapping[str, str] = catalogue.C5_DOKUMENT

SUB_VALUES: Mapping[str, str] = catalogue.UPPGIFT  # the `uppgift` key of the licence rows

MONTHS_SV = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
             "oktober", "november", "december")

# Breakdown key → Swedish heading and code list.
DIMENSION_TITLES: Mapping[str, str] = {
    "typ": "Typ av aktualisering",
    "beslut": "Beslut",
    "grupp": "Insatsgrupp",
    "insatstyp": "Insatstyp",
    "lagrum": "Lagrum",
    "alder": "Ålder",
    "kon": "Kön",
    "anmalare": "Anmälare",
    "orsak": "Orsak",
    "resultat": "Resultat",
    "version": "Triangelns version",
    "omrade": "Område",
    "manad": "Månad",
    "manader": "Utredningstid",
    "krav": "Krav",
    "dokument": "Dokument",
    "stadsdel": "Stadsdel",
    "uppgift": "Uppgift",
    "enhet": "Enhet",
    "handlaggare_id": "Handläggare (användar-id)",
}

_CODE_LISTS: Mapping[str, codes.CodeList] = {
    "typ": codes.AKTUALISERING_TYP,
    "beslut": codes.FHB_BESLUT,
    "grupp": codes.INSATS_GRUPP,
    "insatstyp": codes.INSATSTYP,
    "lagrum": codes.LAGRUM,
    "alder": codes.ALDERSGRUPP,
    "kon": codes.KON_RAPPORT,
    "anmalare": codes.ANMALARE,
    "orsak": codes.ORSAK,
    "resultat": codes.UTREDNING_RESULTAT,
    "version": codes.TRIANGEL_VERSION,
    "omrade": codes.TRIANGEL_OMRADE_ALLA,
}

# Keys whose values are free text (a unit's name, a user id): shown as they stand.
_FREE_TEXT_KEYS = frozenset({"enhet", "handlaggare_id"})

# Measures whose value is a code: the list it comes from.
_VALUE_LISTS: Mapping[str, codes.CodeList] = {
    "C1.licens": codes.LICENS_TYP,
    "C.krav": codes.KRAV_STATUS,
}
_FLAG_WORDS: Mapping[str, str] = {"J": "Ja", "N": "Nej"}
MISSING_ANMALARE = "SAKNAS"


def measure_info(measure: str) -> MeasureInfo:
    known = catalogue.BY_ID.get(measure)
    if known is not None:
        return MeasureInfo(known.title_sv, _UNITS.get(known.unit, "text"))
    return MeasureInfo(measure.split(".", 1)[-1].replace("_", " ").capitalize(), "")


def measure_group(measure: str) -> str:
    """`A10.ateraktualiserade` → `A10`; `C.krav` → `C`."""
    return measure.split(".", 1)[0]


def group_title(group: str) -> str:
    return GROUP_TITLES.get(group, group)


def dimension_title(key: str) -> str:
    return DIMENSION_TITLES.get(key, key.replace("_", " ").capitalize())


def parse_breakdown(breakdown: str) -> tuple[tuple[str, str], ...]:
    """`grupp=PLACERING&alder=ALL` → (("grupp", "PLACERING"), ("alder", "ALL")); `ALL` → ()."""
    if breakdown in ("", ALL):
        return ()
    pairs: list[tuple[str, str]] = []
    for part in breakdown.split("&"):
        key, _, value = part.partition("=")
        pairs.append((key, value))
    return tuple(pairs)


def month_label(value: str) -> str:
    """`2025-03` → `mars 2025`."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", value)
    if not match or not 1 <= int(match.group(2)) <= 12:
        return value
    return f"{MONTHS_SV[int(match.group(2)) - 1]} {match.group(1)}"


def short_month_label(value: str) -> str:
    """`2025-03` → `mar 2025` (chart axes)."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", value)
    if not match or not 1 <= int(match.group(2)) <= 12:
        return value
    return f"{MONTHS_SV[int(match.group(2)) - 1][:3]} {match.group(1)}"


def _months_taken_label(value: str) -> str:
    if value.endswith("+"):
        return f"{value[:-1]} månader eller mer"
    if value.isdigit():
        n = int(value)
        return f"{n}–{n + 1} månader" if n else "under 1 månad"
    return value


def breakdown_value_label(key: str, value: str, names: Mapping[str, str] | None = None) -> str:
    """The Swedish label of one breakdown value; never the raw code when a label exists."""
    if value == ALL:
        return TOTAL_LABEL
    if key in _CODE_LISTS:
        if key == "anmalare" and value == MISSING_ANMALARE:
            return "Uppgift saknas"
        return _CODE_LISTS[key].label(value)
    if key == "krav":
        return REQUIREMENTS.get(value, value)
    if key == "dokument":
        return FORM_DOCUMENTS.get(value, codes.DOKUMENT_TYP.label(value))
    if key == "uppgift":
        return SUB_VALUES.get(value, value.replace("_", " ").capitalize())
    if key == "manad":
        return month_label(value)
    if key == "manader":
        return _months_taken_label(value)
    if key == "stadsdel" and names is not None:
        return names.get(value, value)
    if key in _FREE_TEXT_KEYS:
        return value
    return value


def code_rank(key: str, value: str) -> int | None:
    """The position of `value` in the code list of breakdown `key` (tables follow the code list's
    order, as A7 does); None for a key without a code list or a value outside it."""
    code_list = _CODE_LISTS.get(key)
    if code_list is None:
        return None
    values = code_list.values()
    return values.index(value) if value in values else None


_PARENTHESIS = re.compile(r"(?P<short>.*\S)\s+\((?P<long>[^()]+)\)")


def short_header(label: str) -> tuple[str, str]:
    """A column header and what it leaves out: `LVU 6 § (omedelbart omhändertagande)` →
    (`LVU 6 §`, `omedelbart omhändertagande`); a label without a parenthesis → (label, "")."""
    match = _PARENTHESIS.fullmatch(label)
    if match is None:
        return label, ""
    return match.group("short"), match.group("long")


def triangle_side(version: str, area: str) -> str:
    """The side of the BBIC triangle an area belongs to (`Barnets behov`, …), empty when unknown."""
    versions = {"2006": codes.TRIANGEL_OMRADE_2006, "2016": codes.TRIANGEL_OMRADE_2016}
    for code_list in ([versions[version]] if version in versions else versions.values()):
        found = code_list.by_code.get(area)
        if found is not None and found.side:
            return found.side
    return ""


def area_rank(version: str, area: str) -> tuple[int, int]:
    """Where a triangle area stands in the needs profile: its version's sides in their order (the
    child, the parents' capacity, family and environment), then the area's place in that version's
    list. The areas of both versions share one code list, where the 2016 areas come after all the
    2006 ones; ordered by it, a 2016 profile would take each side twice."""
    versions = {"2006": codes.TRIANGEL_OMRADE_2006, "2016": codes.TRIANGEL_OMRADE_2016}
    code_list = versions.get(version) or codes.TRIANGEL_OMRADE_ALLA
    values = code_list.values()
    if area not in values:
        return len(values), 0
    sides: list[str] = []
    for code in code_list.codes:
        if code.side not in sides:
            sides.append(code.side or "")
    found = code_list.by_code[area]
    return sides.index(found.side or ""), values.index(area)


def value_label(measure: str, value: str, sub: str | None = None) -> str:
    """A text value in words: a licence type, a requirement status, J/N; dates and numbers as they stand."""
    if measure in _VALUE_LISTS and sub is None:
        return _VALUE_LISTS[measure].label(value)
    if value in _FLAG_WORDS:
        return _FLAG_WORDS[value]
    return value


# --- numbers ------------------------------------------------------------------------------------------

_INT = re.compile(r"-?\d+")
_DECIMAL = re.compile(r"-?\d+\.\d+")
NBSP = "\u00a0"


def parse_number(text: str) -> int | float | None:
    """A figure's value as a number: `12` → 12, `66.7` → 66.7; anything else (`..`, empty, a date): None."""
    if _INT.fullmatch(text):
        return int(text)
    if _DECIMAL.fullmatch(text):
        return float(text)
    return None


def format_number_sv(text: str) -> str:
    """`1234` → `1 234`, `66.7` → `66,7`; `..` and empty stay; other text as it stands."""
    if _INT.fullmatch(text):
        sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)
        return sign + _group_thousands(digits)
    if _DECIMAL.fullmatch(text):
        whole, frac = text.split(".")
        sign, digits = ("-", whole[1:]) if whole.startswith("-") else ("", whole)
        return f"{sign}{_group_thousands(digits)},{frac}"
    return text


def _group_thousands(digits: str) -> str:
    if len(digits) <= 4:  # Swedish typesetting leaves four-digit numbers whole
        return digits
    groups: list[str] = []
    while digits:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    return NBSP.join(groups)


MINUS = "\u2212"  # a real minus sign: a hyphen is too short beside figures


def signed(change: str) -> str:
    """A change as a reader takes it: `-3.5` → `−3,5`, `12` → `+12`, `0.0` → `0,0`; `..` stays,
    empty → `–`."""
    if change in ("", SUPPRESSED):
        return change or "–"
    text = format_number_sv(change.lstrip("-"))
    if change.startswith("-"):
        return MINUS + text
    number = parse_number(change)
    return text if not number else "+" + text


def format_date_sv(d: dt.date) -> str:
    """`2025-05-31` → `31 maj 2025`."""
    return f"{d.day} {MONTHS_SV[d.month - 1]} {d.year}"


def format_period_sv(start: dt.date, end: dt.date) -> str:
    return f"{start.isoformat()} – {end.isoformat()}"
