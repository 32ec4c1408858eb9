"""Reports: the standard report set of the current snapshot in `BBIC_REPORTS/<as-of>/…`, and `latest/`.

Every document is rendered from the marts tables the `figures` asset computed (compute once, render
many): this asset reads them and renders, it computes nothing.

Nothing is rendered when the current export, the register in use and the requested formats and
scopes are those of the last rendering (a second `bbic run` is quick, and a refused night, which
leaves the snapshot as it was, leaves the published reports as they were).
"""

import json
import os
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal, cast

import dagster as dg
from dagster_duckdb import DuckDBResource

from bbic_core.figures.disclosure import DEFAULT_K
from pipelines import drill
from pipelines.defs.marts.assets import figures
from pipelines.lock import writer_lock
from pipelines.registers import resolve_register
from pipelines.resources import LOCK_WAIT_S, POOL, BbicSettings, data_dir, database_path
from pipelines.snapshot_reader import snapshot_facts
from pipelines.store.connect import connect
from pipelines.store.marts import read_marts

STATE_FILE = "reports_state.json"
LATEST = "latest"


@dataclass(frozen=True)
class RenderedReports:
    export_id: str
    as_of: str
    register: str  # fingerprint of the register files used
    formats: tuple[str, ...]
    mode: str
    scopes: tuple[str, ...] | None
    path: str  # the `<as-of>` folder
    licence_withheld: str | None = None  # the register's error while only its last good copy parses


def render(
    database: Path,
    register: Any,
    reports_root: Path,
    *,
    as_of: Any,
    export_id: str,
    formats: tuple[str, ...],
    mode: str,
    licence_withheld_reason: str | None = None,
) -> Path:
    """Render every document of the marts (computed once by the `figures` asset) into `<as-of>/` and
    point `latest` at the newest; nothing is computed here."""
    from bbic_core.documents.report_set import documents_of, write_report_set

    if mode not in ("internal", "published"):
        raise dg.Failure(description=f"BBIC_REPORT_MODE must be internal or published, not {mode!r}")
    report_mode = cast(Literal["internal", "published"], mode)
    con = connect(database, read_only=True)
    try:
        produced, year_before = read_marts(con, export_id, published=report_mode == "published")
    finally:
        con.close()
    if not produced:
        raise dg.Failure(description=f"the marts hold no figures of export {export_id}: run `figures` first")
    documents = documents_of(produced, year_before, register, mode=report_mode, k=DEFAULT_K,
                             export_id=export_id)
    return write_report_set(documents, reports_root, as_of=as_of, export_id=export_id, formats=formats,
                            workers=2, mode=report_mode, licence_withheld_reason=licence_withheld_reason)


def _read_state(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _same(previous: dict[str, Any], wanted: RenderedReports) -> bool:
    def key(d: dict[str, Any]) -> str:
        return json.dumps({k: v for k, v in d.items() if k != "path"}, sort_keys=True)

    return key(previous) == key(json.loads(json.dumps(asdict(wanted))))


@dg.asset(
    group_name="reports",
    pool=POOL,
    deps=[figures],
    kinds={"html", "pdf", "excel", "csv"},
    description="The standard report set (HTML, PDF, Excel, figures.csv; BBIC_REPORT_FORMATS, "
    "BBIC_REPORT_SCOPES) of the current snapshot in BBIC_REPORTS/<as-of>/, with latest/ pointing at it.",
)
def reports(context: dg.AssetExecutionContext, bbic: BbicSettings, duckdb: DuckDBResource) -> dg.Output[Path]:
    with writer_lock(data_dir(duckdb), wait_s=LOCK_WAIT_S):
        remove_stale_temporaries(bbic.reports_path)
        output = _reports(context, bbic, duckdb)
    if bbic.report_mode == "internal":
        owner_only(Path(str(output.value)))
    return output


def remove_stale_temporaries(root: Path) -> list[str]:
    """Half-rendered folders (`.<as-of>.tmp-<pid>`) of a run that was killed: under the writer lock no
    other run renders, so every one that is not this process's own is stale."""
    removed: list[str] = []
    if not root.is_dir():
        return removed
    for path in root.glob(".*.tmp-*"):
        if path.name.endswith(f".tmp-{os.getpid()}"):
            continue
        if path.is_symlink() or path.is_file():
            path.unlink(missing_ok=True)
        else:
            shutil.rmtree(path, ignore_errors=True)
        removed.append(path.name)
    return removed


def owner_only(folder: Path) -> None:
    """Internal reports hold exact figures (small groups of children): folders 0700, files 0600."""
    if folder.is_symlink() or not folder.is_dir():
        return
    os.chmod(folder, 0o700)
    for path in folder.rglob("*"):
        if not path.is_symlink():
            os.chmod(path, 0o700 if path.is_dir() else 0o600)


def _reports(
    context: dg.AssetExecutionContext, bbic: BbicSettings, duckdb: DuckDBResource
) -> dg.Output[Path]:
    path = database_path(duckdb)
    state = resolve_register(bbic.register_path, data_dir(duckdb))
    if state.register is None:
        raise dg.Failure(description=f"no register has parsed: {state.error}")
    if not path.exists():
        raise dg.Failure(description="no snapshot has been loaded yet")
    current, _ = snapshot_facts(path)
    if current is None:
        raise dg.Failure(description="no snapshot has been loaded yet")
    root = bbic.reports_path
    # register.md: only the licence report is withheld while the current register is invalid
    withheld = (state.error or "okänt fel") if state.source == "last_good" else None
    wanted = RenderedReports(
        export_id=current.export_id,
        as_of=current.as_of.isoformat(),
        register=state.fingerprint,
        formats=bbic.formats,
        mode=bbic.report_mode,
        scopes=bbic.scopes,
        path=str(root / current.as_of.isoformat()),
        licence_withheld=withheld,
    )
    state_path = data_dir(duckdb) / STATE_FILE
    previous = _read_state(state_path) or {}
    done = Path(str(previous.get("path", "")))
    if _same(previous, wanted) and done.is_dir() and (root / LATEST).exists():
        context.log.info(f"reports of export {current.export_id} are up to date in {done}")
        return dg.Output(done, metadata={"path": dg.MetadataValue.path(str(done)), "rendered": False})
    root.mkdir(parents=True, exist_ok=True)
    if state.source == "last_good":
        context.log.warning(
            f"the register does not parse, the last good one is used and the licence check is "
            f"withheld: {state.error}"
        )
    drill.point("reports")
    folder = render(
        path,
        state.register,
        root,
        as_of=current.as_of,
        export_id=current.export_id,
        formats=bbic.formats,
        mode=bbic.report_mode,
        licence_withheld_reason=withheld,
    )
    latest = root / LATEST
    state_path.write_text(
        json.dumps(asdict(wanted) | {"path": str(folder)}, indent=2) + "\n", encoding="utf-8"
    )
    files = sum(1 for p in folder.rglob("*") if p.is_file())
    context.log.info(f"{files} report file(s) in {folder}")
    return dg.Output(
        folder,
        metadata={
            "path": dg.MetadataValue.path(str(folder)),
            "latest": str(latest),
            "files": files,
            "rendered": True,
            "export_id": current.export_id,
        },
    )
