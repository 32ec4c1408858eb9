"""The inbox sensor: one run per new complete export (run key = export id); half-written ones wait."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.inbox import scan
from pipelines.registers import resolve_register
from pipelines.resources import BbicSettings, data_dir

LOAD_JOB = "bbic_load"


def load_run_request(run_key: str, item: str, export_id: str | None, trigger: str) -> dg.RunRequest:
    return dg.RunRequest(
        run_key=run_key,
        job_name=LOAD_JOB,
        run_config={"ops": {"landed_export": {"config": {"item": item, "export_id": export_id or ""}}}},
        tags={"bbic/export_id": export_id or "", "bbic/inbox_item": item, "bbic/trigger": trigger},
    )


@dg.sensor(
    job_name=LOAD_JOB,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="Watches BBIC_INBOX and starts a load run for each complete export (a folder with "
    "manifest.json, or a .zip, unchanged for BBIC_SETTLE_SECONDS), oldest first. Waits while no register "
    "parses.",
)
def inbox_sensor(
    context: dg.SensorEvaluationContext,
    bbic: BbicSettings,
    duckdb: DuckDBResource,
) -> dg.SensorResult | dg.SkipReason:
    items = scan(bbic.inbox_path, settle_seconds=bbic.settle_seconds)
    ready = [i for i in items if i.complete]
    waiting = [i.name for i in items if not i.complete]
    if not ready:
        suffix = f"; still being written: {', '.join(waiting)}" if waiting else ""
        return dg.SkipReason(f"no complete export in {bbic.inbox_path}{suffix}")
    state = resolve_register(bbic.register_path, data_dir(duckdb))
    if not state.usable:
        return dg.SkipReason(f"no register has parsed, exports wait in the inbox: {state.error}")
    if waiting:
        context.log.info(f"still being written: {', '.join(waiting)}")
    return dg.SensorResult(
        run_requests=[load_run_request(i.run_key, i.name, i.export_id, "sensor") for i in ready]
    )
