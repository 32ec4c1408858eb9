"""`bbic validate`: exit codes 0 / 2 / 1, the finding lines, the summary, `--json`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import typer
from export_fixtures import write
from rows_fixtures import base_tables
from typer.testing import CliRunner

from bbic_cli.validate_cmd import validate
from bbic_core import contract
from bbic_core.register import sample_register_dir

BBIC = Path(sys.executable).parent / "bbic"


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command()(validate)
    return app


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(_app(), list(args))
    return result.exit_code, result.output


def test_accepted_prints_findings_summary_and_skipped_checks(tmp_path: Path) -> None:
    t = base_tables()
    t["barn"][1]["kon"] = "9"
    code, out = _run(str(write(tmp_path / "e", t)))
    assert code == 0
    assert "barn.csv:3: kon: V003 " in out
    assert "personal.csv" in out and "karantän" in out
    assert "Kontroller som inte gjordes" in out and "X007" in out and "stadsdel" in out
    assert "GODKÄND" in out


def test_refused_exits_2(tmp_path: Path) -> None:
    folder = write(tmp_path / "e", base_tables())
    (folder / "insats.csv").unlink()
    code, out = _run(str(folder))
    assert code == 2
    assert "AVVISAD X002" in out


def test_json_prints_the_document_only(tmp_path: Path) -> None:
    code, out = _run(str(write(tmp_path / "e", base_tables())), "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["export_id"] == "exp-1" and doc["outcome"] == "accepted" and doc["refusal"] is None
    assert doc["files"]["barn.csv"] == {"read": 2, "loaded": 2, "quarantined": 0, "rules": {}}


def test_register_is_used_for_x007_and_stadsdel(tmp_path: Path) -> None:
    t = base_tables()
    t["arende"][0]["stadsdel"] = "atlantis"
    code, out = _run(str(write(tmp_path / "a", t)), "--register", str(sample_register_dir()), "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["files"]["arende.csv"]["rules"] == {"V003": 1}
    assert "X007" not in doc["skipped"]
    code, out = _run(str(write(tmp_path / "b", base_tables())), "--register", str(sample_register_dir()))
    assert code == 0
    code, out = _run(
        str(write(tmp_path / "c", base_tables(), municipality="0999")),
        "--register",
        str(sample_register_dir()),
        "--json",
    )
    assert code == 2 and json.loads(out)["refusal"]["code"] == "X007"


def test_usage_errors_exit_1(tmp_path: Path) -> None:
    assert _run()[0] == 1
    assert _run(str(tmp_path / "missing"))[0] == 1
    empty = tmp_path / "empty-register"
    empty.mkdir()
    assert _run(str(write(tmp_path / "e", base_tables())), "--register", str(empty))[0] == 1


def test_installed_command_exits_2_when_refused(tmp_path: Path) -> None:
    """The console script itself (one start-up: it is slow); the other codes go through CliRunner."""
    folder = write(tmp_path / "e", base_tables())
    (folder / "barn.csv").write_text("barn_id\nB1\n", encoding="utf-8")  # checksum and header faults
    refused = subprocess.run(
        [str(BBIC), "validate", str(folder)], capture_output=True, text=True, check=False
    )
    assert refused.returncode == 2, refused.stderr
    assert "AVVISAD X003" in refused.stdout and "X005" in refused.stdout


def test_json_lists_every_finding_with_its_line(tmp_path: Path) -> None:
    t = base_tables()
    t["arende"][0]["avslutat_datum"] = "2024-01-09"  # V020 on line 2
    code, out = _run(str(write(tmp_path / "e", t)), "--json")
    assert code == 0
    findings = json.loads(out)["findings"]
    assert {"file": "arende.csv", "line": 2, "column": "avslutat_datum", "code": "V020", "severity": "E",
            "message": "Datum i fel ordning: avslutat_datum före oppnat_datum"} in findings


def test_a_refusal_names_rule_file_and_line_in_one_line(tmp_path: Path) -> None:
    from bbic_core.export_writer import write_manifest

    folder = write(tmp_path / "e", base_tables())
    with (folder / "barn.csv").open("ab") as fh:
        fh.write(b"B9;;2015-01-01;1;\x81\n")  # not UTF-8 on line 4
    counts = {s.name: len(base_tables().get(s.table, [])) for s in contract.FILES}
    counts["barn.csv"] += 1
    write_manifest(folder, export_id="exp-1", municipality="0180", created_at="2025-06-30T22:00:00+02:00",
                   row_counts=counts)
    code, out = _run(str(folder))
    assert code == 2
    line = "AVVISAD X006: barn.csv:4: does not decode as utf-8: byte 0x81 is not valid UTF-8 at line 4"
    assert line in out.splitlines()
