"""Snapshot: the staged export becomes the current one: the completed staging file replaces the main file."""

import datetime as dt

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines import archive
from pipelines.defs.validation.assets import STAGING_MEMORY_LIMIT, log_attempt, read_only
from pipelines.model import SnapshotInfo, StagedExport, attempt_for, refusal_line
from pipelines.resources import POOL, BbicSettings, database_path
from pipelines.store import SnapshotMeta, StaleExportError, publish_snapshot
from pipelines.store.integrity import row_counts


@dg.asset(
    group_name="snapshot",
    pool=POOL,
    kinds={"duckdb"},
    description="The current snapshot: the contract's tables, snapshot_meta, and this export's "
    "quarantine and findings with the load-log row, completed in the checked staging file, which then "
    "replaces the main file by one rename (readers see the old or the new export, never a mix). Prunes "
    "the archive afterwards.",
)
def snapshot(
    context: dg.AssetExecutionContext,
    validated_export: StagedExport,
    bbic: BbicSettings,
    duckdb: DuckDBResource,
) -> dg.Output[SnapshotInfo]:
    staged = validated_export
    now = dt.datetime.now(dt.UTC)
    meta = SnapshotMeta(staged.export_id, staged.municipality, staged.created_at, staged.as_of, now)
    database_path(duckdb).parent.mkdir(parents=True, exist_ok=True)
    try:
        with duckdb.get_connection() as con:
            try:
                # The history copied into the staging file streams: DuckDB need not cache the files.
                con.execute(f"SET memory_limit = '{STAGING_MEMORY_LIMIT}'")
                publish_snapshot(
                    con,
                    staged.staging_path,
                    meta,
                    attempt_for(staged, "accepted", now, context.run.run_id),
                    force=staged.force,
                )
            finally:
                con.close()
    except StaleExportError as exc:
        line = refusal_line(
            staged.source, staged.export_id, "X009", str(exc).removeprefix("X009: "), None, None
        )
        log_attempt(
            duckdb,
            attempt_for(
                staged,
                "refused",
                dt.datetime.now(dt.UTC),
                context.run.run_id,
                refusal_code="X009",
                refusal_message=str(exc),
            ),
        )
        context.log.error(line)
        raise dg.Failure(description=line, metadata={"code": "X009"}) from None
    with read_only(database_path(duckdb)) as con:
        rows = row_counts(con)  # of the new main file (the connection above held the old one)
    try:
        removed = archive.prune(
            bbic.archive_path, keep_days=bbic.archive_keep_days, keep_ids=[staged.export_id]
        )
    except OSError as exc:
        # The export is current already: a failed clean-up of old exports must not fail its load (a rerun
        # of this step would then be refused as X009). The next night prunes again.
        context.log.warning(f"archive: old exports not pruned ({type(exc).__name__}: {exc})")
        removed = []
    if removed:
        context.log.info(f"archive: pruned {len(removed)} export(s) older than {bbic.archive_keep_days} days")
    quarantined = sum(int(f["quarantined"]) for f in staged.files.values())
    context.log.info(
        f"export {staged.export_id} (as of {staged.as_of}) is current; {quarantined} row(s) quarantined"
    )
    return dg.Output(
        SnapshotInfo(
            staged.export_id, staged.municipality, staged.created_at, staged.as_of, rows, staged.files
        ),
        metadata={
            "export_id": staged.export_id,
            "as_of": staged.as_of.isoformat(),
            "rows": dg.MetadataValue.json(rows),
            "rows_quarantined": quarantined,
        },
    )
