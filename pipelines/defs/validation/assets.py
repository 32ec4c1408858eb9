"""Validation: the same checks as `bbic validate`, into a staging DuckDB file beside the snapshot.

A refused export is written to the load log and ends the run with `dagster.Failure` whose
description is the one line naming the rule, the file and the line; an export already loaded
with the same checksums is acknowledged (logged as skipped) and ends the run without change.

Whatever else goes wrong, the export is not lost: a fault of the surroundings (a folder that
cannot be written, the file held by another process, the key or the municipality setting) leaves
it pending, with an `error` row in the load log, for the next run; anything the export itself
makes the reader raise refuses it with X001. An export whose row counts fall by more than
`BBIC_MAX_ROW_DROP_PERCENT` against the current snapshot is held until `--force`.
"""

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb as duckdb_lib
from dagster_duckdb import DuckDBResource

from pipelines import drill, pending
from pipelines.export_archive import Landed, export_checksums
from pipelines.handoffs import ExportToLoad, StagedExport, refusal_line
from pipelines.idempotency import already_loaded
from pipelines.lock import writer_lock
from pipelines.privacy import redact
from pipelines.registers import RegisterState, resolve_register
from pipelines.resources import LOCK_WAIT_S, POOL, BbicSettings, data_dir, database_path
from pipelines.store import Attempt
from pipelines.store.attempts import (
    SURROUNDINGS,
    NotLoadedError,
    cause_of,
    log_attempt,
    log_attempt_safely,
)
from pipelines.store.connect import connect
from pipelines.store.integrity import row_counts
from pipelines.store.load_log import LoadLogHistory, read_history
from pipelines.store.staging import (
    close_staging,
    read_only,
    remove_stale_staging,
    staging_config,
    staging_path_for,
)


def run_validation(
    path: Path,
    *,
    export: Any,
    register: Any,
    con: duckdb_lib.DuckDBPyConnection,
    pseudonymiser: Any,
    history: LoadLogHistory,
    settings: Any = None,
) -> Any:
    """`bbic_core.validation.validate_export` of the export at `path`, already opened as `export` (its
    manifest parsed once, for the "loaded before" decision and the checks alike); imported here, so the
    code location loads without it."""
    from bbic_core.validation.validate import validate_opened

    return validate_opened(export, register=register, con=con, pseudonymiser=pseudonymiser, history=history,
                           **({} if settings is None else {"settings": settings}))


def files_of(result: Any) -> dict[str, dict[str, Any]]:
    return {
        name: {"read": s.read, "loaded": s.loaded, "quarantined": s.quarantined, "rules": dict(s.rules)}
        for name, s in result.files.items()
    }


def _register(bbic: BbicSettings, duckdb: DuckDBResource, log: dg.DagsterLogManager) -> RegisterState:
    state = resolve_register(bbic.register_path, data_dir(duckdb))
    if not state.usable:
        raise NotLoadedError(f"no register has parsed: {state.error}")
    if state.source == "last_good":
        log.warning(f"the register does not parse, the last good one is used: {state.error}")
    code = state.register.municipality.code if state.register is not None else None
    if code != bbic.municipality:
        raise NotLoadedError(
            f"the register is for municipality {code}, but BBIC_MUNICIPALITY is "
            f"{bbic.municipality}: fix the configuration"
        )
    return state


def _check_key(database: Path, fingerprint: str, rekey: bool) -> None:
    """A key other than the snapshot's would silently change every pseudonym: refused unless re-keying."""
    if rekey or not database.exists():
        return
    from pipelines.store.swap import key_fingerprint

    con = connect(database, read_only=True)
    try:
        kept = key_fingerprint(con)
    finally:
        con.close()
    if kept is not None and kept != fingerprint:
        raise NotLoadedError(
            f"the pseudonym key (fingerprint {fingerprint}) is not the one the snapshot was made with "
            f"({kept}): configure that key again, or re-key on purpose with bbic run --rekey "
            "(every pseudonym changes)"
        )


def _row_drop(staging: Path, database: Path, max_drop_percent: int) -> str | None:
    """Why the staged export would replace the snapshot with far fewer rows, or None."""
    if max_drop_percent >= 100 or not database.exists():
        return None
    con = connect(database, read_only=True)
    try:
        from pipelines.store.load_log import current_snapshot

        if current_snapshot(con) is None:
            return None
        before = row_counts(con)
    finally:
        con.close()
    with read_only(staging) as con:
        after = row_counts(con, "clean_")
    drops = [
        f"{table} {before[table]} → {after.get(table, 0)}"
        for table in sorted(before)
        if before[table] - after.get(table, 0) > ROW_DROP_MIN_ROWS
        and (before[table] - after.get(table, 0)) * 100 > max_drop_percent * before[table]
    ]
    if not drops:
        return None
    return (
        f"row counts fall by more than {max_drop_percent} % against the current snapshot "
        f"({', '.join(drops)}): held; accept it with bbic run --force (BBIC_MAX_ROW_DROP_PERCENT)"
    )


