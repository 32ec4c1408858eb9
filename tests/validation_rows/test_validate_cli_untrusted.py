"""`bbic validate` prints text from the export as text: no rich markup is interpreted, control
characters are shown escaped, in the human output and in `--json`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from export_fixtures import write
from rows_fixtures import base_tables

BBIC = Path(sys.executable).parent / "bbic"
ESC = "\x1b"


def _bbic(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BBIC), "validate", *args], capture_output=True, text=True, check=False,
                          env={"PATH": str(BBIC.parent), "COLUMNS": "200", "LANG": "C.UTF-8"})


def _hostile(tmp_path: Path) -> Path:
    t = base_tables()
    t["barn"][1]["kon"] = f"[bold]9{ESC}[2J\x9b31m"  # V003: the value is quoted in the finding
    return write(tmp_path / "e", t, export_id=f"evil[/]x{ESC}]0;title\x07")


def test_markup_and_control_characters_are_printed_as_text(tmp_path: Path) -> None:
    done = _bbic(str(_hostile(tmp_path)))
    assert done.returncode == 0, done.stderr
    out = done.stdout + done.stderr
    assert "Traceback" not in out
    assert "evil[/]x\\x1b]0;title\\x07" in out
    assert "[BOLD]9\\x1b[2J\\x9b31M" in out  # the code as normalised (upper-case), quoted in V003
    assert ESC not in out and "\x07" not in out and "\x9b" not in out


def test_json_output_escapes_control_characters(tmp_path: Path) -> None:
    done = _bbic(str(_hostile(tmp_path)), "--json")
    assert done.returncode == 0, done.stderr
    assert ESC not in done.stdout and "\x9b" not in done.stdout and "\x07" not in done.stdout
    doc = json.loads(done.stdout)
    assert doc["export_id"] == f"evil[/]x{ESC}]0;title\x07"
    assert any("\x9b" in f["message"] for f in doc["findings"])


def test_a_refusal_naming_an_evil_export_id_is_printed_as_text(tmp_path: Path) -> None:
    folder = _hostile(tmp_path)
    (folder / "barn.csv").write_bytes((folder / "barn.csv").read_bytes() + b"\n\n")  # X003
    done = _bbic(str(folder))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "AVVISAD X003" in done.stdout and ESC not in done.stdout
