"""The staging file a load is validated into, beside the main file, and read-only connections with the
same memory limit (the blocking checks, the row-drop comparison, the snapshot's checks).

A staging file holds pseudonymised rows only (the personal numbers never reach a DuckDB file), so
DuckDB may spill its working data to a folder beside it, removed with it.
"""

from __future__ import annotations

import hashlib
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

STAGING = "staging"


def staging_path_for(data: Path, export_id: str, run_id: str) -> Path:
    name = hashlib.sha256(export_id.encode()).hexdigest()[:16]
    return data / STAGING / f"{name}-{run_id[:8]}.duckdb"


# DuckDB's memory for the staging file: beyond it, working data spills to a folder beside the file
# (removed with it) instead of growing the process. The rest of the budget is the one file's Arrow
# columns that validation holds at a time (docs/decisions.md, "Load performance").
STAGING_MEMORY_LIMIT = "1500MB"


@contextmanager
def read_only(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to a staging or main file with the staging memory limit (checks, counts)."""
    con = duckdb.connect(str(path), read_only=True, config={"memory_limit": STAGING_MEMORY_LIMIT})
    try:
        yield con
    finally:
        con.close()


def staging_config(staging: Path) -> dict[str, str | bool | int | float | list[str]]:
    return {
        "memory_limit": STAGING_MEMORY_LIMIT,
        "temp_directory": str(staging.with_suffix(".tmp")),
        # Rows need no physical order (`_line` gives the file's, every query that needs one sorts), and
        # an order-preserving insert writes the staged tables ~1.5x slower (docs/decisions.md).
        "preserve_insertion_order": False,
    }


def close_staging(con: duckdb.DuckDBPyConnection, staging: Path) -> None:
    con.close()
    shutil.rmtree(staging.with_suffix(".tmp"), ignore_errors=True)  # anything DuckDB spilled


def remove_stale_staging(folder: Path, max_age_s: float = 86_400) -> None:
    """Staging files left by a run that a blocking check stopped (or that crashed), after a day."""
    limit = time.time() - max_age_s
    for path in folder.glob("*.duckdb*"):
        if path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)
    for spill in folder.glob("*.tmp"):
        if spill.is_dir() and spill.stat().st_mtime < limit:
            shutil.rmtree(spill, ignore_errors=True)
