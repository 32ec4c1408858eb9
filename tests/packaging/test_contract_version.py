"""`bbic spec` and `bbic validate --json` say which version of the export contract they implement."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from bbic_cli.main import app
from bbic_core import contract
from bbic_core.export_writer import write_export

runner = CliRunner()


def test_spec_states_the_contract_version(tmp_path: Path) -> None:
    done = runner.invoke(app, ["spec", "--out", str(tmp_path / "spec")])
    assert done.exit_code == 0, done.output
    assert f"Exportkontrakt: {contract.FORMAT} format_version {contract.FORMAT_VERSION}" in done.output


def test_validate_json_states_the_contract_version_even_for_a_refused_export(tmp_path: Path) -> None:
    folder = write_export(tmp_path / "e", {}, export_id="E1", municipality="0180",
                          created_at="2025-01-31T22:00:00+01:00")
    (folder / "barn.csv").unlink(missing_ok=True)  # a file of the manifest missing: refused
    done = runner.invoke(app, ["validate", str(folder), "--json"])
    document = json.loads(done.output)
    assert (document["format"], document["format_version"]) == (contract.FORMAT, contract.FORMAT_VERSION)
    assert list(document)[:2] == ["format", "format_version"]
    assert document["outcome"] == "refused" and done.exit_code == 2
