"""Fixtures of the figures tests: the hand-made snapshot and its register."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest
from figures_fixture import fixture_register, load_fixture

from bbic_core.register import Register


@pytest.fixture(scope="module")
def register() -> Register:
    return fixture_register()


@pytest.fixture(scope="module")
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    load_fixture(connection)
    yield connection
    connection.close()
