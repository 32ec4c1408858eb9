"""An export dated in the future (beyond the clock tolerance) is refused X001: loaded, it would make every
later real export look out of order (X009)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
from export_fixtures import write
from rows_fixtures import base_tables, new_pseudonymiser

from bbic_core.validation.result import ValidationResult, ValidationSettings
from bbic_core.validation.validate import validate_export

NOW = dt.datetime(2025, 7, 1, 3, 0, tzinfo=dt.UTC)


def _validate(folder: Path, now: dt.datetime = NOW) -> ValidationResult:
    return validate_export(folder, register=None, con=duckdb.connect(), pseudonymiser=new_pseudonymiser(),
                           settings=ValidationSettings(), now=now)


def test_created_at_in_9999_is_refused_x001(tmp_path: Path) -> None:
    result = _validate(write(tmp_path / "e", base_tables(), created_at="9999-12-31T23:59:59+01:00"))
    assert result.outcome == "refused" and result.refusal is not None
    assert result.refusal.code == "X001" and result.refusal.file == "manifest.json"
    expected = "manifest.json: created_at 9999-12-31T23:59:59+01:00 is in the future"
    assert result.refusal.message.startswith(expected)


def test_created_at_within_the_tolerance_is_accepted(tmp_path: Path) -> None:
    # A server that writes Stockholm time with a `Z`: two hours ahead in summer.
    result = _validate(write(tmp_path / "e", base_tables(), created_at="2025-07-01T04:59:00Z"))
    assert result.outcome == "accepted", result.refusal


def test_created_at_just_beyond_the_tolerance_is_refused(tmp_path: Path) -> None:
    result = _validate(write(tmp_path / "e", base_tables(), created_at="2025-07-01T05:01:00Z"))
    assert result.refusal is not None and result.refusal.code == "X001"


def test_the_clock_is_the_real_one_by_default(tmp_path: Path) -> None:
    result = validate_export(write(tmp_path / "e", base_tables(), created_at="2200-01-01T00:00:00Z"),
                             register=None, con=duckdb.connect(), pseudonymiser=new_pseudonymiser())
    assert result.refusal is not None and result.refusal.code == "X001"
