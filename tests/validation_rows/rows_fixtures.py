"""Builders for the row-rule tests: RawFile-shaped inputs from dict rows, synthetic personal numbers,
and one small export that breaks no rule, which each test changes in one place."""

from __future__ import annotations

import copy
import datetime as dt
import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa

from bbic_core import contract
from bbic_core.pseudonym import Pseudonymiser
from bbic_core.validation.rows import FileCounts, RowContext, validate_rows

AS_OF = dt.date(2025, 6, 30)
Row = dict[str, str]


def luhn_pnr(date: str, serial: str = "123") -> str:
    """A synthetic valid personnummer: 8-digit date, 3-digit serial, and its Luhn check digit."""
    digits = (date + serial)[2:]
    total = 0
    for i, ch in enumerate(digits):
        p = int(ch) * (2 if i % 2 == 0 else 1)
        total += p - 9 if p > 9 else p
    return date + serial + str((10 - total % 10) % 10)


@dataclass
class FakeRawFile:
    table: pa.Table
    unknown_columns: list[str] = field(default_factory=list)
    extra_values: pa.Table | None = None
    header_line: int = 1

    @property
    def rows_read(self) -> int:
        return int(self.table.num_rows)


def raw_file(spec: contract.FileSpec, rows: Sequence[Mapping[str, Any]]) -> FakeRawFile:
    """A RawFile as the reader gives it: contract columns as strings ("" when absent), `_line`
    (header = 1, so data rows start at 2), `_extra`; keys not in the contract become unknown columns
    and a key `_extra` (a list) holds surplus fields."""
    cols: dict[str, list[Any]] = {c: [str(r.get(c) or "") for r in rows] for c in spec.column_names}
    cols["_line"] = [int(r["_line"]) if "_line" in r else i + 2 for i, r in enumerate(rows)]
    cols["_extra"] = [json.dumps(r["_extra"]) if r.get("_extra") else None for r in rows]
    table = pa.table(
        {
            **{c: pa.array(cols[c], pa.string()) for c in spec.column_names},
            "_line": pa.array(cols["_line"], pa.int32()),
            "_extra": pa.array(cols["_extra"], pa.string()),
        }
    )
    unknown = [k for r in rows for k in r if k not in spec.column_names and k not in ("_line", "_extra")]
    unknown = list(dict.fromkeys(unknown))
    extra = (
        pa.table({u: pa.array([r.get(u, "") for r in rows], pa.string()) for u in unknown})
        if unknown
        else None
    )
    return FakeRawFile(table, unknown, extra)


PNR_1 = luhn_pnr("20150312", "123")  # boy (odd sex digit 3)
PNR_2 = luhn_pnr("20180704", "244")  # girl (even sex digit 4)


def base_tables() -> dict[str, list[Row]]:
    """One child with a case, a report that led to an investigation, an intervention, a document."""
    return copy.deepcopy(
        {
            "personal": [
                {
                    "handlaggare_id": "H1",
                    "stadsdel": "bromma",
                    "roll": "HANDLAGGARE",
                    "bbic_anvandare": "J",
                    "anstalld_fran": "2010-01-01",
                },
            ],
            "barn": [
                {
                    "barn_id": "B1",
                    "personnummer": PNR_1,
                    "fodelsedatum": "2015-03-12",
                    "kon": "1",
                    "folkbokford_kommun": "0180",
                },
                {"barn_id": "B2", "personnummer": PNR_2, "kon": "2"},
            ],
            "arende": [
                {"arende_id": "A1", "barn_id": "B1", "stadsdel": "bromma", "oppnat_datum": "2024-01-10"},
            ],
            "aktualisering": [
                {
                    "aktualisering_id": "K1",
                    "barn_id": "B1",
                    "arende_id": "A1",
                    "stadsdel": "bromma",
                    "typ": "ANMALAN",
                    "inkom_datum": "2024-01-10",
                    "anmalare": "SKOLA",
                    "anonym": "N",
                    "orsak": "BRISTANDE_OMSORG",
                    "skyddsbedomning_datum": "2024-01-10",
                    "forhandsbedomning_datum": "2024-01-20",
                    "forhandsbedomning_beslut": "INLEDA",
                    "bbic_formular": "J",
                    "handlaggare_id": "H1",
                },
            ],
            "utredning": [
                {
                    "utredning_id": "U1",
                    "barn_id": "B1",
                    "arende_id": "A1",
                    "aktualisering_id": "K1",
                    "stadsdel": "bromma",
                    "inledd_datum": "2024-01-20",
                    "avslutad_datum": "2024-05-01",
                    "resultat": "INSATS",
                    "bbic_formular": "J",
                    "triangel_version": "2016",
                    "handlaggare_id": "H1",
                },
            ],
            "utredning_bedomning": [
                {"utredning_id": "U1", "omrade": "BU_HALSA", "bedomning": "BEHOV"},
            ],
            "insats": [
                {
                    "insats_id": "I1",
                    "barn_id": "B1",
                    "arende_id": "A1",
                    "utredning_id": "U1",
                    "stadsdel": "bromma",
                    "insatstyp": "KONTAKTPERSON",
                    "lagrum": "SOL",
                    "beslut_datum": "2024-05-02",
                    "handlaggare_id": "H1",
                },
            ],
            "dokument": [
                {
                    "dokument_id": "D1",
                    "barn_id": "B1",
                    "insats_id": "I1",
                    "typ": "GENOMFORANDEPLAN",
                    "datum": "2024-05-10",
                    "bbic_formular": "J",
                },
            ],
        }
    )


def raw_files(tables: Mapping[str, Sequence[Mapping[str, Any]]]) -> dict[str, FakeRawFile]:
    return {spec.name: raw_file(spec, tables.get(spec.table, [])) for spec in contract.FILES}


def new_pseudonymiser() -> Pseudonymiser:
    return Pseudonymiser(secrets.token_bytes(32))


@dataclass
class RowsRun:
    con: duckdb.DuckDBPyConnection
    counts: dict[str, FileCounts]

    def findings(self, file: str | None = None) -> list[tuple[str, int, str | None, str]]:
        """(file, line, column, code) of every finding, optionally of one file."""
        sql = "SELECT file, line, column_name, code FROM findings"
        rows = self.con.execute(sql).fetchall()
        return [tuple(r) for r in rows if file is None or r[0] == file]  # type: ignore[misc]

    def codes(self, file: str) -> set[str]:
        return {f[3] for f in self.findings(file)}

    def hits(self, file: str, code: str) -> list[int]:
        return sorted({f[1] for f in self.findings(file) if f[3] == code})

    def quarantined(self, file: str) -> dict[int, list[str]]:
        rows = self.con.execute("SELECT line, rules FROM quarantine WHERE file = ?", [file]).fetchall()
        return {int(line): list(rules) for line, rules in rows}


def run_rows(
    tables: Mapping[str, Sequence[Mapping[str, Any]]],
    *,
    districts: set[str] | None = None,
    as_of: dt.date = AS_OF,
    pseudonymiser: Pseudonymiser | None = None,
) -> RowsRun:
    con = duckdb.connect()
    ctx = RowContext(as_of=as_of, districts=None if districts is None else frozenset(districts))
    counts = validate_rows(
        con, raw_files(tables).items(), ctx=ctx, pseudonymiser=pseudonymiser or new_pseudonymiser()
    )
    return RowsRun(con, counts)
