"""One path for each setting: `bbic run`, `bbic report` and `bbic validate` read the environment the
Dagster code location reads (`pipelines.settings`), then their flags; X008 is judged by the configured
`BBIC_ERROR_SHARE_PERCENT` / `BBIC_ERROR_ROWS` in the command line's validation and in the pipeline's."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from pipeline_helpers import (
    KEY,
    REGISTER_YAML,
    Env,
    clean_tables,
    cli_environment,
    load_log,
    make_export,
    run_args,
)
from typer.testing import CliRunner

from bbic_cli.main import app
from bbic_cli.run_cmd import command_settings
from pipelines.resources import settings_from_env
from pipelines.settings import DEFAULTS, ENV_OF_FIELD, SettingError, configured

runner = CliRunner()
GOTEBORG = "1480"
# Three children with neither personal number nor birth date: V013, an error of the row itself (X008's
# numerator), in a barn.csv of 4 + 3 rows: 43 % of the file, but not more than the default 10 rows.
BAD_BARN = 3
SETTING_VARIABLES = (*ENV_OF_FIELD.values(), "BBIC_DUCKDB_PATH", "BBIC_PSEUDONYM_KEY", "BBIC_ERROR_ROWS",
                     "BBIC_ERROR_SHARE_PERCENT", "BBIC_MAX_ROW_DROP_PERCENT", "BBIC_REPORT_MODE")


@pytest.fixture(autouse=True)
def _no_machine_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in SETTING_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def test_the_command_line_reads_what_the_code_location_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    environ = {"BBIC_INBOX": "/srv/in", "BBIC_DUCKDB_PATH": "/srv/data/bbic.duckdb",
               "BBIC_MUNICIPALITY": "1480", "BBIC_ERROR_SHARE_PERCENT": "20", "BBIC_ERROR_ROWS": "2",
               "BBIC_SETTLE_SECONDS": "30",
               "BBIC_REPORT_MODE": "published", "BBIC_MAX_ROW_DROP_PERCENT": "25"}
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    location = settings_from_env()
    by_hand = command_settings(environ)
    for field in ENV_OF_FIELD:
        # The code location hands Dagster `EnvVar`s for what is set: resolved, they are the same values.
        ours = getattr(location, field)
        value = ours.get_value() if hasattr(ours, "get_value") else ours
        assert str(value) == str(by_hand[field]), field
    assert by_hand["archive"] == "/srv/data/archive" and by_hand["duckdb_path"] == "/srv/data/bbic.duckdb"
    assert (by_hand["municipality"], by_hand["error_rows"], by_hand["error_share_percent"]) == ("1480", 2, 20)


def test_flags_win_over_the_environment_and_sample_over_both() -> None:
    environ = {"BBIC_INBOX": "/srv/in", "BBIC_MUNICIPALITY": "1480", "BBIC_ERROR_ROWS": "2"}
    flagged = command_settings(environ, inbox=Path("/mnt/flagged/in"), data=Path("/mnt/flagged/data"))
    assert (flagged["inbox"], flagged["duckdb_path"], flagged["archive"]) == (
        "/mnt/flagged/in", "/mnt/flagged/data/bbic.duckdb", "/mnt/flagged/data/archive")
    assert flagged["settle_seconds"] == 0  # run by hand: the operator has finished copying
    sample = command_settings(environ, sample=True)
    assert (sample["inbox"], sample["municipality"]) == (DEFAULTS["BBIC_INBOX"], "0180")
    assert sample["error_rows"] == 2  # thresholds are the deployment's, sample or not
    with pytest.raises(SettingError, match="BBIC_ERROR_ROWS"):
        configured({"BBIC_ERROR_ROWS": "ten"})


def _goteborg(env: Env) -> None:
    (env.register / "organisation.yaml").write_text(
        REGISTER_YAML.replace('code: "0180", name: Stockholm', f'code: "{GOTEBORG}", name: Göteborg'),
        encoding="utf-8")


def test_another_municipality_through_bbic_run_and_report(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    _goteborg(env)
    cli_environment(monkeypatch, env)
    make_export(env.inbox, "G1", municipality=GOTEBORG)
    refused = runner.invoke(app, run_args(env))  # BBIC_MUNICIPALITY unset: Stockholm's code
    assert refused.exit_code != 0
    assert f"the register is for municipality {GOTEBORG}, but BBIC_MUNICIPALITY is 0180" in refused.output
    monkeypatch.setenv("BBIC_MUNICIPALITY", GOTEBORG)
    monkeypatch.setenv("BBIC_REPORT_SCOPES", "kommun")  # the municipality's own reports are enough here
    loaded = runner.invoke(app, run_args(env, reports=True))
    assert loaded.exit_code == 0, loaded.output
    assert "G1: inläst" in loaded.output
    (entry,) = [e for e in load_log(env.db) if e["outcome"] == "accepted"]
    assert entry["export_id"] == "G1"
    # The municipality's own reports are filed under its code and computed for it.
    city = list((env.reports / "latest" / GOTEBORG).rglob("figures.csv"))
    assert city, "the municipality's reports were not written"
    for path in city:
        with path.open(encoding="utf-8") as fh:
            assert {row["scope"] for row in csv.DictReader(fh, delimiter=";")} == {f"kommun:{GOTEBORG}"}
    out = env.root / "out"
    # `bbic report` names the data folder as `bbic run` does.
    made = runner.invoke(app, ["report", "--scope", "kommun", "--kind", "licens", "--format", "csv",
                               "--data", str(env.data), "--register", str(env.register), "--out", str(out)])
    assert made.exit_code == 0, made.output
    with (out / "figures.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter=";"))
    assert rows and {r["scope"] for r in rows} == {f"kommun:{GOTEBORG}"}


def _validate_json(env: Env, export: Path) -> dict[str, object]:
    done = runner.invoke(app, ["validate", str(export), "--register", str(env.register), "--json"])
    assert done.exit_code in (0, 2), done.output
    document: dict[str, object] = json.loads(done.output)
    return document


def test_thresholds_change_x008_in_bbic_validate(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    export = make_export(env.inbox, "T1", tables=clean_tables(n_bad_barn=BAD_BARN))
    default = _validate_json(env, export)
    assert default["outcome"] == "accepted" and default["format_version"] == "1.0"
    monkeypatch.setenv("BBIC_ERROR_ROWS", str(BAD_BARN - 1))
    strict = _validate_json(env, export)
    assert strict["outcome"] == "refused"
    refusal = strict["refusal"]
    assert isinstance(refusal, dict) and refusal["code"] == "X008" and refusal["file"] == "barn.csv"
    assert "more than 2 rows" in refusal["message"]
    monkeypatch.setenv("BBIC_ERROR_SHARE_PERCENT", "50")  # 43 % is not more than half: accepted again
    assert _validate_json(env, export)["outcome"] == "accepted"
    monkeypatch.setenv("BBIC_ERROR_ROWS", "many")
    malformed = runner.invoke(app, ["validate", str(export)])
    assert malformed.exit_code == 1 and "BBIC_ERROR_ROWS='many' is not a whole number" in malformed.output


def test_thresholds_change_x008_in_bbic_run(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    cli_environment(monkeypatch, env)
    monkeypatch.setenv("BBIC_ERROR_ROWS", str(BAD_BARN - 1))
    make_export(env.inbox, "T1", tables=clean_tables(n_bad_barn=BAD_BARN))
    refused = runner.invoke(app, run_args(env))
    assert refused.exit_code == 2, refused.output
    assert "T1: AVVISAD" in refused.output and "X008" in refused.output
    (entry,) = load_log(env.db)
    assert (entry["outcome"], entry["refusal_code"]) == ("refused", "X008")
    monkeypatch.setenv("BBIC_ERROR_ROWS", str(BAD_BARN))  # three rows are not more than three
    make_export(env.inbox, "T2", created_at="2025-02-28T22:00:00+01:00",
                tables=clean_tables(n_bad_barn=BAD_BARN))
    loaded = runner.invoke(app, run_args(env))
    assert loaded.exit_code == 0, loaded.output
    assert "T2: inläst" in loaded.output
    assert KEY not in loaded.output
