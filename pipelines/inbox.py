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
import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path

MANIFEST = "manifest.json"
KEPT_DIR = ".kept-in-inbox"  # in the archive: items landed that the inbox would not let go
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


def unsafe_reason(item: Path) -> str | None:
    """Why an inbox item must not be landed, or None: a symbolic link anywhere in it (it could point
    at the key, the environment or another export) or anything but folders and regular files (a FIFO
    would hang the landing). Nothing is followed: every entry is looked at with lstat."""
    try:
        st = item.lstat()
        if stat.S_ISLNK(st.st_mode):
            return "the inbox item is a symbolic link"
        if stat.S_ISREG(st.st_mode):
            return None
        if not stat.S_ISDIR(st.st_mode):
            return "the inbox item is neither a folder nor a regular file"
        for folder, dirs, files in os.walk(item, followlinks=False):
            for name in [*dirs, *files]:
                mode = os.lstat(os.path.join(folder, name)).st_mode
                shown = os.path.relpath(os.path.join(folder, name), item)
                if stat.S_ISLNK(mode):
                    return f"{shown} is a symbolic link"
                if not (stat.S_ISDIR(mode) or stat.S_ISREG(mode)):
                    return f"{shown} is neither a folder nor a regular file"
    except OSError as exc:
        return f"it cannot be read ({exc.strerror or type(exc).__name__})"
    return None


def _files(item: Path) -> list[Path]:
    if not item.is_dir():
        return [item]
    out: list[Path] = []
    for folder, _dirs, files in os.walk(item, followlinks=False):
        out.extend(Path(folder) / name for name in files)
    return sorted(out)


def _signature(files: list[Path]) -> tuple[str, float]:
    digest = hashlib.sha256()
    newest = 0.0
    for path in files:
        st = path.lstat()
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
    except Exception:  # any manifest (deep, huge, a bad zip) only loses its name here: landing refuses it
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
        item = _item(path, clock, settle_seconds)
        if item is not None:
            items.append(item)
    far_past = dt.datetime.min.replace(tzinfo=dt.UTC)
    return sorted(items, key=lambda i: (not i.complete, i.created_at or far_past, i.name))


def _item(path: Path, clock: float, settle_seconds: float) -> InboxItem | None:
    """One inbox entry as an item; one that cannot be looked at (or a symbolic link) is complete with
    no id, so that landing refuses it with its reason instead of it stopping the scan of the others."""
    try:
        if path.is_symlink():
            return InboxItem(path, True, None, None, "symlink")
        if path.is_dir():
            has_manifest = (path / MANIFEST).is_file() or (path / MANIFEST).is_symlink()
        elif path.is_file() and path.suffix.lower() == ".zip":
            has_manifest = True  # judged by the validator (a zip of another layout is X001)
        else:
            return None
        signature, newest = _signature(_files(path))
        newest = max(newest, path.lstat().st_mtime)
    except OSError:
        return InboxItem(path, True, None, None, "unreadable")
    complete = has_manifest and clock - newest >= settle_seconds
    export_id, created = peek_manifest(path) if complete else (None, None)
    return InboxItem(path, complete, export_id, created, signature)


def signature_of(path: Path) -> str:
    return _signature(_files(path))[0]


def _kept_marker(archive_root: Path, name: str, signature: str) -> Path:
    digest = hashlib.sha256(f"{name}\0{signature}".encode()).hexdigest()[:32]
    return archive_root / KEPT_DIR / digest


def remember_kept(archive_root: Path, name: str, signature: str) -> None:
    """An item landed but left in the inbox (it could not be deleted): not to be landed again."""
    marker = _kept_marker(archive_root, name, signature)
    marker.parent.mkdir(mode=0o700, exist_ok=True)
    os.close(os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW, 0o600))


def is_kept(archive_root: Path, item: InboxItem) -> bool:
    return _kept_marker(archive_root, item.name, item.signature).is_file()


def complete_items(
    inbox: Path, *, settle_seconds: float, now: float | None = None, archive: Path | None = None
) -> list[InboxItem]:
    """The complete items, without those already landed but left in an undeletable inbox (`archive`)."""
    items = [i for i in scan(inbox, settle_seconds=settle_seconds, now=now) if i.complete]
    return items if archive is None else [i for i in items if not is_kept(archive, i)]
