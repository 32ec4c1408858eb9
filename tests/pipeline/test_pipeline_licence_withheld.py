"""register.md: while the coordinator's register does not parse, the follow-up reports are rendered
from the last good copy and only the licence check is withheld; the index says why."""

from __future__ import annotations

import re

import duckdb
from pipeline_helpers import REGISTER_YAML, Env, make_export, run

ALL = ("landed_export", "validated_export", "snapshot", "figures", "reports")
OPTIONS = {"report_formats": "csv,html", "report_scopes": "kommun:0180,bromma"}
# line 6: a district code the register refuses (upper case and a space)
BROKEN_YAML = REGISTER_YAML.replace("  - code: bromma", "  - code: Bromma X")


def _rendered(result: object) -> bool:
    events = [
        m
        for m in result.get_asset_materialization_events()  # type: ignore[attr-defined]
        if m.asset_key.to_user_string() == "reports"
    ]
    return bool(events[0].materialization.metadata["rendered"].value)


def _figures_by_report(env: Env) -> dict[str, int]:
    con = duckdb.connect(str(env.db), read_only=True)
    try:
        return dict(con.execute("SELECT report, count(*) FROM figures GROUP BY report").fetchall())
    finally:
        con.close()


def test_invalid_register_withholds_only_the_licence_check(env: Env) -> None:
    make_export(env.inbox, "E1")
    assert run(env, stages=ALL, **OPTIONS).success
    day = env.reports / "2025-01-31"
    assert (day / "bromma" / "licens_kontrolldag.html").is_file()
    assert _figures_by_report(env).get("licens", 0) > 0

    (env.register / "organisation.yaml").write_text(BROKEN_YAML, encoding="utf-8")
    broken = run(env, stages=("figures", "reports"), **OPTIONS)
    assert broken.success
    assert _rendered(broken)  # the same export, but the register's state changed: rendered again
    for folder in ("bromma", "0180"):
        names = {p.name for p in (day / folder).iterdir()}
        assert not [n for n in names if n.startswith("licens")], names
        assert "verksamhet_year_to_date.html" in names and "klientgrupp_latest_tertial.html" in names
        assert "licens;" not in (day / folder / "figures.csv").read_text(encoding="utf-8")
    # the follow-up reports come from the last good register: Bromma keeps its name
    page = (day / "bromma" / "verksamhet_year_to_date.html").read_text(encoding="utf-8")
    assert "Stadsdel Bromma" in page
    index = (day / "index.html").read_text(encoding="utf-8")
    assert "Licenskontrollen hålls inne: registret" in index
    assert re.search(r"kunde inte läsas \(organisation\.yaml:\d+: ", index), index
    assert "licens_" not in index
    assert index.count("Licenskontrollen hålls inne: registret kunde inte läsas (se ovan).") == 2  # per scope
    assert (env.reports / "latest").resolve() == day.resolve()
    # the figures table (for analysts) withholds the licence figures as the reports do
    withheld = _figures_by_report(env)
    assert "licens" not in withheld and withheld.get("verksamhet", 0) > 0

    (env.register / "organisation.yaml").write_text(REGISTER_YAML, encoding="utf-8")
    fixed = run(env, stages=("figures", "reports"), **OPTIONS)
    assert fixed.success and _rendered(fixed)
    assert (day / "bromma" / "licens_kontrolldag.html").is_file()
    assert "hålls inne" not in (day / "index.html").read_text(encoding="utf-8")
    assert _figures_by_report(env).get("licens", 0) > 0
