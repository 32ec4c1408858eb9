"""Opening the main DuckDB file while others may hold it: wait briefly instead of failing.

DuckDB refuses a second process while one holds the file for writing ("Could not set lock on
file"). Writers are serialised by `pipelines.lock`; readers (`bbic report`, the runner's look at
the load log) and the short writes of the load log wait up to `wait_s` for the holder to finish.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import duckdb

READ_WAIT_S = 30.0


class DatabaseBusyError(RuntimeError):
    """The DuckDB file stayed locked by another process for the whole wait."""


def is_lock_error(exc: BaseException) -> bool:
    return isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower()


def connect(
    path: Path, *, read_only: bool, wait_s: float = READ_WAIT_S, config: dict[str, Any] | None = None
) -> duckdb.DuckDBPyConnection:
    """`duckdb.connect`, retried while another process holds the file; `DatabaseBusyError` after `wait_s`."""
    deadline = time.monotonic() + wait_s
    delay = 0.05
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only, config=config or {})
        except duckdb.IOException as exc:
            if not is_lock_error(exc):
                raise
            if time.monotonic() >= deadline:
                raise DatabaseBusyError(
                    f"{path.name} is held by another process (a run is writing it): waited {wait_s:.0f} s"
                ) from None
        time.sleep(delay)
        delay = min(delay * 2, 1.0)
