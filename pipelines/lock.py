"""One writer at a time: a process-level lock file beside the snapshot (`<data>/.bbic-writer.lock`).

DuckDB lets one process write a file, and two runs that land and validate the same export at once
would race (one of them logging a false X009). Every step that writes (landing, validation, the
swap, the marts, the reports) holds this lock; `bbic run` holds it for the whole run. The lock is
an `flock` on an open file, so a killed process releases it at once: there is no stale lock to
clear by hand. It is re-entrant within one process (`bbic run` runs the steps in-process).
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_NAME = ".bbic-writer.lock"
_mutex = threading.Lock()
_held: dict[str, tuple[int, int]] = {}  # lock path -> (fd, depth)


class LockHeldError(RuntimeError):
    """Another process holds the writer lock (the message names it and since when)."""


def lock_path(data: Path) -> Path:
    return data / LOCK_NAME


def holder(data: Path) -> str:
    """Who holds the lock, as its holder wrote it ("pid 123 since …"), or '' when unknown."""
    try:
        text = lock_path(data).read_text(encoding="ascii", errors="replace")[:200]
    except OSError:
        return ""
    return " ".join(text.split())


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


@contextmanager
def writer_lock(data: Path, *, wait_s: float = 0.0, poll_s: float = 0.2) -> Iterator[None]:
    """Holds the writer lock of the data folder `data`; waits up to `wait_s`, then `LockHeldError`."""
    data.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = str(lock_path(data).resolve())
    with _mutex:
        if key in _held:
            fd, depth = _held[key]
            _held[key] = (fd, depth + 1)
            reentered = True
        else:
            reentered = False
    if reentered:
        try:
            yield
        finally:
            _release(key)
        return
    fd = os.open(key, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    deadline = time.monotonic() + wait_s
    while not _try_lock(fd):
        if time.monotonic() >= deadline:
            os.close(fd)
            who = holder(data)
            raise LockHeldError(
                f"another bbic run is writing to {data} ({who or 'holder unknown'}): "
                "it was not started; try again when that run has finished"
            )
        time.sleep(poll_s)
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"pid {os.getpid()} since {time.strftime('%Y-%m-%d %H:%M:%S %Z')}\n".encode(), 0)
    with _mutex:
        _held[key] = (fd, 1)
    try:
        yield
    finally:
        _release(key)


def _release(key: str) -> None:
    with _mutex:
        fd, depth = _held[key]
        if depth > 1:
            _held[key] = (fd, depth - 1)
            return
        del _held[key]
    os.ftruncate(fd, 0)
    fcntl.flock(fd, fcntl.LOCK_UN)
    os.close(fd)
