"""JSON Schemas (draft 2020-12) of the export contract, generated from `bbic_core.contract`.

A contract file's schema describes ONE CSV row as an object of strings exactly as they stand
in the file (before trimming): the header's names as keys, every value a string. Patterns allow
the spaces and tabs the contract trims, and match codes and flags case-insensitively; each
code's Swedish label is in `x-labels`. What a single value cannot show (a calendar date that
does not exist, a district missing from the register, cross-field rules such as V030) is left to
the models and the validator; the rules concerned are listed in `x-rules`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from bbic_core import codes, contract, rules
from bbic_core.codes import CodeList
from bbic_core.contract import Column, FileSpec, Kind

DRAFT = "https://json-schema.org/draft/2020-12/schema"
ID_BASE = "urn:bbic:schema:"
Schema = dict[str, Any]

_BLANK = "[ \\t]*"  # the contract trims spaces and tabs, nothing else
DATE_CORE = "[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
FLAG_CORE = "[Jj]|[Nn]"
MUNICIPALITY_CORE = "[0-9]{4}"
DISTRICT_CORE = "[A-Za-z0-9_]{1,40}"  # register.md's [a-z0-9_]{1,40}, matched case-insensitively
PERSONNUMMER_CORE = "[0-9]{8}[-+]?[0-9]{4}"
NON_BLANK = "[^ \\t]"  # unanchored: at least one character that trimming keeps

_KIND_SV: Mapping[Kind, str] = {
    Kind.TEXT: "text",
    Kind.DATE: "datum ÅÅÅÅ-MM-DD",
    Kind.FLAG: "flagga J/N",
    Kind.CODE: "kod",
    Kind.DISTRICT: "stadsdelskod",
    Kind.MUNICIPALITY: "kommunkod, fyra siffror",
    Kind.PERSONNUMMER: "personnummer, tolv siffror",
}


def kind_label(column: Column) -> str:
    """The column's type in Swedish words (also used by the data dictionary)."""
    label = _KIND_SV[column.kind]
    if column.kind is Kind.TEXT and column.max_length:
        label += f" ≤ {column.max_length}"
    if column.codes is not None:
        label += f" ({column.codes.name})"
    return label


def case_insensitive(code: str) -> str:
    """A regex (ECMA-262 and Python alike) matching `code` in any letter case."""
    out = []
    for ch in code:
        if ch.isalpha():
            out.append(f"[{ch.upper()}{ch.lower()}]")
        elif ch.isalnum() or ch == "_":
            out.append(ch)
        else:
            out.append("\\" + ch)
    return "".join(out)


def anchored(core: str, *, required: bool) -> str:
    """`core` between optional spaces/tabs; when not required, an empty (or blank) value matches too."""
    body = f"(?:{core})" if required else f"(?:{core})?"
    return f"^{_BLANK}{body}{_BLANK}$"


def code_pattern(code_list: CodeList, *, required: bool) -> str:
    return anchored("|".join(case_insensitive(c.code) for c in code_list), required=required)


def _labels(code_list: CodeList) -> dict[str, str]:
    return {c.code: c.label_sv for c in code_list}


def _column_description(column: Column) -> str:
    parts = [column.description_sv.rstrip(".") + "." if column.description_sv else ""]
    parts.append(f"Typ: {kind_label(column)}.")
    if column.key:
        parts.append("Del av nyckeln.")
    parts.append("Obligatorisk." if column.required else "Frivillig (tomt värde = saknas).")
    if column.ref:
        parts.append(f"Ska peka på en rad i {contract.BY_TABLE[column.ref].name}.")
    if column.default is not None:
        parts.append(f"Tomt betyder {column.default}.")
    if column.kind is Kind.PERSONNUMMER:
        parts.append("Ett ogiltigt nummer är en varning (V010): numret tas bort och raden behålls.")
    return " ".join(p for p in parts if p)


