"""Snapshot: the staged export becomes the current one: the completed staging file replaces the main file."""

import datetime as dt

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines import export_archive, pending
from pipelines.handoffs import SnapshotInfo, StagedExport, attempt_for, refusal_line
from pipelines.lock import writer_lock
from pipelines.resources import LOCK_WAIT_S, POOL, BbicSettings, data_dir, database_path
from pipelines.store import SnapshotMeta, StaleExportError
from pipelines.store.attempts import cause_of, log_attempt, log_attempt_safely
from pipelines.store.integrity import row_counts
from pipelines.store.staging import read_only
from pipelines.store.swap import publish_staged


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
    with writer_lock(data_dir(duckdb), wait_s=LOCK_WAIT_S):
        _swap(context, staged, duckdb)
    with read_only(database_path(duckdb)) as con:
        rows = row_counts(con)  # of the new main file (the connection above held the old one)
    try:
        removed = export_archive.prune(
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


def _swap(context: dg.AssetExecutionContext, staged: StagedExport, duckdb: DuckDBResource) -> None:
    """The swap; a final outcome settles the pending export, any other failure leaves it pending."""
    now = dt.datetime.now(dt.UTC)
    meta = SnapshotMeta(
        staged.export_id, staged.municipality, staged.created_at, staged.as_of, now, staged.key_fingerprint
    )
    main = database_path(duckdb)
    main.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if staged.was_pending and not pending.is_pending(staged.archive_dir):
        # Another process (`bbic run` between this run's steps) loaded or refused it meanwhile: swapping
        # now would only log a false X009.
        staged.staging_path.unlink(missing_ok=True)
        raise dg.Failure(description=f"export {staged.export_id} was settled by another run meanwhile: "
                         "nothing to do")
    try:
        publish_staged(
            main, staged.staging_path, meta, attempt_for(staged, "accepted", now, context.run.run_id),
            force=staged.force,
        )
    except StaleExportError as exc:
        line = refusal_line(
            staged.source, staged.export_id, "X009", str(exc).removeprefix("X009: "), None, None
        )
        log_attempt(
            database_path(duckdb),
            attempt_for(
                staged,
                "refused",
                dt.datetime.now(dt.UTC),
                context.run.run_id,
                refusal_code="X009",
                refusal_message=str(exc),
            ),
        )
        pending.settle(staged.archive_dir)
        staged.staging_path.unlink(missing_ok=True)
        context.log.error(line)
        raise dg.Failure(description=line, metadata={"code": "X009"}) from None
    except Exception as exc:
        cause = cause_of(exc)
        pending.note_error(staged.archive_dir, cause)
        log_attempt_safely(
            database_path(duckdb),
            attempt_for(staged, "error", dt.datetime.now(dt.UTC), context.run.run_id, refusal_message=cause),
        )
        staged.staging_path.unlink(missing_ok=True)
        line = f"export {staged.export_id} not loaded, it stays pending and the next run tries again: {cause}"
        context.log.error(line)
        raise dg.Failure(description=line) from None
    pending.settle(staged.archive_dir)
