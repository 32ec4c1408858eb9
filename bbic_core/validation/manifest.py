"""`manifest.json` of a Paraply export: its typed model and the X001 checks on its content.

`parse_manifest` turns the file's bytes into a `Manifest` or into X001 refusals, one per key
that is wrong, each naming the key. Keys the contract does not know are ignored (a later minor
version may add some).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bbic_core import contract
from bbic_core.validation.refusal import Refusal, show

MANIFEST_NAME = "manifest.json"
TIME_ZONE = "Europe/Stockholm"
SUPPORTED_MAJOR = 1
_BOM = b"\xef\xbb\xbf"
_VERSION = re.compile(r"([0-9]+)\.([0-9]+)")
# ISO 8601 extended date and time with `T` and an offset: the same pattern as the manifest's JSON Schema.
_DATETIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?"
                       r"(?:Z|[+-][0-9]{2}:?[0-9]{2})")
_HEX64 = re.compile(r"[0-9a-fA-F]{64}")
# The contract's manifest is three levels deep (object, `files`, each file); a deeper one is refused
# before it is parsed (Python's parser would recurse once per level).
MAX_DEPTH = 32
_OPENING, _CLOSING = np.frombuffer(b"[{", dtype=np.uint8), np.frombuffer(b"]}", dtype=np.uint8)
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')

# What each key must be, for the one-line X001 messages.
_EXPECTED: dict[str, str] = {
    "format": f"must be '{contract.FORMAT}'",
    "format_version": f"must be a version {SUPPORTED_MAJOR}.x such as '{contract.FORMAT_VERSION}'",
    "export_id": "must be a non-empty text",
    "municipality": "must be a kommunkod of 4 digits such as '0180'",
    "created_at": "must be ISO 8601 with an offset, such as '2025-06-30T22:00:00+02:00' or '…Z'",
    "extract": "must be 'full'",
    "encoding": "must be 'utf-8' or 'windows-1252'",
    "files": "must be a list of {name, rows, sha256}",
    "name": "must be a file name",
    "rows": "must be a whole number >= 0",
    "sha256": "must be 64 hexadecimal digits",
}


def stockholm() -> ZoneInfo:
    """The contract's time zone; a clear error (never a silent fallback) when the tz database is missing."""
    try:
        return ZoneInfo(TIME_ZONE)
    except ZoneInfoNotFoundError as exc:
        raise RuntimeError(
            f"time zone {TIME_ZONE} not found: install the system tz database or the Python package tzdata"
        ) from exc


class ManifestFile(BaseModel):
    model_config = ConfigDict(frozen=True, strict=True, extra="ignore")

    name: str = Field(min_length=1)
    rows: int = Field(ge=0)
    sha256: str

    @field_validator("sha256")
    @classmethod
    def _hex(cls, value: str) -> str:
        if not _HEX64.fullmatch(value):
            raise ValueError("not 64 hexadecimal digits")
        return value.lower()


class Manifest(BaseModel):
    """The manifest of one export (contract version 1.x)."""

    model_config = ConfigDict(frozen=True, strict=True, extra="ignore")

    format: Literal["paraply-bbic-export"]
    format_version: str
    export_id: str
    municipality: str = Field(pattern=r"^[0-9]{4}$")
    created_at: dt.datetime
    extract: Literal["full"]
    encoding: Literal["utf-8", "windows-1252"]
    files: list[ManifestFile]

    @field_validator("format_version")
    @classmethod
    def _major_version(cls, value: str) -> str:
        match = _VERSION.fullmatch(value)
        if not match or int(match.group(1)) != SUPPORTED_MAJOR:
            raise ValueError("unsupported version")
        return value

    @field_validator("export_id")
    @classmethod
    def _non_empty(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("empty")
        return value

    @field_validator("created_at", mode="before")
    @classmethod
    def _iso_with_offset(cls, value: object) -> dt.datetime:
        if not isinstance(value, str) or not _DATETIME.fullmatch(value):
            raise ValueError("not ISO 8601 with an offset")
        parsed = dt.datetime.fromisoformat(value)
        if parsed.tzinfo is None or parsed.utcoffset() is None:
            raise ValueError("no offset")
        return parsed

    @field_validator("encoding", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        # The contract compares the encoding case-insensitively; the model holds its lower-case form.
        return value.lower() if isinstance(value, str) else value

    @property
    def as_of(self) -> dt.date:
        """The export's as-of date `A`: the calendar date of `created_at` in Europe/Stockholm."""
        return self.created_at.astimezone(stockholm()).date()

    @property
    def listed(self) -> dict[str, ManifestFile]:
        return {f.name: f for f in self.files}

    @property
    def codec(self) -> str:
        """The Python codec name of the declared encoding."""
        return "cp1252" if self.encoding == "windows-1252" else "utf-8"


def _x001(message: str) -> Refusal:
    return Refusal("X001", f"{MANIFEST_NAME}: {message}", MANIFEST_NAME)


def _key(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _refusals(error: ValidationError) -> list[Refusal]:
    refusals: list[Refusal] = []
    seen: set[str] = set()
    for item in error.errors():
        loc = tuple(item["loc"])
        key = _key(loc)
        if key in seen:
            continue
        seen.add(key)
        last = next((p for p in reversed(loc) if isinstance(p, str)), "files")
        expected = _EXPECTED.get(last, "is not valid")
        if item["type"] == "missing":
            refusals.append(_x001(f"{key} is missing ({expected})"))
        else:
            refusals.append(_x001(f"{key} is {show(item['input'])}: {expected}"))
    return refusals


def _depth(text: str) -> int:
    """How deep the brackets outside strings nest (an upper bound for text that is not JSON)."""
    outside = np.frombuffer(_JSON_STRING.sub("", text).encode("utf-8"), dtype=np.uint8)
    step = np.isin(outside, _OPENING).astype(np.int64) - np.isin(outside, _CLOSING).astype(np.int64)
    return int(np.cumsum(step).max(initial=0))


def parse_manifest(data: bytes) -> tuple[Manifest | None, list[Refusal]]:
    """The manifest in `data` (UTF-8 JSON, a BOM allowed), or the X001 refusals that it gives."""
    if data.startswith(_BOM):
        data = data[len(_BOM):]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [_x001(f"is not UTF-8 (byte {exc.start})")]
    if _depth(text) > MAX_DEPTH:
        return None, [_x001(f"is nested more than {MAX_DEPTH} levels deep")]
    try:
        raw: Any = json.loads(text)
    except RecursionError:
        return None, [_x001(f"is nested more than {MAX_DEPTH} levels deep")]
    except json.JSONDecodeError as exc:
        return None, [_x001(f"is not JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})")]
    if not isinstance(raw, dict):
        return None, [_x001("is not a JSON object")]
    try:
        manifest = Manifest.model_validate(raw)
    except ValidationError as exc:
        return None, _refusals(exc)
    twice = sorted(show(n) for n, times in Counter(f.name for f in manifest.files).items() if times > 1)
    if twice:
        return None, [_x001(f"files lists {', '.join(twice)} more than once")]
    return manifest, []
