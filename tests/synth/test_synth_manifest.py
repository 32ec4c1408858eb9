from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

from synth_helpers import read_rows

from bbic_core import contract
from bbic_core.synth.generate import SynthResult, generate


def test_manifest_counts_and_checksums_agree(demo_clean: SynthResult,
                                             demo_faults_cp1252: SynthResult) -> None:
    for result in (demo_clean, demo_faults_cp1252):
        manifest = json.loads((result.export_dir / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["format"] == contract.FORMAT and manifest["extract"] == "full"
        assert manifest["created_at"] == "2026-11-24T23:30:00+01:00"
        assert manifest["export_id"] == result.export_id
        listed = {f["name"]: f for f in manifest["files"]}
        assert set(listed) == {spec.name for spec in contract.FILES}
        for name, entry in listed.items():
            path = result.export_dir / name
            assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"]
            _, rows = read_rows(path, manifest["encoding"])
            assert len(rows) == entry["rows"] == result.row_counts[name], name


def test_cp1252_export_says_so_and_decodes(demo_faults_cp1252: SynthResult) -> None:
    manifest = json.loads((demo_faults_cp1252.export_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["encoding"] == "windows-1252"
    raw = (demo_faults_cp1252.export_dir / "aktualisering.csv").read_bytes()
    assert "Överförd".encode("cp1252") in raw  # non-ASCII text written in Windows-1252
    assert "Överförd".encode() not in raw


def test_as_of_sets_created_at_with_the_summer_offset(tmp_path: Path) -> None:
    result = generate(tmp_path, scale="demo", seed=1, as_of=dt.date(2016, 6, 30))
    manifest = json.loads((result.export_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["created_at"] == "2016-06-30T23:30:00+02:00"
    _, rows = read_rows(result.export_dir / "utredning.csv")
    versions = {r["triangel_version"] or "2006" for r in rows}
    assert versions == {"2006", "2016"}  # the transition year holds both triangles