ROW_DROP_MIN_ROWS = 10  # a drop of this many rows or fewer never holds an export (small tables vary)


def _refuse_unreadable(
    context: dg.AssetExecutionContext, duckdb: DuckDBResource, landed: Landed, started: dt.datetime,
    force: bool, exc: BaseException,
) -> dg.Failure:
    message = f"the export cannot be read: {cause_of(exc)}"
    unlogged = log_attempt_safely(
        database_path(duckdb),
        Attempt("refused", started, dt.datetime.now(dt.UTC), source=landed.source, export_id=landed.export_id,
                forced=force, refusal_code="X001", refusal_message=message, run_id=context.run.run_id),
    )
    line = redact(refusal_line(landed.source, landed.export_id, "X001", message, None, None))
    if unlogged is None:
        pending.settle(landed.archive_dir)
    else:  # not final until the load log says so: refused again by the next run
        pending.note_error(landed.archive_dir, unlogged)
        line += f" (not in the load log: {unlogged}; it stays pending)"
    context.log.error(line)
    return dg.Failure(description=line, metadata={"code": "X001"})


def _not_loaded(
    context: dg.AssetExecutionContext, duckdb: DuckDBResource, landed: Landed, started: dt.datetime,
    force: bool, exc: BaseException,
) -> dg.Failure:
    cause = cause_of(exc)
    pending.note_error(landed.archive_dir, cause)
    unlogged = log_attempt_safely(
        database_path(duckdb),
        Attempt("error", started, dt.datetime.now(dt.UTC), source=landed.source, export_id=landed.export_id,
                forced=force, refusal_message=cause, run_id=context.run.run_id),
    )
    name = landed.export_id or landed.source
    line = f"export {name} not loaded, it stays pending and the next run tries again: {cause}"
    if unlogged and unlogged != cause:
        line += f" (not in the load log: {unlogged})"
    context.log.error(line)
    return dg.Failure(description=line)


@dg.asset(
    group_name="validation",
    pool=POOL,
    output_required=False,
    kinds={"duckdb"},
    description="The export checked with every X and V rule (the same as `bbic validate`) into a "
    "staging DuckDB file: clean tables, quarantine and findings. Refused exports fail the run with one line.",
)
def validated_export(
    context: dg.AssetExecutionContext,
    landed_export: ExportToLoad,
    bbic: BbicSettings,
    duckdb: DuckDBResource,
) -> Iterator[dg.Output[StagedExport]]:
    started = dt.datetime.now(dt.UTC)
    landed = landed_export.landed
    try:
        with writer_lock(data_dir(duckdb), wait_s=LOCK_WAIT_S):
            staged = _validate(context, landed_export, bbic, duckdb, started)
            drill.point("validated")
    except dg.Failure:
        raise  # a final outcome, already in the load log
    except SURROUNDINGS as exc:
        raise _not_loaded(context, duckdb, landed, started, landed_export.force, exc) from None
    except Exception as exc:
        raise _refuse_unreadable(context, duckdb, landed, started, landed_export.force, exc) from None
    if staged is not None:
        yield staged


def _validate(
    context: dg.AssetExecutionContext,
    landed_export: ExportToLoad,
    bbic: BbicSettings,
    duckdb: DuckDBResource,
    started: dt.datetime,
) -> dg.Output[StagedExport] | None:
    landed = landed_export.landed
    state = _register(bbic, duckdb, context.log)
    pseudonymiser = bbic.pseudonymiser()
    fingerprint = pseudonymiser.fingerprint()
    _check_key(database_path(duckdb), fingerprint, bbic.rekey)
    history = read_history(database_path(duckdb))
    if landed_export.force:
        history = history.forced(export_checksums(landed.export_path))
    from bbic_core.validation.reader import open_export

    # Opened once: its manifest serves the "loaded before" decision and every check after it.
    with open_export(landed.export_path) as export:
        return _validate_opened(context, landed_export, bbic, duckdb, started, export, state, history,
                                pseudonymiser)


