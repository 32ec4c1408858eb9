"""Landing: one complete export from the inbox into the archive, unchanged and owner-only.

A landed export is pending (`pipelines.pending`) until it has a final outcome; a run configured
with `pending` retries one. An inbox item that must not be landed (a symbolic link, a device) is
refused with X001 and moved aside into the inbox's `.refused/` folder, where nothing reads it.
"""

import datetime as dt
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines import drill, export_archive, pending
from pipelines.handoffs import ExportToLoad, refusal_line
from pipelines.inbox import complete_items
from pipelines.lock import writer_lock
from pipelines.registers import resolve_register
from pipelines.resources import LOCK_WAIT_S, BbicSettings, data_dir, database_path
from pipelines.store import Attempt
from pipelines.store.attempts import log_attempt_safely
from pipelines.store.load_log import read_history

if TYPE_CHECKING:
    from bbic_core.validation.manifest import Manifest

REFUSED_DIR = ".refused"


class LandingConfig(dg.Config):
    """Which export a run loads. Empty: the oldest complete export waiting in the inbox."""

    item: str = ""  # the inbox item's name (the sensor and the schedule set it)
    export_id: str = ""  # an export already in the archive (a re-delivery, or an operator's re-load)
    pending: str = ""  # the archive folder of a landed export not yet loaded (a retry)
    archived: str = ""  # an archive folder to load again as it is (`bbic rebuild`)
    force: bool = False  # load even when older than the current export (X009) or already loaded


def _plain_name(name: str) -> bool:
    return bool(name) and "/" not in name and name not in (".", "..") and "\0" not in name


def _move_aside(item: Path) -> Path | None:
    """Moves a refused item out of the way (the link itself, never its target); None if it cannot."""
    folder = item.parent / REFUSED_DIR
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
        dest = folder / f"{item.name}.{stamp}.{uuid.uuid4().hex[:6]}"
        os.rename(item, dest)
    except OSError:
        return None
    return dest


def _refuse_unsafe(item: Path, reason: str, duckdb: DuckDBResource, run_id: str) -> dg.Failure:
    moved = _move_aside(item)
    where = f"moved to {REFUSED_DIR}/" if moved is not None else "left in the inbox (it cannot be moved)"
    message = f"not landed: {reason}; nothing of it was archived, it was {where}"
    now = dt.datetime.now(dt.UTC)
    log_attempt_safely(
        database_path(duckdb),
        Attempt("refused", now, now, source=item.name, refusal_code="X001", refusal_message=message,
                run_id=run_id),
    )
    return dg.Failure(description=refusal_line(item.name, None, "X001", message, None, None),
                      metadata={"code": "X001"})


def _pick(
    config: LandingConfig, bbic: BbicSettings, duckdb: DuckDBResource, context: dg.AssetExecutionContext
) -> export_archive.Landed | None:
    inbox, log = bbic.inbox_path, context.log
    if config.archived:
        folder = bbic.archive_path / config.archived
        landed = folder / export_archive.LANDED
        if not _plain_name(config.archived) or folder.is_symlink() or not landed.is_file():
            raise dg.Failure(description=f"{config.archived!r} is not an export folder of the archive")
        return export_archive.landed_at(folder)
    if config.pending:
        folder = pending.find(bbic.archive_path, config.pending)
        if folder is None:
            log.info(f"{config.pending} is no longer pending (loaded or refused meanwhile)")
            return None
        pending.note_attempt(folder)
        return export_archive.landed_at(folder)
    if config.item:
        if not _plain_name(config.item):
            raise dg.Failure(description=f"{config.item!r} is not the name of an inbox item")
        item = inbox / config.item
        if item.exists() or item.is_symlink():
            return _land(item, bbic, duckdb, context, config.force)
        log.info(f"{config.item} is no longer in the inbox")
    if config.export_id:
        found = export_archive.find_archived(bbic.archive_path, config.export_id)
        if found is not None:
            log.info(f"re-loading {config.export_id} from the archive")
            return found
        log.warning(f"{config.export_id} is neither in the inbox nor in the archive")
        return None
    if config.item:
        return None
    waiting = complete_items(inbox, settle_seconds=bbic.settle_seconds, archive=bbic.archive_path)
    return _land(waiting[0].path, bbic, duckdb, context, config.force) if waiting else None


def _loaded_before(duckdb: DuckDBResource) -> Callable[["Manifest"], bool]:
    """Whether the load log holds a manifest's export as loaded with its checksums: validation's own
    rule (`pipelines.idempotency`), asked by landing only for an item that looks like a re-delivery."""

    def loaded(manifest: "Manifest") -> bool:
        from bbic_core.validation.validate import loaded_before

        return loaded_before(manifest, read_history(database_path(duckdb)))

    return loaded


def _land(
    item: Path, bbic: BbicSettings, duckdb: DuckDBResource, context: dg.AssetExecutionContext, force: bool
) -> export_archive.Landed:
    # A forced run loads the export again whatever the load log says: its files are read as always.
    loaded = None if force else _loaded_before(duckdb)
    try:
        return export_archive.land(item, bbic.archive_path, loaded=loaded)
    except export_archive.UnsafeItemError as exc:
        raise _refuse_unsafe(item, str(exc), duckdb, context.run.run_id) from None
    except OSError as exc:
        raise dg.Failure(
            description=f"{item.name} could not be landed in {bbic.archive_path}: "
            f"{exc.strerror or exc} (it stays in the inbox)"
        ) from None


@dg.asset(
    group_name="landing",
    output_required=False,
    kinds={"python"},
    description="The export this run loads, landed unchanged in the archive (dirs 0700, files 0600) with a "
    "SHA256SUMS file, and pending until it is loaded or refused. Nothing is produced (and the run ends) "
    "when there is no complete export, or no register has ever parsed: exports then wait in the inbox.",
)
def landed_export(
    context: dg.AssetExecutionContext,
    config: LandingConfig,
    bbic: BbicSettings,
    duckdb: DuckDBResource,
) -> Iterator[dg.Output[ExportToLoad]]:
    state = resolve_register(bbic.register_path, data_dir(duckdb))
    if not state.usable:
        context.log.warning(f"no register has parsed yet, exports wait in the inbox: {state.error}")
        return
    with writer_lock(data_dir(duckdb), wait_s=LOCK_WAIT_S):
        landed = _pick(config, bbic, duckdb, context)
        drill.point("landed")
    if landed is None:
        context.log.info("nothing to load")
        return
    verb = "already in the archive" if landed.already_archived else "landed"
    if landed.recognised:
        verb += " (a loaded export delivered again, known by its manifest, sizes and times)"
    context.log.info(f"{landed.source}: {verb} as {landed.archive_dir.name}")
    yield dg.Output(
        ExportToLoad(landed, force=config.force),
        metadata={
            "export_id": landed.export_id or "",
            "archive_dir": dg.MetadataValue.path(str(landed.archive_dir)),
            "files": len(landed.checksums),
            "already_archived": landed.already_archived,
            "recognised_unread": landed.recognised,
            "force": config.force,
        },
    )
