"""The engine prepares files in two worker threads and loads them as they get ready: the files are
taken from the caller's iterator one at a time, and the outcome does not depend on which is ready first."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import duckdb
import pyarrow as pa
import pytest
from rows_fixtures import AS_OF, base_tables, new_pseudonymiser, raw_files

from bbic_core import contract
from bbic_core.pseudonym import Pseudonymiser
from bbic_core.validation.rows import RowContext, engine, inputs, validate_rows


def _faulty_tables() -> dict[str, list[dict[str, str]]]:
    t = base_tables()
    t["arende"].append({**t["arende"][0], "arende_id": "A9", "barn_id": "B9"})  # V005
    t["personal"].append({**t["personal"][0], "roll": "ENHETSCHEF"})  # V004: both quarantined
    return t


def _outcome(con: duckdb.DuckDBPyConnection, counts: dict[str, engine.FileCounts]) -> object:
    tables = {name: con.execute(f"SELECT * FROM {name} ORDER BY ALL").fetchall()
              for (name,) in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()}
    return counts, tables


def test_files_are_taken_one_at_a_time_and_the_slow_one_does_not_change_the_outcome(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    files = raw_files(_faulty_tables())
    ctx = RowContext(as_of=AS_OF, districts=None)
    pseudonymiser = new_pseudonymiser()

    expected_con = duckdb.connect()
    expected = _outcome(expected_con, validate_rows(expected_con, files.items(), ctx=ctx,
                                                    pseudonymiser=pseudonymiser))

    taking = threading.Lock()
    taken: list[str] = []

    def one_at_a_time() -> Iterator[tuple[str, inputs.RawFileLike]]:
        for name, raw in files.items():
            assert taking.acquire(blocking=False), "two workers read from the files at once"
            time.sleep(0.01)  # a read takes time: a second worker would arrive meanwhile
            taken.append(name)
            taking.release()
            yield name, raw

    real_prepare = inputs.prepare

    def barn_last(spec: contract.FileSpec, raw: inputs.RawFileLike, p: Pseudonymiser) -> pa.Table:
        if spec.table == "barn":
            time.sleep(0.3)  # barn's personal numbers: ready after the files behind it
        return real_prepare(spec, raw, p)

    monkeypatch.setattr(inputs, "prepare", barn_last)
    loaded: list[str] = []
    real_load = engine.normalise.load
    monkeypatch.setattr(engine.normalise, "load",
                        lambda con, ready: (loaded.append(ready.table), real_load(con, ready))[1])
    con = duckdb.connect()
    got = _outcome(con, validate_rows(con, one_at_a_time(), ctx=ctx, pseudonymiser=pseudonymiser))
    assert taken == list(files)
    assert loaded[0] != "barn" and "barn" in loaded  # loaded as ready, not in the files' order
    assert got == expected
