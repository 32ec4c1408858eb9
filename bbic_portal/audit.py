"""The audit log (portal.md, "Audit"): one append-only SQLite table in WAL mode, in its own file.

WAL lets `bbic audit` read while the portal writes. Triggers refuse every UPDATE and DELETE, so
not even a later bug in the portal can edit the log; this module only ever INSERTs and SELECTs.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Outcome = Literal["allowed", "refused", "error"]
COLUMNS = (
    "id",
    "at",
    "user",
    "roles",
    "client",
    "action",
    "report",
    "scope",
    "period",
    "as_of",
    "mode",
    "format",
    "outcome",
    "detail",
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,            -- UTC, ISO 8601 with a Z
    user TEXT NOT NULL,
    roles TEXT NOT NULL,
    client TEXT NOT NULL,
    action TEXT NOT NULL,        -- sign_in, sign_out, view, download, page
    report TEXT NOT NULL DEFAULT '',
    scope TEXT NOT NULL DEFAULT '',
    period TEXT NOT NULL DEFAULT '',
    as_of TEXT NOT NULL DEFAULT '',
    mode TEXT NOT NULL DEFAULT '',
    format TEXT NOT NULL DEFAULT '',
    outcome TEXT NOT NULL CHECK (outcome IN ('allowed', 'refused', 'error')),
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS audit_at ON audit (at);
CREATE INDEX IF NOT EXISTS audit_user_at ON audit (user, at);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""


@dataclass(frozen=True)
class Entry:
    user: str
    roles: str
    client: str
    action: str
    outcome: Outcome
    report: str = ""
    scope: str = ""
    period: str = ""
    as_of: str = ""
    mode: str = ""
    format: str = ""
    detail: str = ""


def utc_now_text(now: dt.datetime | None = None) -> str:
    moment = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    if read_only:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10, check_same_thread=False)
    else:
        con = sqlite3.connect(path, timeout=10, check_same_thread=False, isolation_level=None)
    con.execute("PRAGMA busy_timeout = 10000")
    return con


class AuditLog:
    """The portal's writer: one connection, serialised by a lock (SQLite has one writer anyway)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            path.touch(mode=0o600)
        self._con = _connect(path)
        self._con.execute("PRAGMA journal_mode = WAL")
        self._con.execute("PRAGMA synchronous = NORMAL")
        self._con.executescript(_SCHEMA)
        self._lock = threading.Lock()

    def record(self, entry: Entry, *, at: dt.datetime | None = None) -> None:
        with self._lock:
            self._con.execute(
                "INSERT INTO audit (at, user, roles, client, action, report, scope, period, as_of, mode, "
                "format, outcome, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    utc_now_text(at),
                    entry.user,
                    entry.roles,
                    entry.client,
                    entry.action,
                    entry.report,
                    entry.scope,
                    entry.period,
                    entry.as_of,
                    entry.mode,
                    entry.format,
                    entry.outcome,
                    entry.detail,
                ),
            )

    def failures_since(self, user: str, since: dt.datetime) -> list[str]:
        """Times of the failed sign-ins (wrong password) of `user` since `since`, after the last success."""
        with self._lock:
            rows = self._con.execute(
                "SELECT at, outcome FROM audit WHERE user = ? AND action = 'sign_in' AND at >= ? "
                "AND detail IN ('fel lösenord', 'inloggad') ORDER BY id",
                (user, utc_now_text(since)),
            ).fetchall()
        failures: list[str] = []
        for at, outcome in rows:
            if outcome == "allowed":
                failures = []
            else:
                failures.append(str(at))
        return failures

    def close(self) -> None:
        with self._lock:
            self._con.close()


def query(
    path: Path,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    user: str = "",
    scope: str = "",
    limit: int | None = None,
) -> list[dict[str, str]]:
    """Rows of the log, newest first, read over a read-only connection (the portal may be writing)."""
    if not path.exists():
        return []
    where, params = ["1 = 1"], []
    if since is not None:
        where.append("at >= ?")
        params.append(since.isoformat())
    if until is not None:
        where.append("at < ?")
        params.append((until + dt.timedelta(days=1)).isoformat())
    if user:
        where.append("user = ?")
        params.append(user)
    if scope:
        where.append("scope = ?")
        params.append(scope)
    sql = f"SELECT {', '.join(COLUMNS)} FROM audit WHERE {' AND '.join(where)} ORDER BY id DESC"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    con = _connect(path, read_only=True)
    try:
        rows = con.execute(sql, params).fetchall()
    finally:
        con.close()
    return [{c: "" if v is None else str(v) for c, v in zip(COLUMNS, row, strict=True)} for row in rows]


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: str) -> str:
    """A cell a spreadsheet will not run as a formula (user names and addresses are untrusted)."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def to_csv(rows: Iterable[dict[str, str]], columns: Sequence[str] = COLUMNS) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([csv_safe(row[c]) for c in columns])
    return out.getvalue()
