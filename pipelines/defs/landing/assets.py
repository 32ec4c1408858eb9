"""Landing: one complete export from the inbox into the archive, unchanged and owner-only."""

from collections.abc import Iterator

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines import archive
from pipelines.inbox import complete_items
from pipelines.model import ExportToLoad
from pipelines.registers import resolve_register
from pipelines.resources import BbicSettings, data_dir


class LandingConfig(dg.Config):
    """Which export a run loads. Empty: the oldest complete export waiting in the inbox."""

    item: str = ""  # the inbox item's name (the sensor and the schedule set it)
    export_id: str = ""  # an export already in the archive (a re-delivery, or an operator's re-load)
    force: bool = False  # load even when older than the current export (X009) or already loaded


def _pick(config: LandingConfig, bbic: BbicSettings, log: dg.DagsterLogManager) -> archive.Landed | None:
    inbox = bbic.inbox_path
    if config.item:
        item = inbox / config.item
        if item.exists():
            return archive.land(item, bbic.archive_path)
        log.info(f"{config.item} is no longer in the inbox")
    if config.export_id:
        found = archive.find_archived(bbic.archive_path, config.export_id)
        if found is not None:
            log.info(f"re-loading {config.export_id} from the archive")
            return found
        log.warning(f"{config.export_id} is neither in the inbox nor in the archive")
        return None
    if config.item:
        return None
    waiting = complete_items(inbox, settle_seconds=bbic.settle_seconds)
    return archive.land(waiting[0].path, bbic.archive_path) if waiting else None


@dg.asset(
    group_name="landing",
    output_required=False,
    kinds={"python"},
    description="The export this run loads, landed unchanged in the archive (dirs 0700, files 0600) with a "
    "SHA256SUMS file. Nothing is produced (and the run ends) when there is no complete export, or "
    "no register has ever parsed: exports then wait in the inbox.",
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
    landed = _pick(config, bbic, context.log)
    if landed is None:
        context.log.info("nothing to load")
        return
    verb = "already in the archive" if landed.already_archived else "landed"
    context.log.info(f"{landed.source}: {verb} as {landed.archive_dir.name}")
    yield dg.Output(
        ExportToLoad(landed, force=config.force),
        metadata={
            "export_id": landed.export_id or "",
            "archive_dir": dg.MetadataValue.path(str(landed.archive_dir)),
            "files": len(landed.checksums),
            "already_archived": landed.already_archived,
            "force": config.force,
        },
    )
