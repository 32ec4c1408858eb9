"""The nightly job in-process, without a UI: what `bbic run` drives (one Dagster run per export).

Each export is its own `dagster.materialize` of the load stages (landing → validation with its
blocking checks → snapshot with its checks), oldest first, so that every export gets its own
load-log row, refusal line and table; marts and reports follow once at the end.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dagster as dg

from pipelines import pending
from pipelines.definitions import ASSET_CHECKS, ASSETS
from pipelines.handoffs import refusal_line
from pipelines.inbox import complete_items
from pipelines.lock import writer_lock
from pipelines.privacy import redact
from pipelines.store.connect import connect
from pipelines.store.load_log import attempts, current_snapshot

LOAD_STAGES = ("landed_export", "validated_export", "snapshot")
REPORT_STAGES = ("figures", "reports")
_QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


@dataclass
class ExportOutcome:
    """What happened to one inbox item."""

    item: str
    export_id: str | None
    outcome: str  # accepted | refused | skipped | blocked | held | pending | waiting | error
    line: str = ""  # the refusal line, or what went wrong
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    as_of: str | None = None


@dataclass
class RunSummary:
    exports: list[ExportOutcome] = field(default_factory=list)
    reports: Path | None = None
    reports_error: str | None = None

    @property
    def refused(self) -> bool:
        return any(e.outcome in ("refused", "blocked", "held") for e in self.exports)

    @property
    def failed(self) -> bool:
        return (
            any(e.outcome in ("error", "pending") for e in self.exports) or self.reports_error is not None
        )


def _materialize(
    resources: dict[str, Any], stages: tuple[str, ...], config: dict[str, Any] | None = None
) -> dg.ExecuteInProcessResult:
    run_config: dict[str, Any] = dict(_QUIET)
    if config is not None:
        run_config["ops"] = {"landed_export": {"config": config}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return dg.materialize(
            [*ASSETS, *ASSET_CHECKS],
            resources=resources,
            run_config=run_config,
            selection=dg.AssetSelection.assets(*stages),
            raise_on_error=False,
        )


def _failure_text(result: dg.ExecuteInProcessResult) -> str:
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data is not None:
            user = event.step_failure_data.user_failure_data
            if user is not None and user.description:
                return user.description
            return _root_cause(event.step_failure_data.error) or "step failed"
    return "run failed"


def _root_cause(error: Any) -> str:
    """The innermost cause of a step's error in one line ("PermissionError: … "), not Dagster's own
    "Error occurred while executing op" wrapper."""
    while error is not None and (error.cause is not None or error.context is not None):
        error = error.cause if error.cause is not None else error.context
    if error is None:
        return ""
    lines = [ln.strip() for ln in (error.message or "").strip().splitlines() if ln.strip()]
    text = lines[-1] if lines else (error.cls_name or "")
    return redact(text)[:400]


def _log_rows(database: Path, run_id: str) -> list[dict[str, Any]]:
    if not database.exists():
        return []
    try:
        con = connect(database, read_only=True)
    except Exception:
        return []  # the run's own failure line says why
    try:
        return attempts(con, run_id=run_id)
    finally:
        con.close()


def _archive_dir(result: dg.ExecuteInProcessResult) -> Path | None:
    """The archive folder this run landed or retried, when landing got that far."""
    try:
        landed = result.output_for_node("landed_export")
    except Exception:
        return None
    return Path(landed.landed.archive_dir)


def _outcome(name: str, export_id: str | None, result: dg.ExecuteInProcessResult, database: Path,
             archive_dir: Path | None) -> ExportOutcome:
    archive_dir = archive_dir or _archive_dir(result)
    still_pending = archive_dir is not None and pending.is_pending(archive_dir)
    rows = _log_rows(database, result.run_id)
    if not rows or rows[-1]["outcome"] == "error":
        if result.success and archive_dir is not None and not still_pending:
            return ExportOutcome(name, export_id, "skipped", "")  # settled meanwhile by another run
        if result.success:
            return ExportOutcome(name, export_id, "waiting", "no register has parsed: it waits")
        line = _failure_text(result)
        return ExportOutcome(name, export_id, "pending" if still_pending else "error", line)
    row = rows[-1]
    files = json.loads(row["files_json"] or "{}")
    as_of = None if row["as_of"] is None else row["as_of"].isoformat()
    line = ""
    if row["outcome"] == "refused":
        line = refusal_line(
            name,
            row["export_id"],
            row["refusal_code"],
            row["refusal_message"] or "",
            row["refusal_file"],
            row["refusal_line"],
        )
    elif row["outcome"] in ("blocked", "held"):
        line = f"{row['refusal_code'] or ''} {row['refusal_message'] or ''}".strip()
    return ExportOutcome(name, row["export_id"] or export_id, row["outcome"], line, files, as_of)


def _has_snapshot(database: Path) -> bool:
    if not database.exists():
        return False
    con = connect(database, read_only=True)
    try:
        return current_snapshot(con) is not None
    finally:
        con.close()


def _attempt(resources: dict[str, Any], config: dict[str, Any], name: str, export_id: str | None,
             archive_dir: Path | None) -> ExportOutcome:
    """One export's load run; whatever it raises is this export's outcome, never the others'."""
    database = Path(resources["duckdb"].database)
    try:
        result = _materialize(resources, LOAD_STAGES, config)
    except Exception as exc:
        from pipelines.store.attempts import cause_of

        still = archive_dir is not None and pending.is_pending(archive_dir)
        return ExportOutcome(name, export_id, "pending" if still else "error", cause_of(exc))
    return _outcome(name, export_id, result, database, archive_dir)


