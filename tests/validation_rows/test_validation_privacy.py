"""No raw personal number of the fixture anywhere in DuckDB after validation, nor in the CLI output."""

from __future__ import annotations

from pathlib import Path

import duckdb
from export_fixtures import write
from rows_fixtures import PNR_1, PNR_2, base_tables, luhn_pnr
from typer.testing import CliRunner

from bbic_core.export_writer import write_manifest
from bbic_core.validation.result import ValidationResult

INVALID = PNR_1[:-1] + str((int(PNR_1[-1]) + 3) % 10)
SAMORDNING = luhn_pnr("20160471", "381")
IN_TEXT = luhn_pnr("19800101", "222")  # a parent's number typed into free text
IN_EXTRA = luhn_pnr("19810202", "333")
IN_DATE = luhn_pnr("20140505", "444")
QUARANTINED = luhn_pnr("20130606", "555")
IN_CODE = luhn_pnr("19790303", "666")  # typed into a code column of another file than barn
NUMBERS = (PNR_1, PNR_2, INVALID, SAMORDNING, IN_TEXT, IN_EXTRA, IN_DATE, QUARANTINED, IN_CODE)


def _needles() -> list[str]:
    """Every way a number could appear: 12 or 10 digits, with or without the separator."""
    out: list[str] = []
    for n in NUMBERS:
        out += [n, n[:8] + "-" + n[8:], n[2:], n[2:8] + "-" + n[8:]]
    return out


def _export(tmp_path: Path) -> Path:
    t = base_tables()
    t["barn"] = [
        {"barn_id": "B1", "personnummer": PNR_1, "anteckning": f"mor {IN_TEXT}"},
        {"barn_id": "B2", "personnummer": PNR_2[:8] + "-" + PNR_2[8:]},
        {"barn_id": "B3", "personnummer": INVALID, "fodelsedatum": "2015-03-12"},
        {"barn_id": "B4", "personnummer": SAMORDNING},
        {"barn_id": "B5", "fodelsedatum": IN_DATE},  # V002 and V013: the row is quarantined
        {"barn_id": "B6", "personnummer": QUARANTINED, "kon": "X"},  # V003: quarantined, number valid
        {"barn_id": "B7", "personnummer": INVALID, "kon": "Y"},  # quarantined with an invalid number
    ]
    t["aktualisering"].append({**t["aktualisering"][0], "aktualisering_id": "K2", "orsak": IN_CODE})  # V003
    folder = write(tmp_path / "e", t)
    barn = folder / "barn.csv"
    text = barn.read_text(encoding="utf-8")
    barn.write_text(text + f"B8;;2015-01-01;;;;{IN_EXTRA}\n", encoding="utf-8")  # one field too many: V006
    counts = {
        name: len(t.get(name.removesuffix(".csv"), []))
        for name in [p.name for p in sorted(folder.glob("*.csv"))]
    }
    counts["barn.csv"] += 1
    write_manifest(
        folder,
        export_id="exp-1",
        municipality="0180",
        created_at="2025-06-30T22:00:00+02:00",
        row_counts=counts,
    )
    return folder


def _hits(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
    found: list[tuple[str, str, str]] = []
    columns = con.execute(
        "SELECT table_name, column_name FROM duckdb_columns() "
        "WHERE NOT internal AND data_type IN ('VARCHAR', 'VARCHAR[]')"
    ).fetchall()
    assert ("quarantine", "raw_json") in columns and ("findings", "message") in columns
    for table, column in columns:
        for needle in _needles():
            (n,) = con.execute(
                f'SELECT count(*) FROM "{table}" WHERE contains(CAST("{column}" AS VARCHAR), ?)', [needle]
            ).fetchall()[0]
            if n:
                found.append((table, column, needle))
    return found


def test_no_raw_personal_number_in_any_table(tmp_path: Path) -> None:
    from export_fixtures import validate

    result, con = validate(_export(tmp_path))
    assert isinstance(result, ValidationResult) and result.outcome == "accepted"
    assert result.files["barn.csv"].quarantined == 4  # B5, B6, B7, B8
    assert _hits(con) == []
    raw = dict(con.execute("SELECT line, raw_json FROM quarantine WHERE file = 'barn.csv'").fetchall())
    assert '"personnummer":"p_' in raw[7] and '"personnummer":"***"' in raw[8]
    assert '"anteckning"' in raw[7] and '"_extra":["***"]' in raw[9]
    (akt,) = con.execute("SELECT raw_json FROM quarantine WHERE file = 'aktualisering.csv'").fetchall()
    assert '"orsak":"***"' in akt[0]
    (pseudonyms,) = con.execute("SELECT count(pseudonym) FROM clean_barn").fetchall()[0]
    assert pseudonyms == 3  # B1, B2, B4; B3's number is invalid


def test_no_raw_personal_number_in_cli_output(tmp_path: Path) -> None:
    import typer

    from bbic_cli.validate_cmd import validate as validate_cmd

    app = typer.Typer()
    app.command()(validate_cmd)
    folder = _export(tmp_path)
    for args in ([str(folder)], [str(folder), "--json"]):
        out = CliRunner().invoke(app, args)
        assert out.exit_code == 0, out.output
        assert "barn.csv" in out.output
        assert not [n for n in _needles() if n in out.output]


def test_an_unknown_column_named_like_a_personal_number_is_masked(tmp_path: Path) -> None:
    from export_fixtures import validate

    in_header = luhn_pnr("19770707", "777")
    t = base_tables()
    t["barn"] = [
        {"barn_id": "B1", "personnummer": PNR_1},
        {"barn_id": "B2", "personnummer": PNR_2, "kon": "X"},  # V003: quarantined, raw_json kept
    ]
    folder = write(tmp_path / "e", t)
    barn = folder / "barn.csv"
    header, *rows = barn.read_text(encoding="utf-8").splitlines()
    barn.write_text("\n".join([f"{header};{in_header}", *(f"{r};x" for r in rows)]) + "\n", encoding="utf-8")
    counts = {p.name: len(t.get(p.name.removesuffix(".csv"), [])) for p in sorted(folder.glob("*.csv"))}
    write_manifest(folder, export_id="exp-2", municipality="0180", created_at="2025-06-30T22:00:00+02:00",
                   row_counts=counts)
    result, con = validate(folder)
    assert result.outcome == "accepted" and result.files["barn.csv"].quarantined == 1
    (raw,) = con.execute("SELECT raw_json FROM quarantine WHERE file = 'barn.csv'").fetchone() or ("",)
    assert '"***":"x"' in raw  # the column is kept, under its masked name
    dashed = in_header[:8] + "-" + in_header[8:]
    needles = [in_header, in_header[2:], dashed, dashed[2:]]
    for table, column in con.execute(
        "SELECT table_name, column_name FROM duckdb_columns() WHERE NOT internal AND data_type = 'VARCHAR'"
    ).fetchall():
        for needle in needles:
            (n,) = con.execute(
                f'SELECT count(*) FROM "{table}" WHERE contains("{column}", ?)', [needle]
            ).fetchall()[0]
            assert n == 0, (table, column)
