"""Marts and reports after a load: the figures table, `<as-of>/` and `latest/`; no needless re-rendering."""

from __future__ import annotations

from pathlib import Path

import duckdb
from pipeline_helpers import Env, make_export, run

ALL = ("landed_export", "validated_export", "snapshot", "figures", "reports")


def _checks(result: object) -> dict[str, bool]:
    return {
        e.asset_check_evaluation_data.check_name: e.asset_check_evaluation_data.passed  # type: ignore[union-attr]
        for e in result.all_events  # type: ignore[attr-defined]
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    }


def test_load_then_figures_and_reports(env: Env) -> None:
    make_export(env.inbox, "E1")
    result = run(env, stages=ALL, report_formats="csv,html", report_scopes="kommun:0180,bromma")
    assert result.success
    folder = env.reports / "2025-01-31"
    assert (folder / "0180" / "figures.csv").is_file()
    assert (folder / "bromma" / "figures.csv").is_file()
    assert not (folder / "spanga").exists()
    assert list((folder / "bromma").glob("*.html"))
    assert (env.reports / "latest").resolve() == folder.resolve()
    checks = _checks(result)
    assert checks["reports_complete"] and checks["reports_hold_no_personal_numbers"]
    assert "figures_anomalies" in checks  # the D3 anomalies, not blocking: the reports were rendered
    con = duckdb.connect(str(env.db), read_only=True)
    try:
        n, exports, scopes = con.execute(
            "SELECT count(*), list(DISTINCT export_id), list(DISTINCT scope ORDER BY scope) FROM figures"
        ).fetchone()  # type: ignore[misc]
    finally:
        con.close()
    assert n > 0 and exports == ["E1"] and scopes == ["kommun:0180", "stadsdel:bromma"]
    # computed once into the marts, every document rendered from them: one row per document
    con = duckdb.connect(str(env.db), read_only=True)
    try:
        documents = con.execute("SELECT document FROM figure_documents ORDER BY document").fetchall()
        reports = {r for (r,) in con.execute("SELECT DISTINCT report FROM figures").fetchall()}
    finally:
        con.close()
    rendered = {f"{p.parent.name}/{p.stem}" for p in folder.glob("*/*.html")}
    assert {d for (d,) in documents} == rendered
    assert reports == {"verksamhet", "klientgrupp", "licens", "jamforelse", "arsrapport"}

    # Nothing new: the next refresh leaves the rendered set alone.
    stamp = (folder / "0180" / "figures.csv").stat().st_mtime_ns
    again = run(
        env, stages=("figures", "reports"), report_formats="csv,html", report_scopes="kommun:0180,bromma"
    )
    assert again.success
    assert again.output_for_node("reports") == folder
    assert (folder / "0180" / "figures.csv").stat().st_mtime_ns == stamp
    rendered = [
        m for m in again.get_asset_materialization_events() if m.asset_key.to_user_string() == "reports"
    ]
    assert rendered[0].materialization.metadata["rendered"].value is False


def test_unknown_scope_fails_clearly(env: Env) -> None:
    make_export(env.inbox, "E1")
    assert run(env).success
    result = run(env, stages=("figures",), report_scopes="stadsdel:atlantis")
    assert not result.success


def test_the_leak_check_names_each_text_file_holding_a_personal_number(tmp_path: Path) -> None:
    from pipelines.defs.reports.checks import reports_hold_no_personal_numbers

    (tmp_path / "bromma").mkdir()
    (tmp_path / "bromma" / "figures.csv").write_text("mått;värde\nM1;614.451923076923\n", encoding="utf-8")
    (tmp_path / "bromma" / "rapport.html").write_text('<svg><text x="339.62264150943395">å</text></svg>',
                                                      encoding="utf-8")
    (tmp_path / "rapport.pdf").write_bytes(b"%PDF 1990-01-01 " + b"1" * 10)  # no text output: not read
    clean = reports_hold_no_personal_numbers(reports=tmp_path)
    assert clean.passed
    shaped = "19" + "900101" + "-" + "1239"  # the shape, in a row of an otherwise clean table
    (tmp_path / "bromma" / "figures.csv").write_text(f"mått;värde\nM1;{shaped}\n", encoding="utf-8")
    found = reports_hold_no_personal_numbers(reports=tmp_path)
    assert not found.passed
    assert found.metadata["files"].data == ["bromma/figures.csv"]  # type: ignore[attr-defined]
