"""The current snapshot, read without ever holding a lock on the pipeline's DuckDB file.

DuckDB locks its file per process: a read-only connection held by the portal would make the
pipeline's read-write connection (the swap) fail. So the portal reads its own copy: when the main
file's identity (inode, size, modification time) changes — the swap renames a new file into place —
the next request copies it (a plain read, no lock) into the portal's cache folder, checks that
the file did not change during the copy, and from then on opens the copy read-only. The old
copy is removed once no request uses it. The pipeline never waits for the portal.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from bbic_core.figures.report_context import snapshot_meta


class SnapshotUnavailable(RuntimeError):
    pass


@dataclass(frozen=True)
class Identity:
    inode: int
    size: int
    mtime_ns: int

    @property
    def tag(self) -> str:
        return f"{self.inode}-{self.size}-{self.mtime_ns}"


@dataclass(frozen=True)
class Current:
    identity: Identity
    path: Path  # the portal's copy
    export_id: str
    as_of: dt.date


def identity(path: Path) -> Identity | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return Identity(st.st_ino, st.st_size, st.st_mtime_ns)


class Snapshot:
    def __init__(self, main: Path, cache_dir: Path) -> None:
        self.main = main
        self.folder = cache_dir / "snapshot"
        self._lock = threading.Lock()
        self._current: Current | None = None
        self._copying = False

    def current(self) -> Current:
        """The newest snapshot (copied anew after a swap); `SnapshotUnavailable` when there is none.

        One request copies a new file; requests meanwhile keep reading the previous copy."""
        ident = identity(self.main)
        with self._lock:
            known = self._current
            if ident is None:
                if known is not None:
                    return known  # between the pipeline's unlink and rename: serve the last one
                raise SnapshotUnavailable("ingen inläsning har gjorts ännu")
            if known is not None and (known.identity == ident or self._copying):
                return known
            self._copying = True
        try:
            fresh = self._copy(ident)
        finally:
            with self._lock:
                self._copying = False
        with self._lock:
            if fresh is None:
                if self._current is not None:
                    return self._current
                raise SnapshotUnavailable("inläsningen pågår; försök igen om en stund")
            old, self._current = self._current, fresh
        if old is not None and old.path != fresh.path:
            self._prune(keep={fresh.path, old.path})
        return fresh

    @contextlib.contextmanager
    def connect(self) -> Iterator[tuple[duckdb.DuckDBPyConnection, Current]]:
        current = self.current()
        con = duckdb.connect(str(current.path), read_only=True)
        try:
            yield con, current
        finally:
            con.close()

    def _copy(self, ident: Identity) -> Current | None:
        if Path(f"{self.main}.wal").exists():
            return None  # a writer has changes not yet in the file: take the next consistent state
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        target = self.folder / f"{ident.tag}.duckdb"
        if not target.exists():
            partial = self.folder / f".{ident.tag}.{threading.get_ident()}.part"
            try:
                shutil.copyfile(self.main, partial)
            except FileNotFoundError:
                return None
            if identity(self.main) != ident:
                partial.unlink(missing_ok=True)
                return None  # it changed while we read it
            os.chmod(partial, 0o600)
            os.replace(partial, target)
        con = duckdb.connect(str(target), read_only=True)
        try:
            meta = snapshot_meta(con)
        except Exception:
            con.close()
            target.unlink(missing_ok=True)
            return None
        con.close()
        return Current(ident, target, meta.export_id, meta.as_of)

    def _prune(self, keep: set[Path]) -> None:
        """Remove all copies but the current and the previous one (a request may be opening that);
        requests still reading an older copy keep their open file (POSIX), so unlinking is safe."""
        for path in self.folder.glob("*.duckdb"):
            if path not in keep:
                with contextlib.suppress(OSError):
                    path.unlink()
