"""The nightly schedule: load whatever arrived (oldest first), then refresh the marts and reports."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.landing.sensors import (
    LOAD_JOB,
    items_requested,
    load_run_request,
    retries,
    retry_run_request,
)
from pipelines.defs.marts.assets import figures
from pipelines.defs.reports.assets import reports
from pipelines.inbox import is_kept, scan
from pipelines.registers import resolve_register
from pipelines.resources import BbicSettings, data_dir, database_path

NIGHTLY_CRON = "30 2 * * *"  # 02:30, after Paraply's nightly export
TIMEZONE = "Europe/Stockholm"


@dg.schedule(
    job_name=LOAD_JOB,
    cron_schedule=NIGHTLY_CRON,
    execution_timezone=TIMEZONE,
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Every night at 02:30 Stockholm time: one load run per complete export in the inbox (oldest "
    "first; each refreshes marts and reports), or, when none arrived, a refresh of marts and reports "
    "(a changed register shows in them the next morning).",
)
def nightly_schedule(
    context: dg.ScheduleEvaluationContext,
    bbic: BbicSettings,
    duckdb: DuckDBResource,
) -> list[dg.RunRequest] | dg.SkipReason:
    night = context.scheduled_execution_time.date().isoformat() if context.scheduled_execution_time else "now"
    requested = items_requested(context)
    ready = [
        i
        for i in scan(bbic.inbox_path, settle_seconds=bbic.settle_seconds)
        if i.complete and not is_kept(bbic.archive_path, i) and i.name not in requested
    ]
    state = resolve_register(bbic.register_path, data_dir(duckdb))
    if not state.usable:
        return dg.SkipReason(f"no register has parsed, exports wait in the inbox: {state.error}")
    retry = [retry_run_request(f"{night}:pending:{p.name}", p, "schedule") for p in retries(bbic)]
    if ready or retry:
        return [
            *retry,
            *(load_run_request(f"{night}:{i.run_key}", i.name, i.export_id, "schedule") for i in ready),
        ]
    if requested:
        return dg.SkipReason(f"load runs of {', '.join(sorted(requested))} are queued or running: "
                             "they refresh the marts and reports")
    if not database_path(duckdb).exists():
        return dg.SkipReason("nothing has been loaded yet: no reports to refresh")
    return [
        dg.RunRequest(
            run_key=f"{night}:refresh",
            job_name=LOAD_JOB,
            asset_selection=[figures.key, reports.key],
            tags={"bbic/trigger": "schedule"},
        )
    ]
