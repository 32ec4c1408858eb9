"""Blocking check on the published snapshot, before marts and reports are made from it.

References and keys are not proven a second time here: the snapshot's tables are the very tables
`staged_referential_integrity` checked, in the same file, renamed by the swap and not copied
(docs/decisions.md, "The swap renames the staging file"). What the swap itself could get wrong,
which export the file names and how many rows each table holds, is checked here.
"""


import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.snapshot.assets import snapshot
from pipelines.handoffs import SnapshotInfo
from pipelines.resources import POOL, database_path
from pipelines.store import integrity
from pipelines.store.load_log import current_snapshot
from pipelines.store.staging import read_only


@dg.asset_check(
    asset=snapshot,
    blocking=True,
    pool=POOL,
    description="snapshot_meta names this export, every table holds the loaded rows, and this export's "
    "quarantine holds the quarantined ones.",
)
def snapshot_accounting(snapshot: SnapshotInfo, duckdb: DuckDBResource) -> dg.AssetCheckResult:
    with read_only(database_path(duckdb)) as con:
        current = current_snapshot(con)
        faults = integrity.accounting_faults(
            snapshot.files,
            integrity.row_counts(con),
            integrity.quarantined_by_file(con, where="WHERE export_id = ?", params=[snapshot.export_id]),
        )
        metas = con.execute("SELECT count(*) FROM snapshot_meta").fetchone()
    if current is None or current.export_id != snapshot.export_id:
        faults.append("snapshot_meta does not name this export")
    if metas is None or metas[0] != 1:
        faults.append("snapshot_meta must hold exactly one row")
    return dg.AssetCheckResult(passed=not faults, metadata={"faults": dg.MetadataValue.json(faults)})
