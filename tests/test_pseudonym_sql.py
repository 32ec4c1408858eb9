"""The pseudonym in SQL: byte for byte Python's HMAC, the key only as bound parameters, and a private
connection that writes no file."""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_pseudonym import valid_numbers

from bbic_core.pseudonym import (
    MIN_KEY_BYTES,
    PSEUDONYM_PREFIX,
    Pseudonymiser,
    private_connection,
    pseudonym_sql,
)

SETTINGS = settings(max_examples=150, database=None, deadline=None)
# Keys shorter than SHA-256's block, exactly one block, and longer (HMAC hashes those first).
KEYS = st.binary(min_size=MIN_KEY_BYTES, max_size=200)


def _sql_pseudonyms(p: Pseudonymiser, values: list[str]) -> list[str]:
    with private_connection() as con:
        con.execute("CREATE TABLE v (i INTEGER, x VARCHAR)")
        con.executemany("INSERT INTO v VALUES (?, ?)", list(enumerate(values)))
        rows = con.execute(f"SELECT {pseudonym_sql('x')} FROM v ORDER BY i", p.sql_parameters()).fetchall()
    return [str(r[0]) for r in rows]


@SETTINGS
@given(KEYS, st.lists(valid_numbers(), min_size=1, max_size=5))
def test_sql_gives_the_pseudonym_of_python(key: bytes, numbers: list[str]) -> None:
    p = Pseudonymiser(key)
    assert _sql_pseudonyms(p, numbers) == [p.pseudonym(n) for n in numbers]
    assert _sql_pseudonyms(p, numbers) == p.pseudonymise_array(pa.array(numbers)).to_pylist()


@SETTINGS
@given(KEYS, st.text(max_size=80))
def test_sql_is_hmac_sha256_of_any_text(key: bytes, text: str) -> None:
    expected = PSEUDONYM_PREFIX + hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()
    assert _sql_pseudonyms(Pseudonymiser(key), [text]) == [expected]


def test_null_stays_null() -> None:
    p = Pseudonymiser(b"k" * MIN_KEY_BYTES)
    with private_connection() as con:
        (row,) = con.execute(f"SELECT {pseudonym_sql('NULL::VARCHAR')}", p.sql_parameters()).fetchall()
    assert row == (None,)


def test_the_key_is_never_in_sql_text() -> None:
    key = b"synthetic-sql-test-key-0123456789abcdef"
    p = Pseudonymiser(key)
    sql = pseudonym_sql("x")
    pads = p.sql_parameters()
    assert set(pads) == {"inner_pad", "outer_pad"} and "$inner_pad" in sql and "$outer_pad" in sql
    for shown in (sql, repr(p)):
        assert key.decode() not in shown and key.hex() not in shown
        assert not any(pad.hex() in shown for pad in pads.values())


def test_the_private_connection_writes_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # DuckDB's default temp folder for an in-memory database is `.tmp` here
    with private_connection("32MB") as con:
        assert con.execute("SELECT current_setting('temp_directory')").fetchone() == ("",)
        with pytest.raises(duckdb.Error):  # nothing may be spilled: a query that does not fit fails
            con.execute("SELECT s, count(*) FROM (SELECT range::VARCHAR || repeat('x', 40) AS s "
                        "FROM range(3000000)) GROUP BY s ORDER BY s").fetchall()
        for change in ("SET temp_directory = 'spill'", "SET enable_external_access = true",
                       "SET memory_limit = '10GB'"):
            with pytest.raises(duckdb.Error):
                con.execute(change)
        with pytest.raises(duckdb.Error):
            con.execute("COPY (SELECT 1) TO 'out.csv'")
    assert os.listdir(tmp_path) == []
