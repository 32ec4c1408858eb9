"""Marts: the figures of the standard report set, computed once a night into the main DuckDB file.

The long form is `figures.csv`'s (reports.md, "Outputs") plus `export_id` and the document each
figure belongs to: analysts and an IT supplier can query every number without opening a report, and
the reports asset renders every document from these tables without computing again
(`pipelines/store/marts.py`). The set covers the municipality, every network and every district
in force at the as-of date (or the scopes of `BBIC_REPORT_SCOPES`).
"""

import datetime as dt
import json
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb as duckdb_lib
from dagster_duckdb import DuckDBResource

from pipelines.defs.snapshot.assets import snapshot
from pipelines.lock import writer_lock
from pipelines.registers import resolve_register
from pipelines.report_scopes import chosen_scopes
from pipelines.resources import LOCK_WAIT_S, POOL, BbicSettings, data_dir, database_path
from pipelines.snapshot_reader import read_snapshot, snapshot_facts
from pipelines.store.connect import connect
from pipelines.store.marts import write_marts

STATE_FILE = "figures_state.json"


def compute_marts(
    con: duckdb_lib.DuckDBPyConnection, register: Any, as_of: dt.date, scopes: list[Any], *, mode: str,
    licence: bool
) -> tuple[list[Any], list[Any], list[Any] | None, list[Any]]:
    """The standard set's reports computed once (one store): exact, and as published when it is."""
    from bbic_core.documents.report_set import year_before_requests
    from bbic_core.figures import ReportStore, produce_reports, standard_requests

    store = ReportStore(con, register, as_of=as_of, published_scopes=scopes)
    requests = standard_requests(register, as_of, scopes, licence=licence)
    earlier = year_before_requests(requests, as_of)
    produced = produce_reports(con, register, requests, store=store)
    year_before = produce_reports(con, register, earlier, store=store)
    if mode != "published":
        return produced, year_before, None, []
    shown = produce_reports(con, register, requests, mode="published", store=store)
    shown_before = produce_reports(con, register, earlier, mode="published", store=store)
    return produced, year_before, shown, shown_before


def _read_state(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


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
        "mode": bbic.report_mode,
    }
    state_path = data_dir(duckdb) / STATE_FILE
    if _read_state(state_path) == wanted and "figures" in tables:
        context.log.info(f"the figures of export {current.export_id} are up to date")
        return dg.MaterializeResult(metadata={"export_id": current.export_id, "computed": False})
    snapshot_con = read_snapshot(path)
    try:
        try:
            scopes = chosen_scopes(state.register, current.as_of, bbic.scopes)
        except ValueError as exc:
            raise dg.Failure(description=str(exc)) from None
        # As in the reports (register.md): the licence check (and the reports stating its figures) is
        # not given from a register that no longer parses; the follow-up figures come from the last
        # good copy.
        withheld = state.source == "last_good"
        if withheld:
            context.log.warning(
                f"the register does not parse: the licence figures are withheld ({state.error})")
        produced, year_before, shown, shown_before = compute_marts(
            snapshot_con, state.register, current.as_of, scopes, mode=bbic.report_mode,
            licence=not withheld)
    finally:
        snapshot_con.close()  # before the write below: DuckDB lets one process open a file one way only
    con = connect(path, read_only=False)  # waits while another process reads the file
    try:
        count = write_marts(con, current.export_id, produced, year_before, shown, shown_before)
    finally:
        con.close()
    state_path.write_text(json.dumps(wanted) + "\n", encoding="utf-8")
    context.log.info(f"{count} figures for {len(scopes)} scope(s), export {current.export_id}")
    return dg.MaterializeResult(
        metadata={
            "export_id": current.export_id,
            "as_of": current.as_of.isoformat(),
            "figures": count,
            "documents": len(produced),
            "scopes": len(scopes),
            "computed": True,
            "licence_withheld": withheld,
        }
    )
