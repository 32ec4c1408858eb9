"""`bbic report --kind jamforelse|arsrapport` through the shared compute-and-disclose step."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from bbic_cli.main import app
from bbic_core.figures import create_snapshot_schema, read_figures_csv
from bbic_core.register import sample_register_dir

AS_OF = dt.date(2025, 5, 31)


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    path = tmp_path / "bbic.duckdb"
    con = duckdb.connect(str(path))
    create_snapshot_schema(con)
    con.execute("INSERT INTO snapshot_meta VALUES ('exp-0180-1', '0180', now(), ?, now())", [AS_OF])
    con.execute("INSERT INTO aktualisering (aktualisering_id, barn_id, arende_id, stadsdel, typ, "
                "inkom_datum) VALUES ('AK1', 'B1', 'AR1', 'bromma', 'ANMALAN', DATE '2025-02-03')")
    con.close()
    return path


def _report(db_file: Path, out: Path, *args: str) -> list[str]:
    result = CliRunner().invoke(app, ["report", *args, "--db", str(db_file), "--register",
                                      str(sample_register_dir()), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return sorted(p.name for p in out.iterdir())


@pytest.mark.parametrize(("scope", "units"), [
    ("bromma", ["bromma", "vasterort", "0180"]),
    ("natverk:vasterort", ["rinkeby_kista", "spanga_tensta", "hasselby_vallingby", "bromma", "vasterort",
                           "0180"]),
    ("kommun", None),
])
def test_jamforelse_for_a_district_a_network_and_the_city(db_file: Path, tmp_path: Path, scope: str,
                                                          units: list[str] | None) -> None:
    out = tmp_path / "ut"
    names = _report(db_file, out, "--scope", scope, "--kind", "jamforelse", "--period", "2025-T1",
                    "--format", "csv")
    assert names == ["figures.csv"]
    figures = read_figures_csv(out / "figures.csv")
    assert {f.report for f in figures} == {"jamforelse"}
    found = list(dict.fromkeys(f.breakdown.split("&")[0].removeprefix("enhet=") for f in figures
                               if f.measure == "D1.nyckeltal"))
    if units is not None:
        assert found == units
    else:
        assert found[-1] == "0180" and len(found) == 14 + 4 + 1
    a1 = {f.breakdown: f.value for f in figures if f.measure == "D1.nyckeltal"}
    assert a1["enhet=bromma&nyckeltal=A1.aktualiseringar"] == "1"


def test_arsrapport_is_published_by_default_and_needs_a_year(db_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "ut"
    names = _report(db_file, out, "--scope", "bromma", "--kind", "arsrapport", "--period", "2025",
                    "--format", "html,csv")
    assert names == ["arsrapport_bromma_2025.html", "figures.csv"]
    figures = read_figures_csv(out / "figures.csv")
    # the single aktualisering of 2025 is a count of 1: suppressed in the published report
    a1 = {f.breakdown: f.value for f in figures if f.measure == "D1.nyckeltal"}
    assert a1["enhet=bromma&nyckeltal=A1.aktualiseringar"] == ".."
    e_ids = {f.measure for f in figures if f.measure.startswith("E")}
    assert e_ids == {"E1.karantan", "E2.okand_handlaggare"}
    internal = tmp_path / "intern"
    _report(db_file, internal, "--scope", "bromma", "--kind", "arsrapport", "--period", "2025", "--mode",
            "internal", "--format", "csv")
    a1 = {f.breakdown: f.value for f in read_figures_csv(internal / "figures.csv")
          if f.measure == "D1.nyckeltal"}
    assert a1["enhet=bromma&nyckeltal=A1.aktualiseringar"] == "1"
    result = CliRunner().invoke(app, ["report", "--scope", "bromma", "--kind", "arsrapport", "--period",
                                      "2025-T1", "--db", str(db_file), "--register",
                                      str(sample_register_dir()), "--out", str(tmp_path / "x")])
    assert result.exit_code == 1 and "one calendar year" in result.output


def test_scope_grammar_is_shared(db_file: Path, tmp_path: Path) -> None:
    for written in ("stadsdel:bromma", "bromma"):
        out = tmp_path / written.replace(":", "_")
        assert _report(db_file, out, "--scope", written, "--kind", "verksamhet", "--format", "csv") == [
            "figures.csv"]
    result = CliRunner().invoke(app, ["report", "--scope", "natverk:bromma", "--db", str(db_file),
                                      "--register", str(sample_register_dir()), "--out", str(tmp_path / "y")])
    assert result.exit_code == 1 and "unknown scope 'natverk:bromma'" in result.output