def _validate_opened(
    context: dg.AssetExecutionContext,
    landed_export: ExportToLoad,
    bbic: BbicSettings,
    duckdb: DuckDBResource,
    started: dt.datetime,
    export: Any,
    state: RegisterState,
    history: LoadLogHistory,
    pseudonymiser: Any,
) -> dg.Output[StagedExport] | None:
    landed = landed_export.landed
    fingerprint = pseudonymiser.fingerprint()
    repeated = already_loaded(export, history)
    if repeated is not None:
        log_attempt(
            database_path(duckdb),
            Attempt(
                "skipped",
                started,
                dt.datetime.now(dt.UTC),
                source=landed.source,
                export_id=repeated,
                forced=landed_export.force,
                register_source=state.source,
                run_id=context.run.run_id,
            ),
        )
        pending.settle(landed.archive_dir)
        context.log.info(f"export {repeated} was loaded before with the same checksums: nothing changes")
        return None
    data = data_dir(duckdb)
    staging = staging_path_for(data, landed.export_id or landed.source, context.run.run_id)
    staging.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(staging.parent, 0o700)
    remove_stale_staging(staging.parent)
    staging.unlink(missing_ok=True)
    con = duckdb_lib.connect(str(staging), config=staging_config(staging))
    os.chmod(staging, 0o600)  # child data, whatever the umask (its folder is owner-only as well)
    try:
        result = run_validation(
            landed.export_path, export=export, register=state.register, con=con, pseudonymiser=pseudonymiser,
            history=history, settings=bbic.validation_settings(),
        )
    except BaseException:
        close_staging(con, staging)
        staging.unlink(missing_ok=True)
        raise
    close_staging(con, staging)
    files = files_of(result)
    base = dict(
        source=landed.source,
        export_id=result.export_id or landed.export_id,
        municipality=result.municipality,
        created_at=result.created_at,
        as_of=result.as_of,
        forced=landed_export.force,
        files=files,
        checksums=dict(result.checksums),
        skipped_checks=tuple(result.skipped),
        register_source=state.source,
        run_id=context.run.run_id,
    )
    if result.outcome != "accepted":
        staging.unlink(missing_ok=True)
    if result.outcome == "refused":
        refusal = result.refusal
        line = redact(
            refusal_line(
                landed.source, base["export_id"], refusal.code, refusal.message, refusal.file, refusal.line
            )
        )
        log_attempt(
            database_path(duckdb),
            Attempt(
                "refused",
                started,
                dt.datetime.now(dt.UTC),
                refusal_code=refusal.code,
                refusal_message=refusal.message,
                refusal_file=refusal.file,
                refusal_line=refusal.line,
                **base,
            ),
        )
        pending.settle(landed.archive_dir)
        context.log.error(line)
        raise dg.Failure(
            description=line,
            metadata={
                "code": refusal.code,
                "file": refusal.file or "",
                "line": refusal.line if refusal.line is not None else -1,
            },
        )
    if result.outcome == "skipped":
        log_attempt(database_path(duckdb), Attempt("skipped", started, dt.datetime.now(dt.UTC), **base))
        pending.settle(landed.archive_dir)
        context.log.info(
            f"export {base['export_id']} was loaded before with the same checksums: nothing changes"
        )
        return None
    held = None
    if not landed_export.force:
        held = _row_drop(staging, database_path(duckdb), bbic.max_row_drop_percent)
    if held is not None:
        staging.unlink(missing_ok=True)
        log_attempt(
            database_path(duckdb),
            Attempt("held", started, dt.datetime.now(dt.UTC), refusal_message=held, **base),
        )
        pending.hold(landed.archive_dir, held)
        line = f"export {base['export_id']} {held}"
        context.log.error(line)
        raise dg.Failure(description=line, metadata={"held": True})
    for skipped in result.skipped:
        context.log.warning(f"check not made: {skipped}")
    return dg.Output(
        StagedExport(
            export_id=result.export_id,
            municipality=result.municipality,
            created_at=result.created_at,
            as_of=result.as_of,
            staging_path=staging,
            source=landed.source,
            archive_dir=landed.archive_dir,
            force=landed_export.force,
            started_at=started,
            files=files,
            checksums=dict(result.checksums),
            skipped_checks=tuple(result.skipped),
            register_source=state.source,
            warnings=int(getattr(result, "warnings", 0)),
            key_fingerprint=fingerprint,
            was_pending=pending.is_pending(landed.archive_dir),
        ),
        metadata={
            "export_id": result.export_id,
            "as_of": result.as_of.isoformat(),
            "rows_read": sum(f["read"] for f in files.values()),
            "rows_loaded": sum(f["loaded"] for f in files.values()),
            "rows_quarantined": sum(f["quarantined"] for f in files.values()),
            "files": dg.MetadataValue.json(files),
        },
    )
