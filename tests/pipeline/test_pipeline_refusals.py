"""Every X code refuses in the pipeline and leaves the last good snapshot exactly as it was."""

from __future__ import annotations

import json
import os
import zipfile
from collections.abc import Callable

import pytest
from pipeline_helpers import (
    Env,
    clean_tables,
    dump,
    failure_descriptions,
    load_log,
    make_export,
    refresh_manifest,
    rewrite_manifest,
    run,
)

LATER = "2025-02-28T22:00:00+01:00"


def _x001(env: Env) -> str:
    folder = make_export(env.inbox, "BAD", created_at=LATER)
    rewrite_manifest(folder, extract="delta")
    return "BAD"


def _x001_zip(env: Env) -> str:
    """A zip with two top-level folders: of another layout."""
    zpath = env.inbox / "BAD.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        zf.writestr("a/manifest.json", "{}")
        zf.writestr("b/barn.csv", "barn_id\n")
    os.utime(zpath, (zpath.stat().st_mtime - 3600,) * 2)
    return "BAD.zip"


def _x007(env: Env) -> str:
    make_export(env.inbox, "BAD", created_at=LATER, municipality="0181")
    return "BAD"


def _x010(env: Env) -> str:
    tables = clean_tables()
    tables["personal"][0]["roll"] = "OVRIG"
    make_export(env.inbox, "E1", created_at=LATER, tables=tables)  # E1 again, other bytes
    return "E1"


def _x009(env: Env) -> str:
    make_export(env.inbox, "BAD", created_at="2024-12-31T22:00:00+01:00")
    return "BAD"


def _x002(env: Env) -> str:
    folder = make_export(env.inbox, "BAD", created_at=LATER)
    data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    data["files"] = [f for f in data["files"] if f["name"] != "dokument.csv"]
    (folder / "manifest.json").write_text(json.dumps(data), encoding="utf-8")
    return "BAD"


def _x003(env: Env) -> str:
    folder = make_export(env.inbox, "BAD", created_at=LATER)
    path = folder / "arende.csv"
    path.write_bytes(path.read_bytes().replace(b"2024-01-10", b"2024-01-11"))
    return "BAD"


def _x006(env: Env) -> str:
    folder = make_export(env.inbox, "BAD", created_at=LATER)
    path = folder / "personal.csv"
    path.write_bytes(path.read_bytes().replace(b"HANDLAGGARE", b"HANDL\x81GGARE"))
    refresh_manifest(folder, "BAD", LATER, encoding="windows-1252")
    return "BAD"


def _x005(env: Env) -> str:
    folder = make_export(env.inbox, "BAD", created_at=LATER)
    path = folder / "arende.csv"
    path.write_bytes(path.read_bytes().replace(b"oppnat_datum", b"oppnad_datum"))
    refresh_manifest(folder, "BAD", LATER)
    return "BAD"


def _x004(env: Env) -> str:
    folder = make_export(env.inbox, "BAD", created_at=LATER)
    refresh_manifest(folder, "BAD", LATER, rows={"barn.csv": 9})
    return "BAD"


def _x008(env: Env) -> str:
    make_export(env.inbox, "BAD", created_at=LATER, tables=clean_tables(n_bad_barn=12))
    return "BAD"


CASES: dict[str, tuple[str, Callable[[Env], str]]] = {
    "X001": ("X001", _x001),
    "X001-zip": ("X001", _x001_zip),
    "X002": ("X002", _x002),
    "X003": ("X003", _x003),
    "X004": ("X004", _x004),
    "X005": ("X005", _x005),
    "X006": ("X006", _x006),
    "X007": ("X007", _x007),
    "X008": ("X008", _x008),
    "X009": ("X009", _x009),
    "X010": ("X010", _x010),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_refused_export_leaves_the_snapshot_as_it_was(env: Env, case: str) -> None:
    code, make_bad = CASES[case]
    make_export(env.inbox, "E1")
    assert run(env).success
    before = dump(env.db)
    log_before = load_log(env.db)
    reports_marker = env.reports / "untouched.txt"
    reports_marker.parent.mkdir(parents=True)
    reports_marker.write_text("published yesterday", encoding="utf-8")

    item = make_bad(env)
    result = run(env, item=item)

    assert not result.success
    assert dump(env.db) == before  # every table but the load log, row for row
    new_rows = load_log(env.db)[len(log_before) :]
    assert [(r["outcome"], r["refusal_code"]) for r in new_rows] == [("refused", code)]
    [description] = failure_descriptions(result)
    assert "\n" not in description and f"refused: {code} in " in description
    if new_rows[0]["refusal_file"]:
        assert new_rows[0]["refusal_file"] in description
    assert reports_marker.read_text(encoding="utf-8") == "published yesterday"
    assert not list((env.data / "staging").glob("*.duckdb"))
    # The refused export stays in the archive for audit, out of the inbox.
    assert not (env.inbox / item).exists()


def test_refusal_line_names_file_and_line(env: Env) -> None:
    make_export(env.inbox, "E1")
    assert run(env).success
    folder = make_export(env.inbox, "BAD", created_at=LATER)
    path = folder / "arende.csv"
    path.write_bytes(path.read_bytes().replace(b"arende_id;", b"arende_id;arende_id;", 1))
    refresh_manifest(folder, "BAD", LATER)
    result = run(env, item="BAD")
    [description] = failure_descriptions(result)
    row = load_log(env.db)[-1]
    assert row["refusal_code"] == "X005" and row["refusal_file"] == "arende.csv"
    assert "arende.csv" in description and "X005" in description
    if row["refusal_line"] is not None:
        assert f"line {row['refusal_line']}" in description
