"""What lies in the inbox: complete exports to land, and half-written ones to leave alone.

An inbox item is a folder holding `manifest.json` or a `.zip` file. It is complete when its
newest modification (the item or any file in it) is at least `settle_seconds` old: a writer
that is still copying keeps touching the files, so an item whose sizes and times have not moved
for the settle interval is taken as finished. A folder without a manifest is still being written
(Paraply writes the manifest last) and always waits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

MANIFEST = "manifest.json"
_IGNORED_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload")


@dataclass(frozen=True)
class InboxItem:
    path: Path
    complete: bool
    export_id: str | None  # from the manifest, when it can be read
    created_at: dt.datetime | None
    signature: str  # names, sizes and times of every file: changes while the item is written

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def run_key(self) -> str:
        """The export id; an unreadable manifest gets a key from the item's name and content signature."""
        return self.export_id or f"unidentified:{self.name}:{self.signature[:12]}"


def _files(item: Path) -> list[Path]:
    if item.is_file():
        return [item]
    return sorted(p for p in item.rglob("*") if p.is_file())


def _signature(files: list[Path]) -> tuple[str, float]:
    digest = hashlib.sha256()
    newest = 0.0
    for path in files:
        st = path.stat()
        newest = max(newest, st.st_mtime)
        digest.update(f"{path.name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return digest.hexdigest(), newest


def peek_manifest(path: Path) -> tuple[str | None, dt.datetime | None]:
    """The export id and creation time from an export's manifest, or None where unreadable.

    Only for naming and ordering: the validator reads the manifest properly (and refuses X001).
    """
    try:
        from bbic_core.validation.source import open_source

        source, refusals = open_source(path)
        if source is None or refusals:
            return None, None
        try:
            data = source.read_bytes(MANIFEST) if MANIFEST in source.names() else None
        finally:
            source.close()
        if data is None:
            return None, None
        raw = json.loads(data.decode("utf-8-sig"))
    except (OSError, ValueError, KeyError):
        return None, None
    if not isinstance(raw, dict):
        return None, None
    export_id = raw.get("export_id")
    export_id = export_id.strip() if isinstance(export_id, str) and export_id.strip() else None
    created: dt.datetime | None = None
    if isinstance(raw.get("created_at"), str):
        try:
            created = dt.datetime.fromisoformat(raw["created_at"])
        except ValueError:
            created = None
        if created is not None and created.tzinfo is None:
            created = None
    return export_id, created


def scan(inbox: Path, *, settle_seconds: float, now: float | None = None) -> list[InboxItem]:
    """Every export in `inbox`, complete ones first by creation time (oldest first), then the waiting."""
    if not inbox.is_dir():
        return []
    clock = time.time() if now is None else now
    items: list[InboxItem] = []
    for path in sorted(inbox.iterdir()):
        if path.name.startswith(".") or path.name.endswith(_IGNORED_SUFFIXES):
            continue
        if path.is_dir():
            has_manifest = (path / MANIFEST).is_file()
        elif path.is_file() and path.suffix.lower() == ".zip":
            has_manifest = True  # judged by the validator (a zip of another layout is X001)
        else:
            continue
        files = _files(path)
        signature, newest = _signature(files)
        newest = max(newest, path.stat().st_mtime)
        settled = clock - newest >= settle_seconds
        complete = has_manifest and settled
        export_id, created = peek_manifest(path) if complete else (None, None)
        items.append(InboxItem(path, complete, export_id, created, signature))
    far_past = dt.datetime.min.replace(tzinfo=dt.UTC)
    return sorted(items, key=lambda i: (not i.complete, i.created_at or far_past, i.name))


def complete_items(inbox: Path, *, settle_seconds: float, now: float | None = None) -> list[InboxItem]:
    return [i for i in scan(inbox, settle_seconds=settle_seconds, now=now) if i.complete]
