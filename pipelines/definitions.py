"""The code location: `dagster dev -w workspace.yaml` (and `dagster definitions validate`) load `defs`."""

from __future__ import annotations

import dagster as dg

from pipelines.defs.landing.assets import landed_export
from pipelines.defs.landing.sensors import LOAD_JOB, inbox_sensor
from pipelines.defs.marts import checks as marts_checks
from pipelines.defs.marts.assets import figures
from pipelines.defs.reports import checks as report_checks
from pipelines.defs.reports.assets import reports
from pipelines.defs.schedules import nightly_schedule
from pipelines.defs.snapshot import checks as snapshot_checks
from pipelines.defs.snapshot.assets import snapshot
from pipelines.defs.validation import checks as validation_checks
from pipelines.defs.validation.assets import validated_export
from pipelines.resources import resources_from_env

ASSETS = [landed_export, validated_export, snapshot, figures, reports]
ASSET_CHECKS = [
    validation_checks.staged_accounting,
    validation_checks.staged_referential_integrity,
    validation_checks.staged_error_share,
    validation_checks.staged_warnings,
    snapshot_checks.snapshot_accounting,
    marts_checks.figures_anomalies,
    report_checks.reports_complete,
    report_checks.reports_hold_no_personal_numbers,
]

bbic_load = dg.define_asset_job(
    LOAD_JOB,
    selection=dg.AssetSelection.all(),
    description="Land one export, validate it, swap it into the snapshot, refresh marts and reports.",
    tags={"bbic/writes": "duckdb"},
)


def build_definitions(resources: dict[str, object] | None = None) -> dg.Definitions:
    """The definitions with `resources` (default: from the environment, see `pipelines.resources`)."""
    return dg.Definitions(
        assets=ASSETS,
        asset_checks=ASSET_CHECKS,
        jobs=[bbic_load],
        sensors=[inbox_sensor],
        schedules=[nightly_schedule],
        resources=resources if resources is not None else resources_from_env(),
        # One process per run, as in `bbic run`: the steps follow one another anyway (one DuckDB
        # writer), and a process per step costs a Python start and Dagster's import each time
        # (about 5 s on a two-core server: a minute per nightly run, for a load of seconds).
        executor=dg.in_process_executor,
    )


defs = build_definitions()
