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
import duckdb

from pipelines.definitions import ASSET_CHECKS, ASSETS
from pipelines.inbox import InboxItem, complete_items
from pipelines.model import refusal_line
from pipelines.store.load_log import attempts, current_snapshot

LOAD_STAGES = ("landed_export", "validated_export", "snapshot")
REPORT_STAGES = ("figures", "reports")
_QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


@dataclass
class ExportOutcome:
    """What happened to one inbox item."""

    item: str
    export_id: str | None
    outcome: str  # accepted | refused | skipped | blocked | waiting | error
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
        return any(e.outcome in ("refused", "blocked") for e in self.exports)

    @property
    def failed(self) -> bool:
        return any(e.outcome == "error" for e in self.exports) or self.reports_error is not None


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
            error = event.step_failure_data.error
            return error.message.strip().splitlines()[-1] if error is not None else "step failed"
    return "run failed"


def _log_rows(database: Path, run_id: str) -> list[dict[str, Any]]:
    if not database.exists():
        return []
    con = duckdb.connect(str(database), read_only=True)
    try:
        return attempts(con, run_id=run_id)
    finally:
        con.close()


def _outcome(item: InboxItem, result: dg.ExecuteInProcessResult, database: Path) -> ExportOutcome:
    rows = _log_rows(database, result.run_id)
    if not rows:
        if result.success:
            return ExportOutcome(item.name, item.export_id, "waiting", "no register has parsed: it waits")
        return ExportOutcome(item.name, item.export_id, "error", _failure_text(result))
    row = rows[-1]
    files = json.loads(row["files_json"] or "{}")
    as_of = None if row["as_of"] is None else row["as_of"].isoformat()
    line = ""
    if row["outcome"] == "refused":
        line = refusal_line(
            item.name,
            row["export_id"],
            row["refusal_code"],
            row["refusal_message"] or "",
            row["refusal_file"],
            row["refusal_line"],
        )
    elif row["outcome"] in ("blocked", "error"):
        line = f"{row['refusal_code'] or ''} {row['refusal_message'] or ''}".strip()
    return ExportOutcome(item.name, row["export_id"], row["outcome"], line, files, as_of)


def _has_snapshot(database: Path) -> bool:
    if not database.exists():
        return False
    con = duckdb.connect(str(database), read_only=True)
    try:
        return current_snapshot(con) is not None
    finally:
        con.close()


def run_nightly(
    resources: dict[str, Any],
    *,
    force: bool = False,
    reports: bool = True,
    progress: Callable[[str, int, int], None] | None = None,
) -> RunSummary:
    """Loads every complete export of the inbox (oldest first), then refreshes marts and reports."""
    bbic = resources["bbic"]
    database = Path(resources["duckdb"].database)
    items = complete_items(bbic.inbox_path, settle_seconds=bbic.settle_seconds)
    summary = RunSummary()
    for n, item in enumerate(items):
        if progress:
            progress(f"{item.name}: landa, validera, läsa in", n, len(items))
        config = {"item": item.name, "export_id": item.export_id or "", "force": force}
        summary.exports.append(_outcome(item, _materialize(resources, LOAD_STAGES, config), database))
    if reports and _has_snapshot(database):
        if progress:
            progress("rapporter", len(items), len(items))
        result = _materialize(resources, REPORT_STAGES)
        if result.success:
            summary.reports = result.output_for_node("reports")
        else:
            summary.reports_error = _failure_text(result)
    return summary
