"""The audit log: one row per action with the spec's fields, append-only, readable while the portal writes."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from portal_server import INTERNAL_AS_OF, Deployment, PortalServer, sign_in, start_portal
from typer.testing import CliRunner

from bbic_cli.main import app
from bbic_portal import audit

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def portal(portal_deployment: Deployment) -> Iterator[PortalServer]:
    server = start_portal(portal_deployment, tag="audit")
    try:
        yield server
    finally:
        server.stop()


def rows(portal: PortalServer) -> list[dict[str, str]]:
    return list(reversed(audit.query(portal.config.audit_db)))


def test_one_row_per_action_with_its_fields(portal: PortalServer) -> None:
    before = len(rows(portal))
    client = portal.client()
    assert sign_in(client, "bromma", "fel-losenord-123").status_code == 401
    assert sign_in(client, "bromma", portal.passwords["bromma"]).status_code == 303
    assert (
        client.get(f"/rapporter/arkiv/{INTERNAL_AS_OF}/bromma/verksamhet_year_to_date.html").status_code
        == 200
    )
    assert client.get(f"/rapporter/arkiv/{INTERNAL_AS_OF}/bromma/licens_kontrolldag.pdf").status_code == 200
    assert client.get(f"/rapporter/arkiv/{INTERNAL_AS_OF}/0180/figures.csv").status_code == 403
    made = client.get(
        "/ny-rapport/dokument?omrade=spanga&rapport=verksamhet&lage=internal&format=csv"
        "&period=egen&fran=2025-01-01&till=2025-01-31"
    )
    assert made.status_code == 200
    assert client.get("/status").status_code == 403
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/rapporter").text)
    assert token is not None
    assert client.post("/logga-ut", data={"csrf": token.group(1)}).status_code == 303
    new = rows(portal)[before:]
    summary = [(r["user"], r["action"], r["outcome"]) for r in new]
    assert summary == [
        ("bromma", "sign_in", "refused"),
        ("bromma", "sign_in", "allowed"),
        ("bromma", "view", "allowed"),
        ("bromma", "download", "allowed"),
        ("bromma", "download", "refused"),
        ("bromma", "download", "allowed"),
        ("bromma", "page", "refused"),
        ("bromma", "sign_out", "allowed"),
    ]
    view, pdf, csv_refused, made_row = new[2], new[3], new[4], new[5]
    assert (view["report"], view["scope"], view["period"], view["as_of"], view["mode"], view["format"]) == (
        "verksamhet",
        "stadsdel:bromma",
        "year_to_date",
        INTERNAL_AS_OF,
        "internal",
        "html",
    )
    assert (pdf["report"], pdf["format"]) == ("licens", "pdf")
    assert (csv_refused["scope"], csv_refused["report"]) == ("kommun:0180", "figures")
    assert (made_row["scope"], made_row["mode"], made_row["period"], made_row["format"]) == (
        "stadsdel:spanga",
        "published",
        "2025-01-01..2025-01-31",
        "csv",
    )
    for row in new:
        assert row["at"].endswith("Z") and row["client"] == "127.0.0.1"
    assert all(r["roles"] == "stadsdel:bromma" for r in new[1:])


def test_no_update_or_delete(portal: PortalServer) -> None:
    con = sqlite3.connect(portal.config.audit_db)
    try:
        for statement in ("UPDATE audit SET user = 'x'", "DELETE FROM audit"):
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                con.execute(statement)
    finally:
        con.close()
    assert rows(portal)


def test_no_code_path_updates_or_deletes() -> None:
    """The portal's source holds no UPDATE or DELETE statement (the triggers are the only mention)."""
    for path in (ROOT / "bbic_portal").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for word in ("UPDATE ", "DELETE ", "REPLACE INTO", "DROP "):
            for line in text.splitlines():
                if word in line.upper() and "BEFORE " + word.strip() not in line.upper():
                    assert "TRIGGER" in line.upper() or "audit_no_" in line, (path.name, line)


def test_bbic_audit_reads_while_the_portal_writes(portal: PortalServer) -> None:
    stop = threading.Event()
    errors: list[BaseException] = []

    def browse() -> None:
        try:
            client = portal.login("lasare")
            while not stop.is_set():
                client.get("/rapporter/arkiv/2025-01-31/0180/verksamhet_year_to_date.html")
        except BaseException as exc:
            errors.append(exc)

    writer = threading.Thread(target=browse)
    writer.start()
    try:
        # another process, as the coordinator runs it on the server
        env = {"BBIC_AUDIT_DB": str(portal.config.audit_db), "PATH": "/usr/bin:/bin"}
        done = subprocess.run(
            [sys.executable, "-m", "bbic_cli.main", "audit", "--user", "lasare"],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        outputs = [done.stdout]
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("BBIC_AUDIT_DB", str(portal.config.audit_db))
            for args in (["--user", "lasare", "--csv"], ["--since", "2000-01-01"]):
                result = CliRunner().invoke(app, ["audit", *args])
                assert result.exit_code == 0, result.output
                outputs.append(result.output)
    finally:
        stop.set()
        writer.join()
    assert not errors
    assert "lasare\tlasare\t127.0.0.1\tview" in outputs[0]
    assert outputs[1].startswith("id,at,user,roles,client,action,")
    assert all(line.split(",")[2] == "lasare" for line in outputs[1].splitlines()[1:])
    assert "bromma" in outputs[2] or "lasare" in outputs[2]


def test_logg_page_filters_and_csv(portal: PortalServer) -> None:
    client = portal.login("samordnare")
    page = client.get("/logg?anvandare=lasare")
    assert page.status_code == 200 and "<td>lasare</td>" in page.text and "<td>bromma</td>" not in page.text
    csv_text = client.get("/logg.csv?omrade=stadsdel:bromma").text
    lines = csv_text.splitlines()
    assert lines[0].startswith("id,at,user") and len(lines) > 1
    assert all(",stadsdel:bromma," in line for line in lines[1:])


def test_user_names_cannot_inject_formulas_or_markup(portal: PortalServer) -> None:
    client = portal.client()
    sign_in(client, "=1+2", "x")
    sign_in(client, "@SUM(A1)", "x")
    sign_in(client, "<script>alert(1)</script>", "x")
    admin = portal.login("samordnare")
    page = admin.get("/logg").text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    csv_text = admin.get("/logg.csv").text
    assert ",'=1+2," in csv_text and ",=1+2," not in csv_text
    assert ",'@SUM(A1)," in csv_text and ",@SUM(A1)," not in csv_text