def column_schema(column: Column) -> Schema:
    """The schema of one value of `column` as a string in the file."""
    schema: Schema = {"type": "string", "title": column.name, "description": _column_description(column)}
    required = column.required and column.default is None
    kind = column.kind
    if kind is Kind.DATE:
        schema["pattern"] = anchored(DATE_CORE, required=required)
    elif kind is Kind.FLAG:
        schema["pattern"] = anchored(FLAG_CORE, required=required)
        schema["x-labels"] = _labels(codes.FLAGGA)
    elif kind is Kind.CODE and column.codes is not None:
        schema["pattern"] = code_pattern(column.codes, required=required)
        schema["x-code-list"] = column.codes.name
        schema["x-labels"] = _labels(column.codes)
        if column.codes is codes.TRIANGEL_OMRADE_ALLA:
            # V036: the area list is the investigation's triangle version.
            schema["x-versions"] = {v.value: areas.values() for v, areas in codes.TRIANGEL_OMRADEN.items()}
    elif kind is Kind.DISTRICT:
        schema["pattern"] = anchored(DISTRICT_CORE, required=required)
    elif kind is Kind.MUNICIPALITY:
        schema["pattern"] = anchored(MUNICIPALITY_CORE, required=required)
    elif kind is Kind.PERSONNUMMER:
        schema["pattern"] = anchored(PERSONNUMMER_CORE, required=required)
    elif required:
        schema["pattern"] = NON_BLANK
    if column.max_length is not None and kind is Kind.TEXT:
        schema["maxLength"] = column.max_length
    if column.default is not None:
        schema["default"] = column.default
    if column.key:
        schema["x-key"] = True
    if column.ref:
        schema["x-ref"] = contract.BY_TABLE[column.ref].name
    schema["x-required"] = column.required
    return schema


def row_rules(spec: FileSpec) -> dict[str, str]:
    """The row rules (beyond V001–V003) whose fields are all columns of `spec`, code → Swedish message."""
    names = set(spec.column_names)
    found: dict[str, str] = {}
    for rule in rules.RULES:
        if rule.level is not rules.Level.ROW:
            continue
        if (rule.fields and set(rule.fields) <= names) or (rule.code == "V020" and spec.date_order):
            found[rule.code] = rule.message_sv
    return found


def row_schema(spec: FileSpec) -> Schema:
    """The schema of one CSV row of a contract file (values as strings, as written)."""
    return {
        "$schema": DRAFT,
        "$id": f"{ID_BASE}paraply-export:{contract.FORMAT_VERSION}:{spec.table}",
        "title": f"{spec.name}: {spec.title_sv}",
        "description": (
            f"En rad i {spec.name} (Paraply-exportens kontrakt version {contract.FORMAT_VERSION}) "
            "som den står i filen: rubrikens namn som nycklar, varje värde en sträng. "
            "Värden trimmas på mellanslag och tabb; tomt värde = saknas. "
            "Koder och flaggor skiftlägesokänsliga. Okända kolumner tillåts (varning V050)."
        ),
        "type": "object",
        "properties": {c.name: column_schema(c) for c in spec.columns},
        "required": list(spec.column_names),
        "additionalProperties": {"type": "string"},
        "x-file": spec.name,
        "x-key": list(spec.key),
        "x-date-order": [
            {"later": o.later, "earlier": o.earlier, "strict": o.strict} for o in spec.date_order
        ],
        "x-rules": row_rules(spec),
    }


