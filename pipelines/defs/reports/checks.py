"""Checks of the rendered report set: complete, reachable through `latest/`, free of personal numbers."""

from pathlib import Path

import dagster as dg

from bbic_core.personnummer import holds_personal_number
from pipelines.defs.reports.assets import LATEST, reports
from pipelines.resources import BbicSettings

_EXTENSIONS = {"html": (".html",), "pdf": (".pdf",), "xlsx": (".xlsx",), "csv": (".csv",)}


@dg.asset_check(asset=reports, description="Every requested format is there and latest/ shows this set.")
def reports_complete(reports: Path, bbic: BbicSettings) -> dg.AssetCheckResult:
    files = [p for p in reports.rglob("*") if p.is_file()]
    missing = [
        fmt
        for fmt in bbic.formats
        if not any(p.suffix.lower() in _EXTENSIONS.get(fmt, (f".{fmt}",)) for p in files)
    ]
    latest = bbic.reports_path / LATEST
    latest_ok = latest.exists()
    return dg.AssetCheckResult(
        passed=not missing and latest_ok,
        metadata={
            "missing_formats": dg.MetadataValue.json(missing),
            "latest_ok": latest_ok,
            "files": len(files),
        },
    )


@dg.asset_check(
    asset=reports, description="No text output (HTML, CSV) holds anything shaped like a personal number."
)
def reports_hold_no_personal_numbers(reports: Path) -> dg.AssetCheckResult:
    hits: list[str] = []
    for path in sorted(reports.rglob("*")):
        text = path.suffix.lower() in (".html", ".csv", ".txt", ".json") and path.is_file()
        if text and holds_personal_number(path.read_bytes()):
            hits.append(str(path.relative_to(reports)))
    return dg.AssetCheckResult(passed=not hits, metadata={"files": dg.MetadataValue.json(hits)})
