"""What the pipeline's assets hand each other (small, picklable values; no personal data)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipelines.archive import Landed


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
