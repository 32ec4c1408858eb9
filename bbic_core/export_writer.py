"""Writes an export folder as Paraply does: CSV files and a `manifest.json` with counts and checksums.

Used by the synthetic generator and by tests that build small exports by hand. Rows are
written exactly as given (strings), so a test can put any fault into a file.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from bbic_core import contract
from bbic_core.checksums import sha256_file


def csv_bytes(
    header: Sequence[str], rows: Iterable[Sequence[str]], *, encoding: str = "utf-8", line_end: str = "\n"
) -> bytes:
    """Semicolon-separated CSV with RFC 4180 quoting where a field needs it."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", quotechar='"', lineterminator=line_end, quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    for row in rows:
        writer.writerow(row)
    return buf.getvalue().encode(encoding)


def write_manifest(
    folder: Path,
    *,
    export_id: str,
    municipality: str,
    created_at: str,
    row_counts: Mapping[str, int],
    encoding: str = "utf-8",
    extra: Mapping[str, object] | None = None,
) -> Path:
    """Writes `manifest.json` for the CSV files named in `row_counts` (name -> data rows)."""
    manifest: dict[str, object] = {
        "format": contract.FORMAT,
        "format_version": contract.FORMAT_VERSION,
        "export_id": export_id,
        "municipality": municipality,
        "created_at": created_at,
        "extract": "full",
        "encoding": encoding,
        "files": [
            {"name": name, "rows": rows, "sha256": sha256_file(folder / name)}
            for name, rows in row_counts.items()
        ],
    }
    if extra:
        manifest.update(extra)
    path = folder / "manifest.json"
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def write_export(
    folder: Path,
    tables: Mapping[str, Sequence[Mapping[str, str | None]]],
    *,
    export_id: str,
    municipality: str = "0180",
    created_at: str = "2025-06-30T22:00:00+02:00",
    encoding: str = "utf-8",
) -> Path:
    """Writes one CSV per contract file (missing tables are written empty) and the manifest.

    `tables` maps a table name (`barn`, …) to rows; a row maps column names to values, and a
    column absent from a row is written empty. Returns the export folder.
    """
    folder.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    for spec in contract.FILES:
        rows = tables.get(spec.table, [])
        header = list(spec.column_names)
        for row in rows:
            header.extend(k for k in row if k not in header)
        body = [[(row.get(col) or "") for col in header] for row in rows]
        (folder / spec.name).write_bytes(csv_bytes(header, body, encoding=encoding))
        counts[spec.name] = len(rows)
    write_manifest(
        folder,
        export_id=export_id,
        municipality=municipality,
        created_at=created_at,
        row_counts=counts,
        encoding=encoding,
    )
    return folder
