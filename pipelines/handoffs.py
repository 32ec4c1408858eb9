"""What the pipeline's assets hand each other (small, picklable values; no personal data)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipelines.export_archive import Landed
from pipelines.store.load_log import Attempt


@dataclass(frozen=True)
class ExportToLoad:
    """The landing stage's output: an archived export and how the operator wants it loaded."""

    landed: Landed
    force: bool = False


@dataclass(frozen=True)
class StagedExport:
    """An accepted export, validated into its staging file, waiting for the swap."""

    export_id: str
    municipality: str
    created_at: dt.datetime
    as_of: dt.date
    staging_path: Path
    source: str
    archive_dir: Path
    force: bool
    started_at: dt.datetime
    files: Mapping[str, Mapping[str, Any]]  # file -> {read, loaded, quarantined, rules}
    checksums: Mapping[str, str]
    skipped_checks: tuple[str, ...] = ()
    register_source: str | None = None
    warnings: int = 0
    key_fingerprint: str | None = None
    was_pending: bool = False  # pending when validated: if it no longer is at the swap, another run loaded it


def attempt_for(
    staged: StagedExport, outcome: str, finished: dt.datetime, run_id: str | None = None, **refusal: Any
) -> Attempt:
    """The load-log row of a staged export's attempt (its swap, or a blocking check that stopped it)."""
    return Attempt(
        outcome,
        staged.started_at,
        finished,
        source=staged.source,
        export_id=staged.export_id,
        municipality=staged.municipality,
        created_at=staged.created_at,
        as_of=staged.as_of,
        forced=staged.force,
        files=staged.files,
        checksums=staged.checksums,
        skipped_checks=staged.skipped_checks,
        register_source=staged.register_source,
        run_id=run_id,
        **refusal,
    )


@dataclass(frozen=True)
class SnapshotInfo:
    """The export that became current, and the rows of each snapshot table."""

    export_id: str
    municipality: str
    created_at: dt.datetime
    as_of: dt.date
    rows: Mapping[str, int] = field(default_factory=dict)
    files: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


def refusal_line(
    source: str, export_id: str | None, code: str, message: str, file: str | None, line: int | None
) -> str:
    """The one line that tells the operator what is wrong: the export, the rule, the file and the line."""
    where = file or "the export"
    if line is not None:
        where = f"{where} line {line}"
    name = export_id or source
    return f"export {name} refused: {code} in {where}: {message}".replace("\n", " ").replace("\r", " ")
