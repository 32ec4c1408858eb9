"""Real export folders for the end-to-end tests (written with `bbic_core.export_writer`), and fakes
of the load history and the register."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
from rows_fixtures import new_pseudonymiser

from bbic_core.export_writer import write_export
from bbic_core.validation.result import ValidationResult, ValidationSettings
from bbic_core.validation.validate import validate_export

CREATED = "2025-06-30T22:00:00+02:00"


@dataclass(frozen=True)
class FakeMunicipality:
    code: str


@dataclass
class FakeRegister:
    municipality: FakeMunicipality = field(default_factory=lambda: FakeMunicipality("0180"))
    districts: set[str] = field(default_factory=lambda: {"bromma"})

    def district_codes(self) -> set[str]:
        return set(self.districts)


@dataclass
class FakeHistory:
    loaded: dict[str, dict[str, str]] = field(default_factory=dict)
    current: dt.datetime | None = None

    def checksums_for(self, export_id: str) -> dict[str, str] | None:
        return self.loaded.get(export_id)

    def current_created_at(self) -> dt.datetime | None:
        return self.current


def write(
    folder: Path,
    tables: dict[str, list[dict[str, str]]],
    *,
    export_id: str = "exp-1",
    created_at: str = CREATED,
    municipality: str = "0180",
) -> Path:
    return write_export(folder, tables, export_id=export_id, created_at=created_at, municipality=municipality)


def manifest_checksums(folder: Path) -> dict[str, str]:
    manifest: dict[str, Any] = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return {f["name"]: f["sha256"] for f in manifest["files"]}


def validate(
    folder: Path,
    *,
    register: FakeRegister | None = None,
    history: FakeHistory | None = None,
    settings: ValidationSettings | None = None,
) -> tuple[ValidationResult, duckdb.DuckDBPyConnection]:
    con = duckdb.connect()
    result = validate_export(
        folder,
        register=register,
        con=con,
        pseudonymiser=new_pseudonymiser(),
        history=history,
        settings=settings or ValidationSettings(),
    )
    return result, con


def tables_in(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {str(r[0]) for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
