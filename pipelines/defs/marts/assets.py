"""Marts: the figures of the standard report set, as a `figures` table in the main DuckDB file.

The long form is `figures.csv`'s (reports.md, "Outputs") plus `export_id`: analysts and an IT
supplier can query every number without opening a report. Internal (exact) figures for the
municipality, every network and every district in force at the as-of date (or the scopes of
`BBIC_REPORT_SCOPES`): verksamhet and klientgrupp for each standard period, and the licence check.
"""

import datetime as dt
import json
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb as duckdb_lib
from dagster_duckdb import DuckDBResource

from bbic_core.figures.model import FIGURES_CSV_COLUMNS, Figure, ReportKind
from pipelines.defs.snapshot.assets import snapshot
from pipelines.lock import writer_lock
from pipelines.registers import resolve_register
from pipelines.report_scopes import chosen_scopes
from pipelines.resources import LOCK_WAIT_S, POOL, BbicSettings, data_dir, database_path
from pipelines.snapshot_copy import in_memory_copy, snapshot_facts
from pipelines.store.connect import connect

STATE_FILE = "figures_state.json"

FIGURES_DDL = (
    "CREATE TABLE figures (export_id VARCHAR, "
    + ", ".join(
        f"{c} {'DATE' if c in ('period_from', 'period_to', 'as_of') else 'VARCHAR'}"
        for c in FIGURES_CSV_COLUMNS
    )
    + ")"
)


def compute_figures(
    con: duckdb_lib.DuckDBPyConnection, register: Any, as_of: dt.date, scopes: list[Any]
) -> list[Figure]:
    """The standard set's figures: verksamhet and klientgrupp for each standard period, the licence check."""
    from bbic_core.figures import compute_all

    return list(compute_all(con, register, scopes, as_of=as_of))


def _read_state(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_figures(con: duckdb_lib.DuckDBPyConnection, export_id: str, figures: list[Figure]) -> None:
    """Replaces the `figures` table in one transaction."""
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DROP TABLE IF EXISTS figures")
        con.execute(FIGURES_DDL)
        rows = [[export_id, *f.as_row()] for f in figures]
        if rows:
            con.executemany(
                f"INSERT INTO figures VALUES ({', '.join('?' * (len(FIGURES_CSV_COLUMNS) + 1))})", rows
            )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


@dg.asset(
    group_name="marts",
    pool=POOL,
    deps=[snapshot],
    kinds={"duckdb"},
    description="The `figures` table: every figure of the standard set (figures.csv's long form + "
    "export_id) for the current snapshot.",
)
def figures(
    context: dg.AssetExecutionContext, bbic: BbicSettings, duckdb: DuckDBResource
) -> dg.MaterializeResult:
    with writer_lock(data_dir(duckdb), wait_s=LOCK_WAIT_S):
        return _figures(context, bbic, duckdb)


def _figures(
    context: dg.AssetExecutionContext, bbic: BbicSettings, duckdb: DuckDBResource
) -> dg.MaterializeResult:
    path = database_path(duckdb)
    if not path.exists():
        raise dg.Failure(description="no snapshot has been loaded yet")
    state = resolve_register(bbic.register_path, data_dir(duckdb))
    if state.register is None:
        raise dg.Failure(description=f"no register has parsed: {state.error}")
    current, tables = snapshot_facts(path)
    if current is None:
        raise dg.Failure(description="no snapshot has been loaded yet")
    wanted = {
        "export_id": current.export_id,
        "register": state.fingerprint,
        "register_source": state.source,  # last_good withholds the licence figures: recompute on a change
        "scopes": list(bbic.scopes or []),
    }
    state_path = data_dir(duckdb) / STATE_FILE
    if _read_state(state_path) == wanted and "figures" in tables:
        context.log.info(f"the figures of export {current.export_id} are up to date")
        return dg.MaterializeResult(metadata={"export_id": current.export_id, "computed": False})
    copy = in_memory_copy(path, export_id=current.export_id)
    try:
        try:
            scopes = chosen_scopes(state.register, current.as_of, bbic.scopes)
        except ValueError as exc:
            raise dg.Failure(description=str(exc)) from None
        rows = compute_figures(copy, state.register, current.as_of, scopes)
    finally:
        copy.close()
    withheld = state.source == "last_good"
    if withheld:
        # As in the reports (register.md): the licence check is not given from a register that no
        # longer parses; the follow-up figures come from the last good copy.
        rows = [f for f in rows if f.report != ReportKind.LICENS]
        context.log.warning(f"the register does not parse: the licence figures are withheld ({state.error})")
    con = connect(path, read_only=False)  # waits while a reader holds the file
    try:
        write_figures(con, current.export_id, rows)
    finally:
        con.close()
    state_path.write_text(json.dumps(wanted) + "\n", encoding="utf-8")
    context.log.info(f"{len(rows)} figures for {len(scopes)} scope(s), export {current.export_id}")
    return dg.MaterializeResult(
        metadata={
            "export_id": current.export_id,
            "as_of": current.as_of.isoformat(),
            "figures": len(rows),
            "scopes": len(scopes),
            "computed": True,
            "licence_withheld": withheld,
        }
    )
