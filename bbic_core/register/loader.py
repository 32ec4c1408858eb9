"""Read a register folder: `organisation.yaml` and `utbildning.csv` or `utbildning.xlsx`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import ValidationError

from bbic_core.register.errors import RegisterError
from bbic_core.register.organisation import (
    DISTRICT_CODE_PATTERN,
    MUNICIPALITY_CODE_PATTERN,
    Organisation,
    Register,
    organisation_problems,
)
from bbic_core.register.utbildning import load_utbildning
from bbic_core.register.yaml_lines import MAX_BYTES, LineMap, format_path, load_yaml

ORGANISATION_FILE = "organisation.yaml"
_CODE_KEYS = frozenset({"code", "huvudman", "handlaggare_id"})

_MESSAGES = {
    "extra_forbidden": "unknown key (a misspelling?)",
    "missing": "required key is missing",
}
_PATTERN_MESSAGES = {
    DISTRICT_CODE_PATTERN: "use 1–40 of a–z (no å, ä, ö), 0–9 and _",
    MUNICIPALITY_CODE_PATTERN: "the municipality code is four digits in quotes",
}


def load_register(folder: Path, *, today: dt.date | None = None) -> Register:
    """The register in `folder`; RegisterError naming file, line and key when it cannot be used.

    `today` decides which training dates are bookings (a warning); default: today's date.
    """
    org = load_organisation(folder / ORGANISATION_FILE)
    trainings, warnings = load_utbildning(folder, today or dt.date.today())
    return Register(**{name: getattr(org, name) for name in Organisation.model_fields},
                    utbildning=trainings, warnings=warnings)


def load_organisation(path: Path) -> Organisation:
    file = path.name
    try:
        with path.open("rb") as fh:  # bounded: a huge file (or a device) is refused, not read whole
            data = fh.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            too_big = f"larger than the limit of {MAX_BYTES} bytes: not a register"
            raise RegisterError(file, None, None, too_big)
        text = data.decode("utf-8-sig")
    except FileNotFoundError:
        raise RegisterError(file, None, None, f"missing: the register folder has no {file}") from None
    except UnicodeDecodeError as exc:
        raise RegisterError(file, None, None, f"not UTF-8 ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise RegisterError(file, None, None, f"cannot read: {exc.strerror}") from None
    document, lines = load_yaml(text, file)
    if not isinstance(document, dict):
        raise RegisterError(file, 1, None, "expected a mapping with municipality, districts, …")
    _check_codes_quoted(lines, file)
    try:
        org = Organisation.model_validate(document)
    except ValidationError as exc:
        raise _from_validation(exc, lines, file) from None
    problems = [RegisterError(file, lines.line_of(key), format_path(key), message)
                for key, message in organisation_problems(org)]
    if problems:
        problems.sort(key=lambda e: e.line or 0)
        first = problems[0]
        raise RegisterError(first.file, first.line, first.key, first.message, tuple(problems[1:]))
    return org


def _check_codes_quoted(lines: LineMap, file: str) -> None:
    """Codes are YAML strings: an unquoted 0180 or 12345 is refused before YAML's number rules bite."""
    for path in sorted(lines.number_like, key=lambda p: lines.line_of(p) or 0):
        is_code = (isinstance(path[-1], str) and path[-1] in _CODE_KEYS) or (
            len(path) == 4 and path[0] == "networks" and path[2] == "districts")
        if is_code:
            raw = lines.number_like[path]
            raise RegisterError(file, lines.line_of(path), format_path(path),
                                f'a code must be a quoted string: YAML reads an unquoted {raw} as a number; '
                                f'write "{raw}"')


def _from_validation(exc: ValidationError, lines: LineMap, file: str) -> RegisterError:
    errors = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        message = _MESSAGES.get(error["type"], error["msg"])
        if error["type"] == "string_pattern_mismatch":
            message = _PATTERN_MESSAGES.get(str(error.get("ctx", {}).get("pattern")), message)
            message = f"{error['input']!r} is not a valid code: {message}"
        errors.append(RegisterError(file, lines.line_of(loc), format_path(loc), message))
    errors.sort(key=lambda e: e.line or 0)
    first = errors[0]
    return RegisterError(first.file, first.line, first.key, first.message, tuple(errors[1:]))
