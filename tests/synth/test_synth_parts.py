"""A large file is validated in parts: the outcome, every finding, the quarantine and the clean tables
are exactly those of the file validated whole (faults of every kind, quoted line breaks, CRLF)."""

from __future__ import annotations

from typing import Any

import duckdb
import pytest

import bbic_core.validation.csv_scan as csv_scan
from bbic_core import contract
from bbic_core.pseudonym import Pseudonymiser
from bbic_core.register import load_register
from bbic_core.synth.generate import SynthResult
from bbic_core.validation.validate import validate_export

KEY = b"synth-tests-key-synth-tests-key-0123456789"


def _everything(result: SynthResult) -> tuple[Any, dict[str, list[tuple[Any, ...]]]]:
    register = load_register(result.register_dir, today=result.as_of)
    con = duckdb.connect()
    validation = validate_export(result.export_dir, register=register, con=con,
                                 pseudonymiser=Pseudonymiser(KEY))
    tables = ["findings", "quarantine", *(f"clean_{spec.table}" for spec in contract.FILES)]
    rows = {t: sorted(con.sql(f"SELECT * FROM {t}").fetchall(), key=repr) for t in tables}
    con.close()
    return validation.model_dump(), rows


@pytest.mark.parametrize("part_bytes", [3_000, 40_000])
def test_an_export_validated_in_parts_is_the_export_validated_whole(
        demo_faults_cp1252: SynthResult, monkeypatch: pytest.MonkeyPatch, part_bytes: int) -> None:
    whole = _everything(demo_faults_cp1252)
    monkeypatch.setattr(csv_scan, "PART_BYTES", part_bytes)
    biggest = max(demo_faults_cp1252.export_dir.glob("*.csv"), key=lambda f: f.stat().st_size)
    assert csv_scan.scan_file(lambda: biggest.open("rb"), "cp1252").cut_rows.size >= 2  # in parts indeed
    in_parts = _everything(demo_faults_cp1252)
    assert in_parts[0] == whole[0]
    for table, rows in whole[1].items():
        assert in_parts[1][table] == rows, table
    assert whole[1]["findings"] and whole[1]["quarantine"]
