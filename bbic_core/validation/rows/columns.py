"""V050: a column the contract does not know is ignored and reported once per file (on the header line)."""

from __future__ import annotations

from collections.abc import Sequence

import duckdb

from bbic_core import rules
from bbic_core.validation.refusal import safe_text
from bbic_core.validation.rows.sql import HITS

# What the finding says of a header name that is empty (most often a trailing `;` on the header line).
EMPTY_NAME = "(tomt kolumnnamn, t.ex. ett avslutande ;)"


def record(con: duckdb.DuckDBPyConnection, table: str, unknown: Sequence[str], header_line: int = 1) -> None:
    rule = rules.rule("V050")
    rows = []
    for name in unknown:
        shown = safe_text(name)[:80]  # one line, no personal-number shapes
        detail = shown if shown.strip(" \t") else EMPTY_NAME
        message = f"{rule.message_sv}: {detail}"
        rows.append((table, header_line, shown, rule.code, rule.severity.value, message, False))
    if rows:
        con.executemany(f"INSERT INTO {HITS} VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
