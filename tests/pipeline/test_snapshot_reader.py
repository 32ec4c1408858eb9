"""The marts read the snapshot file in place: the same figures as from memory, the history's other
exports left out, and the file never written through that connection."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

import duckdb
import pytest

from bbic_core.figures import default_scopes, produce_reports, standard_requests
from pipelines.snapshot_reader import read_snapshot

FIGURES_TESTS = Path(__file__).resolve().parent.parent / "figures"


def figures_fixture() -> ModuleType:
    """The figures' key-test snapshot and register (a sibling test folder, not a package)."""
    if str(FIGURES_TESTS) not in sys.path:
        sys.path.insert(0, str(FIGURES_TESTS))
    return importlib.import_module("figures_fixture")


def test_figures_from_the_file_equal_those_from_memory(tmp_path: Path) -> None:
    fixture = figures_fixture()
    register = fixture.fixture_register()
    path = tmp_path / "bbic.duckdb"
    writer = duckdb.connect(str(path))
    fixture.load_fixture(writer)
    # the history keeps an earlier export's quarantine: rows that would count if the export were not named
    writer.execute("INSERT INTO quarantine BY NAME "
                   "SELECT * REPLACE ('EXP-EARLIER' AS export_id) FROM quarantine")
    writer.close()
    memory = duckdb.connect()
    fixture.load_fixture(memory)
    requests = standard_requests(register, fixture.A, default_scopes(register, fixture.A))
    expected = produce_reports(memory, register, requests)
    con = read_snapshot(path)
    try:
        (exports,) = con.execute("SELECT count(DISTINCT export_id) FROM quarantine").fetchone() or (0,)
        assert exports >= 2
        found = produce_reports(con, register, requests)
        with pytest.raises(duckdb.Error):
            con.execute("CREATE TABLE written (x INTEGER)")
    finally:
        con.close()
        memory.close()
    assert [(p.request, p.context, p.figures) for p in found] == [
        (p.request, p.context, p.figures) for p in expected]
    assert any(p.context.quarantined for p in found)
