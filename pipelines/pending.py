"""Landed but not yet loaded: an archived export stays *pending* until it has a final outcome.

Landing removes the item from the inbox, so everything after it (validation, the swap, a wrong
setting, a kill) must not lose the export. Landing writes a `PENDING` file into the export's
archive folder in the same rename that lands it; only a final outcome in the load log (accepted,
refused with a rule code, skipped as already loaded, blocked by a check) removes it. Every run
first retries the pending exports, oldest first. An export whose row counts fall too far is
*held*: pending, but loaded only when the operator says so (`bbic run --force`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PENDING = "PENDING"
FILE_MODE = 0o600
_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,200}")


@dataclass(frozen=True)
class PendingExport:
    archive_dir: Path
    export_id: str | None
    created_at: dt.datetime | None
    attempts: int
    last_error: str | None
    held: str | None  # why it is held (row counts fell), None when it is simply retried
    updated: float  # when the marker last changed (seconds since the epoch)

    @property
    def name(self) -> str:
        return self.archive_dir.name


def _write(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, FILE_MODE)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False)
        fh.write("\n")
    os.replace(tmp, path)


def _read(archive_dir: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((archive_dir / PENDING).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else {}


def mark(archive_dir: Path) -> None:
    """Marks a landing folder pending (called before the folder is renamed into place)."""
    _write(archive_dir / PENDING, {"attempts": 0, "last_error": None, "held": None})


def is_pending(archive_dir: Path) -> bool:
    return (archive_dir / PENDING).is_file()


def _update(archive_dir: Path, **changes: Any) -> None:
    data = _read(archive_dir)
    if data is None:
        return
    data.update(changes)
    _write(archive_dir / PENDING, data)


def note_attempt(archive_dir: Path) -> None:
    data = _read(archive_dir)
    if data is not None:
        _update(archive_dir, attempts=int(data.get("attempts") or 0) + 1)


def note_error(archive_dir: Path, message: str) -> None:
    """Why the last attempt did not load it (kept for `bbic run` and the sensor's back-off)."""
    with contextlib.suppress(OSError):  # the archive itself unwritable: the run's own line still says why
        _update(archive_dir, last_error=message[:500])


def hold(archive_dir: Path, reason: str) -> None:
    _update(archive_dir, held=reason[:500], last_error=None)


def settle(archive_dir: Path) -> None:
    """The export has a final outcome in the load log: it is no longer pending."""
    (archive_dir / PENDING).unlink(missing_ok=True)


def pending_exports(archive_root: Path) -> list[PendingExport]:
    """Every pending export of the archive, oldest first (by the manifest's created_at)."""
    if not archive_root.is_dir():
        return []
    out: list[PendingExport] = []
    for folder in archive_root.iterdir():
        if folder.name.startswith(".") or folder.is_symlink() or not folder.is_dir():
            continue
        data = _read(folder)
        if data is None:
            continue
        info = _landed_info(folder)
        created = info.get("created_at")
        try:
            created_at = dt.datetime.fromisoformat(created) if isinstance(created, str) else None
        except ValueError:
            created_at = None
        export_id = info.get("export_id")
        out.append(
            PendingExport(
                folder,
                export_id if isinstance(export_id, str) else None,
                created_at,
                int(data.get("attempts") or 0),
                data.get("last_error") if isinstance(data.get("last_error"), str) else None,
                data.get("held") if isinstance(data.get("held"), str) else None,
                (folder / PENDING).stat().st_mtime,
            )
        )
    far_past = dt.datetime.min.replace(tzinfo=dt.UTC)
    return sorted(out, key=lambda p: (p.created_at or far_past, p.name))


def find(archive_root: Path, name: str) -> Path | None:
    """The pending export folder called `name` (a plain folder name of the archive), else None."""
    if not _NAME.fullmatch(name):
        return None
    folder = archive_root / name
    return folder if not folder.is_symlink() and is_pending(folder) else None


def _landed_info(folder: Path) -> dict[str, Any]:
    try:
        data = json.loads((folder / "landed.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
