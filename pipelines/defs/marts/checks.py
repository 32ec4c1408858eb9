"""Checks of the marts: D3 anomalies of the comparisons, for the coordinator to see in the run's results.

Not blocking: an anomaly is news about the districts, not a fault of the data, so the reports are
rendered whatever it finds (it passes with severity WARN listed when there are anomalies).
"""

import dagster as dg
import duckdb as duckdb_lib
from dagster_duckdb import DuckDBResource

from pipelines.defs.marts.assets import figures
from pipelines.resources import database_path
from pipelines.snapshot_reader import snapshot_facts
from pipelines.store.marts import FIGURES, anomalies


@dg.asset_check(
    asset=figures,
    blocking=False,
    description="D3 anomalies (reports.md, report 4: D3.avvikelse = J): units whose key indicator changed "
    "by at least avvikelse_pp points or avvikelse_andel % against the same period a year earlier.",
)
def figures_anomalies(duckdb: DuckDBResource) -> dg.AssetCheckResult:
    path = database_path(duckdb)
    current, tables = snapshot_facts(path)
    if current is None or FIGURES not in tables:
        return dg.AssetCheckResult(passed=True, metadata={"anomalies": 0})
    con = duckdb_lib.connect(str(path), read_only=True)
    try:
        found = anomalies(con, current.export_id)
    finally:
        con.close()
    lines = [f"{a['period']} {a['enhet']} {a['nyckeltal']}: {a['forandring']}" for a in found]
    return dg.AssetCheckResult(
        passed=not found,
        severity=dg.AssetCheckSeverity.WARN,
        description=f"{len(found)} anomalies" if found else "no anomalies",
        metadata={"anomalies": len(found), "list": dg.MetadataValue.json(found),
                  "summary": dg.MetadataValue.md("\n".join(f"- {line}" for line in lines) or "none")},
    )
