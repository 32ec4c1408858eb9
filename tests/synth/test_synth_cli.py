from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from bbic_cli.main import app


def test_bbic_synth_writes_export_register_and_faults(tmp_path: Path) -> None:
    args = ["synth", "--scale", "demo", "--seed", "3", "--faults", "0.01", "--encoding", "windows-1252",
            "--as-of", "2025-03-31", "--out", str(tmp_path)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "export" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["encoding"] == "windows-1252"
    assert manifest["created_at"] == "2025-03-31T23:30:00+02:00"
    assert len(manifest["files"]) == 8
    assert (tmp_path / "register" / "organisation.yaml").is_file()
    assert (tmp_path / "register" / "utbildning.csv").is_file()
    assert json.loads((tmp_path / "faults.json").read_text(encoding="utf-8"))["faults"]


def test_bbic_synth_refuses_an_unknown_scale(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["synth", "--scale", "huge", "--out", str(tmp_path)])
    assert result.exit_code != 0
    assert not (tmp_path / "export").exists()
