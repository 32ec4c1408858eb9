"""`validate_export`: every export-level (X) check and every row rule (V) of the Paraply contract.

Order (paraply-export.md): X001, X007, X010, X009, X002, X003, X006, X005, X004, then the rows,
then X008. The first fault is the refusal code; its message lists the others found. An export
id already loaded with the same checksums is acknowledged and skipped, not refused.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from bbic_core import contract
from bbic_core.pseudonym import Pseudonymiser
from bbic_core.validation.manifest import MANIFEST_NAME, Manifest
from bbic_core.validation.reader import ExportHandle, RawFile, open_export
from bbic_core.validation.refusal import Refusal, show, sort_refusals
from bbic_core.validation.result import (
    FileStats,
    LoadHistory,
    RefusalInfo,
    RegisterView,
    ValidationResult,
    ValidationSettings,
)
from bbic_core.validation.rows import FileCounts, RowContext, outputs, validate_rows

SKIPPED_X007 = "X007"
SKIPPED_STADSDEL = "V003 stadsdel"
SKIPPED_X010 = "X010"
SKIPPED_X009 = "X009"


def validate_export(path: Path, *, register: RegisterView | None, con: duckdb.DuckDBPyConnection,
                    pseudonymiser: Pseudonymiser, history: LoadHistory | None = None,
                    settings: ValidationSettings = ValidationSettings(),  # noqa: B008
                    now: dt.datetime | None = None) -> ValidationResult:
    """Checks the export at `path` (folder or .zip) and leaves the result tables in `con`.

    After an accepted export `con` holds `clean_<table>`, `quarantine` and `findings`; after a
    refused one only `quarantine` and `findings` (empty unless the rows were judged, for X008).
    `now` (default: the clock) is what a `created_at` in the future is judged against.

    Whatever the export holds, the outcome is a result (a refusal with its code for an export that
    cannot be read); only a `path` that does not exist raises (`FileNotFoundError`).
    """
    with open_export(path) as export:
        return validate_opened(export, register=register, con=con, pseudonymiser=pseudonymiser,
                               history=history, settings=settings, now=now)


def validate_opened(export: ExportHandle, *, register: RegisterView | None, con: duckdb.DuckDBPyConnection,
                    pseudonymiser: Pseudonymiser, history: LoadHistory | None = None,
                    settings: ValidationSettings = ValidationSettings(),  # noqa: B008
                    now: dt.datetime | None = None) -> ValidationResult:
    """`validate_export` of an export its caller has opened (`reader.open_export`), so a caller that
    looks at the manifest first (the pipeline's "loaded before" decision) parses it only once. The
    caller closes it."""
    skipped = _skipped(register, history)
    outputs.drop_clean(con)
    outputs.create_empty(con)
    manifest = export.manifest
    if manifest is None:
        return _result(None, "refused", export.refusals, skipped=skipped)
    future = _future(manifest, now or dt.datetime.now(dt.UTC), settings)
    x007 = _x007(manifest, register)
    # Checked where X010 is: a replay of a loaded export is acknowledged before X009 could object.
    if (not future and not x007 and not export.refusals and history is not None
            and loaded_before(manifest, history)):
        return _result(manifest, "skipped", [], skipped=skipped, checksums=_declared(manifest))
    refusals = sort_refusals([*future, *x007, *_history_faults(manifest, history), *export.check()])
    checksums = export.checksums
    if refusals:
        return _result(manifest, "refused", refusals, skipped=skipped, checksums=checksums)
    ctx = RowContext(as_of=manifest.as_of,
                     districts=None if register is None else frozenset(register.district_codes()))
    # `map` keeps no reference to a part once it is handed on (a generator expression would keep
    # the last one alive while the next is read). Large files come in parts, to bound the memory.
    counts = validate_rows(con, map(_named, export.iter_parts()), ctx=ctx, pseudonymiser=pseudonymiser)
    refusals = _x008(counts, settings)
    if refusals:
        outputs.drop_clean(con)  # nothing of a refused export may be loaded
    warnings = _warnings(con)
    return _result(manifest, "refused" if refusals else "accepted", refusals, skipped=skipped,
                   checksums=checksums, counts=counts, warnings=warnings)


def _named(raw: RawFile) -> tuple[str, RawFile]:
    return raw.name, raw


def _skipped(register: RegisterView | None, history: LoadHistory | None) -> list[str]:
    out: list[str] = []
    if register is None:
        out += [SKIPPED_X007, SKIPPED_STADSDEL]
    if history is None:
        out += [SKIPPED_X010, SKIPPED_X009]
    return out


def _declared(manifest: Manifest) -> dict[str, str]:
    return {f.name: f.sha256 for f in manifest.files}


def _contract_only(checksums: dict[str, str]) -> dict[str, str]:
    """X010 compares the eight contract files: listed extra files are ignored by the contract."""
    return {name: sha.lower() for name, sha in checksums.items() if name in contract.BY_NAME}


def loaded_before(manifest: Manifest, history: LoadHistory) -> bool:
    """The idempotency rule: `manifest`'s export id was loaded before with the same checksums of the
    contract files ("not a fault: it is acknowledged and skipped"). The one definition: the pipeline
    applies it before validation as well (`pipelines/idempotency.py`)."""
    before = history.checksums_for(manifest.export_id)
    return before is not None and _contract_only(before) == _contract_only(_declared(manifest))


def _future(manifest: Manifest, now: dt.datetime, settings: ValidationSettings) -> list[Refusal]:
    """X001 for a `created_at` later than now by more than the clock tolerance: loaded, such an export
    would make every later real export look replayed out of order (X009)."""
    tolerance = dt.timedelta(minutes=settings.clock_tolerance_minutes)
    if manifest.created_at <= now + tolerance:
        return []
    message = (f"{MANIFEST_NAME}: created_at {manifest.created_at.isoformat()} is in the future (now "
               f"{now.astimezone(dt.UTC).isoformat(timespec='seconds')}, tolerance "
               f"{settings.clock_tolerance_minutes} minutes): Paraply's clock or the export is wrong")
    return [Refusal("X001", message, MANIFEST_NAME)]


def _x007(manifest: Manifest, register: RegisterView | None) -> list[Refusal]:
    if register is None or manifest.municipality == register.municipality.code:
        return []
    return [Refusal("X007", f"municipality {manifest.municipality} is not the register's "
                            f"{register.municipality.code}", "manifest.json")]


def _history_faults(manifest: Manifest, history: LoadHistory | None) -> list[Refusal]:
    """X010 and X009: the checks that need the load history."""
    faults: list[Refusal] = []
    if history is not None:
        before = history.checksums_for(manifest.export_id)
        if before is not None and _contract_only(before) != _contract_only(_declared(manifest)):
            differing = sorted(n for n in contract.BY_NAME
                               if _contract_only(before).get(n) != _contract_only(_declared(manifest)).get(n))
            message = (f"export_id {show(manifest.export_id)} was loaded before with other checksums "
                       f"({', '.join(differing)})")
            faults.append(Refusal("X010", message, "manifest.json"))
        current = history.current_created_at()
        if current is not None and manifest.created_at <= current:
            faults.append(Refusal("X009", f"created_at {manifest.created_at.isoformat()} is not later than "
                                          f"the current export's {current.isoformat()}", "manifest.json"))
    return faults


def _x008(counts: dict[str, FileCounts], settings: ValidationSettings) -> list[Refusal]:
    """X008: own-fault rows above both thresholds in some file; a systematic fault, not bad rows."""
    faults: list[Refusal] = []
    for name, c in counts.items():
        if c.own_errors > settings.x008_share * c.read and c.own_errors > settings.x008_min_rows:
            limits = f"more than {settings.x008_share:.0%} and more than {settings.x008_min_rows} rows"
            message = f"{name}: {c.own_errors} of {c.read} rows break an error rule themselves ({limits})"
            faults.append(Refusal("X008", message, name))
    return faults


def _warnings(con: duckdb.DuckDBPyConnection) -> int:
    (row,) = con.execute(f"SELECT count(*) FROM {outputs.FINDINGS} WHERE severity = 'W'").fetchall()
    return int(row[0])


def _refusal_info(refusals: list[Refusal]) -> RefusalInfo | None:
    if not refusals:
        return None
    first, others = refusals[0], refusals[1:]
    message = first.message
    if others:
        message += "; also: " + "; ".join(f"{r.code} {r.message}" for r in others)
    return RefusalInfo(code=first.code, message=message, file=first.file, line=first.line)


def _result(manifest: Manifest | None, outcome: str, refusals: list[Refusal], *, skipped: list[str],
            checksums: dict[str, str] | None = None, counts: dict[str, FileCounts] | None = None,
            warnings: int = 0) -> ValidationResult:
    files = {
        name: FileStats(read=c.read, loaded=c.loaded, quarantined=c.quarantined, rules=dict(c.rules))
        for name, c in (counts or {}).items()
    }
    return ValidationResult.model_validate({
        "export_id": None if manifest is None else manifest.export_id,
        "municipality": None if manifest is None else manifest.municipality,
        "created_at": None if manifest is None else manifest.created_at,
        "as_of": None if manifest is None else manifest.as_of,
        "outcome": outcome,
        "refusal": _refusal_info(refusals),
        "files": files,
        "skipped": skipped,
        "checksums": checksums or {},
        "warnings": warnings,
    })
