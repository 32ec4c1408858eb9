"""V050: a column the contract does not know is ignored and reported once per file (on the header line)."""

from __future__ import annotations

import re
from collections.abc import Sequence

import duckdb

from bbic_core import rules
from bbic_core.validation.rows.sql import HITS, PNR_LIKE

HEADER_LINE = 1


def record(con: duckdb.DuckDBPyConnection, table: str, unknown: Sequence[str]) -> None:
    rule = rules.rule("V050")
    rows = [
        (table, HEADER_LINE, re.sub(PNR_LIKE, "***", name)[:80], rule.code, rule.severity.value,
         f"{rule.message_sv}: {re.sub(PNR_LIKE, '***', name)[:80]}", False)
        for name in unknown
    ]
    if rows:
        con.executemany(f"INSERT INTO {HITS} VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
