"""Helpers for the reader tests: small valid exports, and rewriting one file of an export by hand."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from bbic_core import contract
from bbic_core.checksums import sha256_file
from bbic_core.export_writer import csv_bytes, write_export

CREATED_AT = "2025-06-30T22:00:00+02:00"


def luhn_pnr(first_eleven: str) -> str:
    """A synthetic 12-digit personal number: the Luhn digit over the last nine of the first eleven digits."""
    digits = [int(d) for d in first_eleven[2:]]
    total = 0
    for i, d in enumerate(digits):
        product = d * (2 if i % 2 == 0 else 1)
        total += product // 10 + product % 10
    return first_eleven + str((10 - total % 10) % 10)


PNR = luhn_pnr("20150612238")  # synthetic


def small_tables() -> dict[str, list[dict[str, str | None]]]:
    return {
        "barn": [
            {"barn_id": "B1", "personnummer": PNR, "kon": "2"},
            {"barn_id": "B2", "fodelsedatum": "2016-01-02", "kon": "1"},
        ],
        "arende": [{"arende_id": "A1", "barn_id": "B1", "stadsdel": "bromma", "oppnat_datum": "2024-01-01"}],
        "personal": [{"handlaggare_id": "H1", "stadsdel": "bromma", "roll": "HANDLAGGARE",
                      "bbic_anvandare": "J", "anstalld_fran": "2020-01-01"}],
    }


def make_export(folder: Path, *, encoding: str = "utf-8", created_at: str = CREATED_AT,
                tables: Mapping[str, Sequence[Mapping[str, str | None]]] | None = None) -> Path:
    return write_export(folder, small_tables() if tables is None else tables, export_id="e-1",
                        created_at=created_at, encoding=encoding)


def manifest(folder: Path) -> dict[str, object]:
    loaded: dict[str, object] = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return loaded


def save_manifest(folder: Path, data: Mapping[str, object]) -> None:
    (folder / "manifest.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def set_key(folder: Path, key: str, value: object) -> None:
    data = manifest(folder)
    data[key] = value
    save_manifest(folder, data)


def drop_key(folder: Path, key: str) -> None:
    data = manifest(folder)
    del data[key]
    save_manifest(folder, data)


def files_entries(folder: Path) -> list[dict[str, object]]:
    entries = manifest(folder)["files"]
    assert isinstance(entries, list)
    return entries


def replace_file(folder: Path, name: str, data: bytes, *, rows: int | None = None,
                 list_it: bool = True) -> None:
    """Writes `data` as `name` and updates (or adds) its manifest entry: checksum and `rows` if given."""
    (folder / name).write_bytes(data)
    if not list_it:
        return
    doc = manifest(folder)
    entries = [e for e in files_entries(folder) if e["name"] != name]
    old = next((e for e in files_entries(folder) if e["name"] == name), None)
    count = rows if rows is not None else (old["rows"] if old else 0)
    entries.append({"name": name, "rows": count, "sha256": sha256_file(folder / name)})
    doc["files"] = entries
    save_manifest(folder, doc)


def unlist(folder: Path, name: str) -> None:
    doc = manifest(folder)
    doc["files"] = [e for e in files_entries(folder) if e["name"] != name]
    save_manifest(folder, doc)


def set_rows(folder: Path, name: str, rows: int) -> None:
    doc = manifest(folder)
    entries = files_entries(folder)
    for e in entries:
        if e["name"] == name:
            e["rows"] = rows
    doc["files"] = entries
    save_manifest(folder, doc)


def header_of(table: str) -> list[str]:
    return list(contract.BY_TABLE[table].column_names)


def barn_csv(rows: Sequence[Sequence[str]], *, header: Sequence[str] | None = None, encoding: str = "utf-8",
             line_end: str = "\n") -> bytes:
    header = header_of("barn") if header is None else header
    return csv_bytes(header, rows, encoding=encoding, line_end=line_end)


def zip_folder(folder: Path, target: Path, *, inside: str | None = None,
               extra: Mapping[str, bytes] | None = None) -> Path:
    """Zips the files of `folder` at the zip's root, or inside the folder `inside`; `extra` adds members."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, f"{inside}/{path.name}" if inside else path.name)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return target
