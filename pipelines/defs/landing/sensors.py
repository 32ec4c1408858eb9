"""The inbox sensor: one run per new complete export (run key = export id); half-written ones wait."""

import time

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines import pending
from pipelines.inbox import is_kept, scan
from pipelines.registers import resolve_register
from pipelines.resources import BbicSettings, data_dir

LOAD_JOB = "bbic_load"


RETRY_AFTER_S = 900  # a pending export is retried by the sensor this long after its last attempt


def load_run_request(run_key: str, item: str, export_id: str | None, trigger: str) -> dg.RunRequest:
    return dg.RunRequest(
        run_key=run_key,
        job_name=LOAD_JOB,
        run_config={"ops": {"landed_export": {"config": {"item": item, "export_id": export_id or ""}}}},
        tags={"bbic/export_id": export_id or "", "bbic/inbox_item": item, "bbic/trigger": trigger},
    )


def retry_run_request(run_key: str, export: pending.PendingExport, trigger: str) -> dg.RunRequest:
    """A run that retries a landed export not yet loaded (`pipelines.pending`)."""
    return dg.RunRequest(
        run_key=run_key,
        job_name=LOAD_JOB,
        run_config={"ops": {"landed_export": {"config": {"pending": export.name}}}},
        tags={"bbic/export_id": export.export_id or "", "bbic/pending": export.name, "bbic/trigger": trigger},
    )


def retries(
    bbic: BbicSettings, *, now: float | None = None, min_age_s: float = 0
) -> list[pending.PendingExport]:
    """Pending exports to retry (not the held ones: those wait for an operator's forced run)."""
    clock = time.time() if now is None else now
    return [
        p
        for p in pending.pending_exports(bbic.archive_path)
        if not p.held and clock - p.updated >= min_age_s
    ]


IN_FLIGHT = [
    dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
]


def _runs_in_flight(context: dg.SensorEvaluationContext) -> bool:
    runs = context.instance.get_runs(filters=dg.RunsFilter(job_name=LOAD_JOB, statuses=IN_FLIGHT), limit=1)
    return bool(runs)


def items_requested(context: dg.SensorEvaluationContext | dg.ScheduleEvaluationContext) -> set[str]:
    """Inbox items that a queued or running load run will land. The sensor and the nightly schedule
    both ask for new exports; without this, the one that looks second would start another run of the
    same export, which would only load it again to skip it."""
    try:
        instance = context.instance
    except dg.DagsterInvariantViolationError:  # evaluated without an instance (a unit test of the requests)
        return set()
    runs = instance.get_runs(filters=dg.RunsFilter(job_name=LOAD_JOB, statuses=IN_FLIGHT))
    return {item for run in runs if (item := run.tags.get("bbic/inbox_item"))}


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
    ready = [i for i in items if i.complete and not is_kept(bbic.archive_path, i)]
    asked: list[str] = []
    if ready:
        requested = items_requested(context)
        asked = [i.name for i in ready if i.name in requested]
        ready = [i for i in ready if i.name not in requested]
    waiting = [i.name for i in items if not i.complete]
    # Each attempt counts in the marker, so a retry gets a new run key; the back-off keeps a lasting
    # fault (a wrong setting) from starting a run every minute.
    retry = [
        retry_run_request(f"pending:{p.name}:{p.attempts}", p, "sensor")
        for p in retries(bbic, min_age_s=RETRY_AFTER_S)
    ]
    if retry and _runs_in_flight(context):
        retry = []  # a load run is queued or running: it may still settle them; look again later
    if not ready and retry:
        return dg.SensorResult(run_requests=retry)
    if not ready:
        suffix = f"; still being written: {', '.join(waiting)}" if waiting else ""
        if asked:
            suffix += f"; a queued or running run will land: {', '.join(asked)}"
        return dg.SkipReason(f"no new complete export in {bbic.inbox_path}{suffix}")
    state = resolve_register(bbic.register_path, data_dir(duckdb))
    if not state.usable:
        return dg.SkipReason(f"no register has parsed, exports wait in the inbox: {state.error}")
    if waiting:
        context.log.info(f"still being written: {', '.join(waiting)}")
    return dg.SensorResult(
        run_requests=[*retry, *(load_run_request(i.run_key, i.name, i.export_id, "sensor") for i in ready)]
    )
