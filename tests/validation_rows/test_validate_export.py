"""validate_export end to end on real export folders: X007, X010, X009 (fake history), the order of
refusals, X008 and its thresholds, the JSON document, and the tables left in the connection."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from export_fixtures import (
    FakeHistory,
    FakeMunicipality,
    FakeRegister,
    manifest_checksums,
    tables_in,
    validate,
    write,
)
from rows_fixtures import PNR_1, base_tables

from bbic_core import contract
from bbic_core.validation.result import ValidationSettings

CLEAN_TABLES = {f"clean_{s.table}" for s in contract.FILES}


def _staff(n: int, bad: int) -> list[dict[str, str]]:
    """n personal rows, the last `bad` of them with an unknown roll (V003)."""
    return [
        {
            "handlaggare_id": f"H{i}",
            "stadsdel": "bromma",
            "roll": "X" if i > n - bad else "HANDLAGGARE",
            "bbic_anvandare": "J",
            "anstalld_fran": "2010-01-01",
        }
        for i in range(1, n + 1)
    ]


def test_accepted_export_leaves_the_documented_tables(tmp_path: Path) -> None:
    folder = write(tmp_path / "e", base_tables())
    result, con = validate(folder, register=FakeRegister(), history=FakeHistory())
    assert result.outcome == "accepted" and result.refusal is None
    assert result.as_of == dt.date(2025, 6, 30) and result.municipality == "0180"
    assert result.skipped == []
    assert result.checksums == manifest_checksums(folder)
    assert tables_in(con) == CLEAN_TABLES | {"quarantine", "findings"}
    barn_cols = dict(
        con.execute(
            "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = 'clean_barn'"
        ).fetchall()
    )
    assert "personnummer" not in barn_cols
    assert barn_cols["pseudonym"] == "VARCHAR" and barn_cols["fodelsedatum_effektiv"] == "DATE"
    assert barn_cols["kon_effektiv"] == "VARCHAR" and barn_cols["_line"] == "INTEGER"
    akt = dict(
        con.execute(
            "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = 'clean_aktualisering'"
        ).fetchall()
    )
    assert akt["inkom_datum"] == "DATE" and akt["anonym"] == "BOOLEAN" and akt["typ"] == "VARCHAR"
    q = con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = 'quarantine'"
    ).fetchall()
    assert q == [
        ("file", "VARCHAR"),
        ("line", "INTEGER"),
        ("stadsdel_raw", "VARCHAR"),
        ("rules", "VARCHAR[]"),
        ("raw_json", "VARCHAR"),
    ]
    f = [
        r[0]
        for r in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = 'findings'"
        ).fetchall()
    ]
    assert f == ["file", "line", "column_name", "code", "severity", "message"]


def test_no_register_no_history_lists_skipped_checks(tmp_path: Path) -> None:
    t = base_tables()
    t["arende"][0]["stadsdel"] = "atlantis"
    result, _ = validate(write(tmp_path / "e", t))
    assert result.outcome == "accepted"
    assert result.skipped == ["X007", "V003 stadsdel", "X010", "X009"]
    assert result.files["arende.csv"].rules == {}


def test_x007_other_municipality(tmp_path: Path) -> None:
    result, con = validate(
        write(tmp_path / "e", base_tables()), register=FakeRegister(FakeMunicipality("0999"))
    )
    assert result.outcome == "refused"
    assert result.refusal is not None and result.refusal.code == "X007"
    assert tables_in(con) == {"quarantine", "findings"}


def test_x010_reused_id_with_other_checksums(tmp_path: Path) -> None:
    folder = write(tmp_path / "e", base_tables())
    other = {name: "0" * 64 for name in manifest_checksums(folder)}
    result, _ = validate(folder, history=FakeHistory(loaded={"exp-1": other}))
    assert result.refusal is not None and result.refusal.code == "X010"


def test_x010_message_does_not_echo_the_export_id_raw(tmp_path: Path) -> None:
    export_id = f"exp {PNR_1}\n2"  # free text from the manifest: one line, no personal number
    folder = write(tmp_path / "e", base_tables(), export_id=export_id)
    other = {name: "0" * 64 for name in manifest_checksums(folder)}
    result, _ = validate(folder, history=FakeHistory(loaded={export_id: other}))
    assert result.refusal is not None and result.refusal.code == "X010"
    assert "'exp *** 2'" in result.refusal.message and "\n" not in result.refusal.message


def test_same_id_same_checksums_is_skipped_not_refused(tmp_path: Path) -> None:
    folder = write(tmp_path / "e", base_tables())
    result, con = validate(
        folder,
        history=FakeHistory(
            loaded={"exp-1": manifest_checksums(folder)}, current=dt.datetime(2025, 7, 1, tzinfo=dt.UTC)
        ),
    )
    assert result.outcome == "skipped" and result.refusal is None and result.acceptable
    assert result.to_json()["outcome"] == "skipped"
    assert not tables_in(con) & CLEAN_TABLES


def test_x009_not_later_than_the_current_export(tmp_path: Path) -> None:
    folder = write(tmp_path / "e", base_tables())
    same = dt.datetime.fromisoformat("2025-06-30T20:00:00+00:00")  # the same instant as CREATED
    result, _ = validate(folder, history=FakeHistory(current=same))
    assert result.refusal is not None and result.refusal.code == "X009"
    earlier = same - dt.timedelta(seconds=1)
    assert validate(folder, history=FakeHistory(current=earlier))[0].outcome == "accepted"


def test_first_fault_is_the_code_and_the_message_lists_the_others(tmp_path: Path) -> None:
    folder = write(tmp_path / "e", base_tables(), municipality="0999")
    (folder / "dokument.csv").unlink()  # X002
    history = FakeHistory(current=dt.datetime(2030, 1, 1, tzinfo=dt.UTC))  # X009
    result, _ = validate(folder, register=FakeRegister(), history=history)
    assert result.refusal is not None
    assert result.refusal.code == "X007"
    assert "X009" in result.refusal.message and "X002" in result.refusal.message
    assert result.refusal.message.index("X009") < result.refusal.message.index("X002")


def test_x001_from_the_reader(tmp_path: Path) -> None:
    folder = write(tmp_path / "e", base_tables())
    (folder / "manifest.json").write_text("{not json", encoding="utf-8")
    result, con = validate(folder)
    assert result.refusal is not None and result.refusal.code == "X001"
    assert result.export_id is None and result.files == {}
    assert tables_in(con) == {"quarantine", "findings"}


def test_x008_both_thresholds_exceeded(tmp_path: Path) -> None:
    t = base_tables()
    t["personal"] = _staff(200, 11)  # 5.5 % and 11 rows
    result, con = validate(write(tmp_path / "e", t))
    assert result.outcome == "refused"
    assert (
        result.refusal is not None and result.refusal.code == "X008" and result.refusal.file == "personal.csv"
    )
    assert result.files["personal.csv"].quarantined == 11
    assert not tables_in(con) & CLEAN_TABLES  # nothing of a refused export stays loadable
    (n,) = con.execute("SELECT count(*) FROM quarantine").fetchall()[0]
    assert n == 11


def test_x008_not_more_than_10_rows(tmp_path: Path) -> None:
    t = base_tables()
    t["personal"] = _staff(100, 10)  # 10 % but only 10 rows
    assert validate(write(tmp_path / "e", t))[0].outcome == "accepted"


def test_x008_not_more_than_5_percent(tmp_path: Path) -> None:
    t = base_tables()
    t["personal"] = _staff(220, 11)  # exactly 5 %
    result, _ = validate(write(tmp_path / "e", t))
    assert result.outcome == "accepted"
    assert result.files["personal.csv"].quarantined == 11


def test_x008_settings_are_used(tmp_path: Path) -> None:
    t = base_tables()
    t["personal"] = _staff(100, 1)
    settings = ValidationSettings(x008_share=0.0, x008_min_rows=0)
    result, _ = validate(write(tmp_path / "e", t), settings=settings)
    assert result.refusal is not None and result.refusal.code == "X008"


def test_x008_does_not_count_cascaded_v005_nor_v004w(tmp_path: Path) -> None:
    t = base_tables()
    t["barn"][0]["kon"] = "X"  # one own fault in barn.csv
    t["arende"] += [{**t["arende"][0], "arende_id": f"A{i}"} for i in range(2, 40)]  # all cascade from B1
    t["personal"] += [dict(t["personal"][0]) for _ in range(30)]  # 30 identical copies: V004W
    result, _ = validate(write(tmp_path / "e", t))
    assert result.outcome == "accepted"
    assert result.files["arende.csv"].quarantined == 39
    assert result.files["personal.csv"].quarantined == 30 and result.files["personal.csv"].loaded == 1


def test_x008_counts_references_to_no_row(tmp_path: Path) -> None:
    t = base_tables()
    t["dokument"] += [
        {
            "dokument_id": f"D{i}",
            "barn_id": "NOPE",
            "typ": "GRUNDUPPGIFTER",
            "datum": "2024-05-10",
            "bbic_formular": "J",
        }
        for i in range(2, 14)
    ]  # 12 of 13 rows
    result, _ = validate(write(tmp_path / "e", t))
    assert (
        result.refusal is not None and result.refusal.code == "X008" and result.refusal.file == "dokument.csv"
    )


def test_accounting_read_is_loaded_plus_quarantined(tmp_path: Path) -> None:
    t = base_tables()
    t["barn"][1]["kon"] = "9"
    t["personal"] += [dict(t["personal"][0]), {**t["personal"][0], "handlaggare_id": "H2", "roll": "?"}]
    t["aktualisering"][0]["anonym"] = "J"
    result, con = validate(write(tmp_path / "e", t))
    assert result.outcome == "accepted"
    for spec in contract.FILES:
        stats = result.files[spec.name]
        assert stats.read == stats.loaded + stats.quarantined
        assert stats.read == len(t.get(spec.table, []))
        (loaded,) = con.execute(f"SELECT count(*) FROM clean_{spec.table}").fetchall()[0]
        (quarantined,) = con.execute(
            "SELECT count(*) FROM quarantine WHERE file = ?", [spec.name]
        ).fetchall()[0]
        assert (loaded, quarantined) == (stats.loaded, stats.quarantined)
        per_code = dict(
            con.execute(
                "SELECT code, count(DISTINCT line) FROM findings WHERE file = ? GROUP BY code", [spec.name]
            ).fetchall()
        )
        assert per_code == stats.rules
    assert result.files["personal.csv"].rules == {"V004W": 1, "V003": 1}
    assert result.warnings == 2  # V004W and V033


def test_json_document_shape(tmp_path: Path) -> None:
    t = base_tables()
    t["personal"] = _staff(200, 11)
    for result in (validate(write(tmp_path / "a", base_tables()))[0], validate(write(tmp_path / "b", t))[0]):
        doc = json.loads(json.dumps(result.to_json()))
        assert {"export_id", "outcome", "refusal", "files"} <= set(doc)
        assert doc["export_id"] == "exp-1" and doc["outcome"] in ("accepted", "refused")
        assert doc["refusal"] is None or set(doc["refusal"]) == {"code", "message", "file", "line"}
        assert set(doc["files"]) == {s.name for s in contract.FILES}
        for stats in doc["files"].values():
            assert set(stats) == {"read", "loaded", "quarantined", "rules"}
            assert all(isinstance(v, int) for v in stats["rules"].values())
    assert doc["refusal"]["code"] == "X008"


def test_v006_through_the_reader_more_fields_quarantined_fewer_read_empty(tmp_path: Path) -> None:
    from bbic_core.export_writer import write_manifest

    folder = write(tmp_path / "e", base_tables())
    header = "handlaggare_id;stadsdel;roll;bbic_anvandare;anstalld_fran;anstalld_till"
    rows = [
        "H1;bromma;HANDLAGGARE;J;2010-01-01;",
        "H2;bromma;HANDLAGGARE;J;2010-01-01;;surplus",  # one field too many: V006
        "H3;bromma;HANDLAGGARE;J;2010-01-01",  # one field short: anstalld_till read empty, fine
    ]
    (folder / "personal.csv").write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    counts = {s.name: len(base_tables().get(s.table, [])) for s in contract.FILES}
    counts["personal.csv"] = 3
    write_manifest(
        folder,
        export_id="exp-1",
        municipality="0180",
        created_at="2025-06-30T22:00:00+02:00",
        row_counts=counts,
    )
    result, con = validate(folder)
    assert result.outcome == "accepted"
    assert result.files["personal.csv"].model_dump() == {
        "read": 3,
        "loaded": 2,
        "quarantined": 1,
        "rules": {"V006": 1},
    }
    raw = con.execute("SELECT line, rules, raw_json FROM quarantine").fetchall()
    assert raw == [
        (
            3,
            ["V006"],
            '{"handlaggare_id":"H2","stadsdel":"bromma","roll":"HANDLAGGARE",'
            '"bbic_anvandare":"J","anstalld_fran":"2010-01-01","anstalld_till":"",'
            '"_extra":["surplus"]}',
        )
    ]
