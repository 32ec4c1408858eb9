"""faults.json describes what was injected, in terms a test can check without the validator."""

from __future__ import annotations

import json
from collections import Counter

from synth_helpers import read_rows

from bbic_core import rules
from bbic_core.synth.faults import ALL_KINDS, FILE_KINDS, UNKNOWN_COLUMN
from bbic_core.synth.generate import SynthResult


def test_faults_json_lists_every_kind_with_file_line_and_code(demo_faults: SynthResult) -> None:
    document = json.loads((demo_faults.out / "faults.json").read_text(encoding="utf-8"))
    assert document["export_id"] == demo_faults.export_id and document["rate"] == 0.01
    faults = document["faults"]
    assert Counter(f["code"] for f in faults).keys() == set(ALL_KINDS)
    assert all(code in rules.BY_CODE for code in ALL_KINDS)
    for f in faults:
        table = f["file"].removesuffix(".csv")
        assert f["code"] == "V050" or f["code"] in FILE_KINDS[table]
        assert f["line"] >= 1
        assert f["line"] <= demo_faults.row_counts[f["file"]] + 3  # a quoted break and an empty line at most


def test_error_faults_stay_below_the_x008_threshold(demo_faults: SynthResult) -> None:
    faults = json.loads((demo_faults.out / "faults.json").read_text(encoding="utf-8"))["faults"]
    errors = Counter(f["file"] for f in faults if rules.rule(f["code"]).severity is rules.Severity.ERROR)
    for file, count in errors.items():
        assert count <= 10 or count <= 0.05 * demo_faults.row_counts[file], file


def test_reader_cases_are_present(demo_faults: SynthResult) -> None:
    header, rows = read_rows(demo_faults.export_dir / "aktualisering.csv")
    assert header[-1] == UNKNOWN_COLUMN
    comments = [r[UNKNOWN_COLUMN] for r in rows if r.get(UNKNOWN_COLUMN)]
    assert any(";" in c for c in comments) and any("\n" in c for c in comments)
    assert (demo_faults.export_dir / "personal.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert b"\n\n" in (demo_faults.export_dir / "barn.csv").read_bytes()  # an empty line, to be ignored
    extra = json.loads((demo_faults.out / "faults.json").read_text(encoding="utf-8"))["faults"]
    v006 = [f["line"] for f in extra if f["code"] == "V006"]
    lines = (demo_faults.export_dir / "dokument.csv").read_bytes().split(b"\r\n")
    width = lines[0].count(b";")
    assert all(lines[n - 1].count(b";") == width + 1 for n in v006)