def run_nightly(
    resources: dict[str, Any],
    *,
    force: bool = False,
    reports: bool = True,
    progress: Callable[[str, int, int], None] | None = None,
) -> RunSummary:
    """Retries the pending exports, loads every complete export of the inbox (oldest first), then
    refreshes marts and reports. Raises `LockHeldError` when another run is writing."""
    bbic = resources["bbic"]
    database = Path(resources["duckdb"].database)
    with writer_lock(database.parent, wait_s=0):
        return _run(resources, bbic, database, force, reports, progress)


def _run(
    resources: dict[str, Any], bbic: Any, database: Path, force: bool, reports: bool,
    progress: Callable[[str, int, int], None] | None,
) -> RunSummary:
    waiting = pending.pending_exports(bbic.archive_path)
    items = complete_items(bbic.inbox_path, settle_seconds=bbic.settle_seconds, archive=bbic.archive_path)
    total = len(waiting) + len(items)
    summary = RunSummary()
    for n, export in enumerate(waiting):
        if export.held and not force:
            summary.exports.append(ExportOutcome(export.name, export.export_id, "held", export.held))
            continue
        if progress:
            progress(f"{export.export_id or export.name}: nytt försök", n, total)
        config = {"pending": export.name, "force": force}
        summary.exports.append(_attempt(resources, config, export.name, export.export_id, export.archive_dir))
    for n, item in enumerate(items, start=len(waiting)):
        if progress:
            progress(f"{item.name}: landa, validera, läsa in", n, total)
        config = {"item": item.name, "export_id": item.export_id or "", "force": force}
        summary.exports.append(_attempt(resources, config, item.name, item.export_id, None))
    if reports and _has_snapshot(database):
        if progress:
            progress("rapporter", total, total)
        try:
            result = _materialize(resources, REPORT_STAGES)
        except Exception as exc:
            from pipelines.store.attempts import cause_of

            summary.reports_error = cause_of(exc)
            return summary
        if result.success:
            summary.reports = result.output_for_node("reports")
        else:
            summary.reports_error = _failure_text(result)
    return summary


def archived_exports(archive_root: Path) -> list[Path]:
    """Every export folder of the archive, in the order they were landed (as the nights met them)."""
    from pipelines.export_archive import LANDED

    folders: list[tuple[str, str, Path]] = []
    for folder in archive_root.iterdir() if archive_root.is_dir() else []:
        if folder.name.startswith(".") or folder.is_symlink() or not (folder / LANDED).is_file():
            continue
        try:
            info = json.loads((folder / LANDED).read_text(encoding="utf-8"))
            landed = str(info.get("landed_at") or "")
        except (OSError, ValueError, AttributeError):
            landed = ""
        folders.append((landed, folder.name, folder))
    return [f for _, _, f in sorted(folders)]


def rebuild(
    resources: dict[str, Any],
    *,
    reports: bool = True,
    progress: Callable[[str, int, int], None] | None = None,
) -> tuple[RunSummary, Path | None]:
    """The snapshot made again from the archive: the DuckDB file (lost, or moved aside as it is) is
    rebuilt by loading every archived export again in the order they were landed, exactly as the
    nights did, so exports refused then are refused again (X009 judges as it did). Returns the
    summary and where the old file was put."""
    import datetime as dt
    import os

    bbic = resources["bbic"]
    database = Path(resources["duckdb"].database)
    database.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with writer_lock(database.parent, wait_s=0):
        moved: Path | None = None
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
        for path in (database, database.with_name(database.name + ".wal")):
            if path.exists():
                target = path.with_name(f"{path.name}.before-rebuild-{stamp}")
                os.replace(path, target)
                moved = moved or target
        folders = archived_exports(bbic.archive_path)
        summary = RunSummary()
        for n, folder in enumerate(folders):
            if progress:
                progress(f"{folder.name}: läses in igen", n, len(folders))
            config = {"archived": folder.name}
            outcome = _attempt(resources, config, folder.name, None, folder)
            if outcome.outcome in ("accepted", "skipped", "refused", "blocked"):
                pending.settle(folder)  # the rebuild gave it its final outcome again
            summary.exports.append(outcome)
        if reports and _has_snapshot(database):
            result = _materialize(resources, REPORT_STAGES)
            if result.success:
                summary.reports = result.output_for_node("reports")
            else:
                summary.reports_error = _failure_text(result)
        return summary, moved
