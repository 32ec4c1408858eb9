"""Runs every row rule (V001–V050) over the eight files, set-based, and builds the output tables.

Order: the rows enter DuckDB normalised (personal numbers already pseudonymised), one file at a
time; every rule that judges a row by itself records its hits (one scan per file for all of
them), then the rules that join files, then the V005 cascade in LOAD_ORDER, then V015 against
the clean staff, and last the output tables and the accounting.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from bbic_core import contract
from bbic_core.pseudonym import Pseudonymiser
from bbic_core.validation.rows import (
    columns,
    content,
    dates,
    inputs,
    keys,
    normalise,
    outputs,
    personnummer_rules,
    pnr_in_text,
    references,
    values,
)
from bbic_core.validation.rows.row_context import RowContext
from bbic_core.validation.rows.sql import HITS, Hit, Statement, merged_hits


@dataclass(frozen=True, slots=True)
class FileCounts:
    read: int
    loaded: int
    quarantined: int
    rules: Mapping[str, int]  # code -> rows
    own_errors: int  # rows breaking an error rule themselves (X008)


def validate_rows(con: duckdb.DuckDBPyConnection, files: Iterable[tuple[str, inputs.RawFileLike]], *,
                  ctx: RowContext, pseudonymiser: Pseudonymiser) -> dict[str, FileCounts]:
    """Applies the row rules to `files`, pairs of (file name, raw file) covering the eight contract
    files, a file whole or in parts (consecutive pairs of the same name, each part's rows in file
    order; an iterator is consumed one item at a time, so only a few Arrow tables are held at once);
    returns counts per file name.

    Leaves `clean_<table>`, `quarantine` and `findings` in `con`, and no internal table.
    """
    try:
        return _run(con, files, ctx, pseudonymiser)
    finally:
        outputs.drop_internal(con)


_WORKERS = 2


@dataclass(frozen=True)
class _Ready:
    """A file read, prepared and normalised in Arrow, waiting for its load into DuckDB."""

    unknown: list[str]
    header_line: int
    rows: int
    normalised: normalise.Normalised
    pnr_hits: pa.Table | None = None  # V007: (_line, column_name) of ids that held a personal number


def _prepared_files(con: duckdb.DuckDBPyConnection, files: Iterable[tuple[str, inputs.RawFileLike]],
                    pseudonymiser: Pseudonymiser) -> Iterator[_Ready]:
    """The files, each read, prepared and normalised ahead of its load, in the order they get ready.

    Two worker threads parse, pseudonymise and normalise (pyarrow, numpy, hashlib) while DuckDB writes
    the file that is ready: on two cores the stages overlap instead of leaving a core idle. Two, not
    one: `barn`'s personal numbers are a long single-threaded step (checksums, pseudonyms), and the
    other worker prepares the next files meanwhile (docs/decisions.md, "Load performance"). The files
    (or their parts) are taken from `files` one at a time (under a lock: it reads as it goes), so at
    most three of them are held as Arrow columns at once: two being prepared, one being written.
    """
    items = iter(files)
    taking = threading.Lock()
    cursors = threading.local()
    opened: list[duckdb.DuckDBPyConnection] = []  # every worker's cursor, closed at the end

    def step() -> _Ready | None:
        with taking:
            item = next(items, None)
        if item is None:
            return None
        name, raw = item
        if not hasattr(cursors, "cursor"):  # DuckDB cursors are not shared between threads
            cursors.cursor = con.cursor()
            opened.append(cursors.cursor)
        spec = contract.BY_NAME[name]
        unknown = list(raw.unknown_columns)
        prepared = inputs.prepare(spec, raw, pseudonymiser)
        prepared, pnr_hits = pnr_in_text.replace_in_ids(spec, prepared, pseudonymiser)
        return _Ready(unknown, raw.header_line, raw.table.num_rows,
                      normalise.normalised(cursors.cursor, spec, prepared, len(unknown)), pnr_hits)

    try:
        with ThreadPoolExecutor(max_workers=_WORKERS, thread_name_prefix="bbic-prepare") as pool:
            pending = {pool.submit(step) for _ in range(_WORKERS)}
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    ready = future.result()
                    if ready is None:
                        continue
                    pending.add(pool.submit(step))
                    yield ready
                    del ready
    finally:
        for cursor in opened:
            cursor.close()


def _run(con: duckdb.DuckDBPyConnection, files: Iterable[tuple[str, inputs.RawFileLike]], ctx: RowContext,
         pseudonymiser: Pseudonymiser) -> dict[str, FileCounts]:
    con.execute(f"CREATE OR REPLACE TABLE {HITS} (tbl VARCHAR, line INTEGER, column_name VARCHAR, "
                "code VARCHAR, severity VARCHAR, message VARCHAR, counts BOOLEAN)")
    unknown: dict[str, list[str]] = {}
    header_lines: dict[str, int] = {}
    read: dict[str, int] = {}
    for ready in _prepared_files(con, files, pseudonymiser):
        table = ready.normalised.table
        # A later part (parts get ready in any order) adds its rows to the tables the first one made.
        later = table in read
        unknown[table], header_lines[table] = ready.unknown, ready.header_line
        read[table] = read.get(table, 0) + ready.rows
        (normalise.append if later else normalise.load)(con, ready.normalised)
        if ready.pnr_hits is not None:
            pnr_in_text.record(con, table, ready.pnr_hits)
        del ready  # the file's Arrow columns are released as soon as DuckDB holds them
    missing = [spec.name for spec in contract.FILES if spec.table not in unknown]
    if missing:
        raise ValueError(f"row validation needs every contract file; missing: {', '.join(missing)}")
    one_row: dict[str, list[Hit]] = defaultdict(list)
    joined: list[str] = []

    def add(found: Iterable[Statement]) -> None:
        for statement in found:
            if isinstance(statement, Hit):
                one_row[statement.table].append(statement)
            else:
                joined.append(statement)

    for spec in contract.FILES:
        add(values.statements(spec, ctx))
        add(keys.statements(spec))
        add(dates.statements(spec, ctx))
        add(references.own_statements(spec))
        columns.record(con, spec.table, unknown[spec.table], header_lines[spec.table])
    add(personnummer_rules.statements())
    add(content.statements())
    for table, hits in one_row.items():
        con.execute(merged_hits(table, hits))
    for sql in joined:
        con.execute(sql)
    references.cascade(con)
    references.personal_keys(con)
    for spec in contract.FILES:
        for sql in references.handlaggare_statements(spec):
            con.execute(sql)

    outputs.create_empty(con)
    quarantined = references.quarantined_counts(con)
    for spec in contract.FILES:
        if quarantined.get(spec.table, 0):
            outputs.insert_quarantine(con, spec, unknown[spec.table])
        outputs.build_clean(con, spec, len(unknown[spec.table]), quarantined.get(spec.table, 0))
    outputs.build_findings(con)
    rule_counts = outputs.rule_counts(con)
    own = outputs.own_error_rows(con)
    result: dict[str, FileCounts] = {}
    for spec in contract.FILES:
        rows = read[spec.table]
        loaded, quarantined_rows = outputs.row_counts(con, spec)
        if rows != loaded + quarantined_rows:  # a broken invariant must never pass silently
            raise AssertionError(
                f"{spec.name}: read {rows} != loaded {loaded} + quarantined {quarantined_rows}")
        result[spec.name] = FileCounts(rows, loaded, quarantined_rows, dict(rule_counts.get(spec.table, {})),
                                       own.get(spec.table, 0))
    return result