def manifest_schema() -> Schema:
    """`manifest.json`: format, origin, time and files (X001, X002 as far as a schema can say)."""
    every_file = [
        {"contains": {"type": "object", "properties": {"name": {"const": spec.name}}, "required": ["name"]}}
        for spec in contract.FILES
    ]
    encodings = "|".join(case_insensitive(e) for e in contract.ENCODINGS)
    return {
        "$schema": DRAFT,
        "$id": f"{ID_BASE}paraply-export:{contract.FORMAT_VERSION}:manifest",
        "title": "manifest.json",
        "description": (
            "Manifestet i en Paraply-export: format, kommun, tidpunkt och varje CSV-fil med antal datarader "
            "och SHA-256. UTF-8-kodad JSON (BOM tillåten)."
        ),
        "type": "object",
        "properties": {
            "format": {"const": contract.FORMAT, "description": "Fast värde."},
            "format_version": {
                "type": "string",
                "pattern": "^" + contract.FORMAT_VERSION.split(".")[0] + r"\.[0-9]+$",
                "description": "Kontraktets version; en senare minor-version kan lägga till frivilliga "
                               "kolumner.",
            },
            "export_id": {"type": "string", "minLength": 1,
                          "description": "Unik per export; samma export_id två gånger ändrar ingenting."},
            "municipality": {"type": "string", "pattern": f"^{MUNICIPALITY_CORE}$",
                             "description": "Kommunkod, t.ex. 0180 för Stockholm."},
            "created_at": {
                "type": "string",
                "format": "date-time",
                "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?"
                           r"(?:Z|[+-][0-9]{2}:?[0-9]{2})$",
                "description": "När exporten gjordes, ISO 8601 med tidszon; datumet i svensk tid är "
                               "exportens datum.",
            },
            "extract": {"const": "full", "description": "En fullständig ögonblicksbild."},
            "encoding": {"type": "string", "pattern": f"^(?:{encodings})$",
                         "description": "CSV-filernas teckenkodning (skiftlägesokänslig)."},
            "files": {
                "type": "array",
                "description": "Varje CSV-fil: namn, antal datarader (utan rubrik) och SHA-256 (hex).",
                "items": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string", "minLength": 1},
                        "rows": {"type": "integer", "minimum": 0},
                        "sha256": {"type": "string", "pattern": "^[0-9A-Fa-f]{64}$"},
                    },
                    "required": ["name", "rows", "sha256"],
                },
                "allOf": every_file,
            },
        },
        "required": ["format", "format_version", "export_id", "municipality", "created_at", "extract",
                     "encoding", "files"],
    }


def organisation_schema() -> Schema:
    """`organisation.yaml`, from the register's own pydantic model (dates as `YYYY-MM-DD` strings)."""
    from bbic_core.register.organisation import Organisation

    generated = Organisation.model_json_schema(by_alias=True, mode="validation")
    generated.pop("title", None)
    generated.pop("description", None)
    return {
        "$schema": DRAFT,
        "$id": f"{ID_BASE}register:organisation",
        "title": "organisation.yaml",
        "description": (
            "Organisationsregistret: kommun, nätverk, stadsdelar med BBIC-ansvariga, lokala utbildare och "
            "licenser, underlicenser och inställningar. Koder är strängar (citera \"0180\"); datum skrivs "
            "ÅÅÅÅ-MM-DD."
        ),
        **generated,
    }


def utbildning_schema() -> Schema:
    """One row of `utbildning.csv` as strings (the register's training file)."""
    return {
        "$schema": DRAFT,
        "$id": f"{ID_BASE}register:utbildning",
        "title": "utbildning.csv",
        "description": (
            "En rad i registrets utbildningsfil (semikolonseparerad, rubrikrad): en genomförd utbildning. "
            "Ett datum i framtiden (en bokning) är en varning."
        ),
        "type": "object",
        "properties": {
            "handlaggare_id": {"type": "string", "title": "handlaggare_id", "pattern": NON_BLANK,
                               "maxLength": contract.TEXT_MAX,
                               "description": "Paraply-användarens id; ett id som saknas i personal.csv "
                                              "är en varning."},
            "utbildning": {"type": "string", "title": "utbildning",
                           "pattern": code_pattern(codes.UTBILDNING, required=True),
                           "x-code-list": codes.UTBILDNING.name, "x-labels": _labels(codes.UTBILDNING),
                           "description": "Utbildningen."},
            "genomford_datum": {"type": "string", "title": "genomford_datum",
                                "pattern": anchored(DATE_CORE, required=True),
                                "description": "Genomförd, ÅÅÅÅ-MM-DD."},
        },
        "required": ["handlaggare_id", "utbildning", "genomford_datum"],
        "additionalProperties": {"type": "string"},
    }


def all_schemas() -> dict[str, Schema]:
    """Every schema by its file name under `schemas/` (`barn.schema.json`, …, `utbildning.schema.json`)."""
    out = {f"{spec.table}.schema.json": row_schema(spec) for spec in contract.FILES}
    out["manifest.schema.json"] = manifest_schema()
    out["organisation.schema.json"] = organisation_schema()
    out["utbildning.schema.json"] = utbildning_schema()
    return out


def dumps(schema: Schema) -> str:
    """Deterministic text of a schema: key order as built, two-space indent, UTF-8 letters kept."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
