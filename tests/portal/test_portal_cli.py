"""`bbic users …` and `bbic serve` as a user runs them."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from click.testing import Result
from portal_server import Deployment, sign_in
from typer.testing import CliRunner

from bbic_cli.main import app
from bbic_cli.serve_cmd import secure_cookies
from bbic_core.register import load_register
from bbic_portal.sample_accounts import make_sample_accounts, read_password_file

ROOT = Path(__file__).resolve().parents[2]


def bbic(*args: str, env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bbic_cli.main", *args],
        input=stdin,
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_users_add_list_remove(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BBIC_USERS_FILE", str(tmp_path / "users.json"))
    runner = CliRunner()

    def run(*args: str, stdin: str = "") -> Result:
        return runner.invoke(app, list(args), input=stdin)

    added = run(
        "users",
        "add",
        "anna",
        "--role",
        "stadsdel:bromma",
        "--role",
        "natverk:vasterort",
        "--password-stdin",
        stdin="ett-langt-losenord\n",
    )
    assert added.exit_code == 0, added.output
    data = json.loads((tmp_path / "users.json").read_text(encoding="utf-8"))
    assert data["users"]["anna"]["hash"].startswith("$argon2id$")
    assert "ett-langt-losenord" not in (tmp_path / "users.json").read_text(encoding="utf-8")
    assert stat.S_IMODE(os.stat(tmp_path / "users.json").st_mode) == 0o600
    assert run("users", "list").output == "anna\tnatverk:vasterort,stadsdel:bromma\n"
    bad = run("users", "add", "bo", "--role", "admin", "--password-stdin", stdin="ett-langt-losenord\n")
    assert bad.exit_code == 1 and "unknown role" in bad.output
    short = run("users", "add", "bo", "--role", "lasare", "--password-stdin", stdin="kort\n")
    assert short.exit_code == 1 and "12 characters" in short.output
    twice = "ett-annat-losenord\n" * 2  # the prompt asks twice
    prompted = run("users", "add", "cilla", "--role", "lasare", stdin=twice)
    assert prompted.exit_code == 0 and "ett-annat-losenord" not in prompted.output
    assert run("users", "remove", "anna").exit_code == 0
    assert run("users", "list").output == "cilla\tlasare\n"
    assert run("users", "remove", "anna").exit_code == 1


def test_secure_cookie_unless_plain_http_on_loopback() -> None:
    assert not secure_cookies("127.0.0.1", "")
    assert not secure_cookies("::1", "")
    assert secure_cookies("127.0.0.1", "https://bbic.kommun.se")  # behind the TLS proxy
    assert secure_cookies("0.0.0.0", "")
    assert secure_cookies("10.1.2.3", "")


def test_sample_accounts_are_owner_only_with_random_passwords(
    portal_deployment: Deployment, tmp_path: Path
) -> None:
    register = load_register(portal_deployment.env.register)
    first = make_sample_accounts(tmp_path / "u.json", tmp_path / "pw.txt", register)
    assert set(first) == {"samordnare", "bromma", "vasterort", "lasare"}
    assert stat.S_IMODE(os.stat(tmp_path / "pw.txt").st_mode) == 0o600
    assert read_password_file(tmp_path / "pw.txt") == first
    second = make_sample_accounts(tmp_path / "u2.json", tmp_path / "pw2.txt", register)
    assert all(first[name] != second[name] for name in first)


def test_bbic_serve_runs_the_portal(portal_deployment: Deployment, tmp_path: Path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        **portal_deployment.environ(
            BBIC_USERS_FILE=str(tmp_path / "users.json"),
            BBIC_SESSION_KEY_FILE=str(tmp_path / "key"),
            BBIC_AUDIT_DB=str(tmp_path / "audit.sqlite"),
            BBIC_PORTAL_CACHE=str(tmp_path / "cache"),
        ),
    }
    assert bbic("serve", env=env).returncode == 1  # no accounts yet: says how to add one
    assert (
        bbic(
            "users",
            "add",
            "sam",
            "--role",
            "samordnare",
            "--password-stdin",
            env=env,
            stdin="ett-langt-losenord\n",
        ).returncode
        == 0
    )
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "bbic_cli.main", "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(600):
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        client = httpx.Client(base_url=base, timeout=60)
        assert sign_in(client, "sam", "ett-langt-losenord").status_code == 303
        assert client.get("/status").status_code == 200
        assert stat.S_IMODE(os.stat(tmp_path / "key").st_mode) == 0o600
    finally:
        proc.terminate()
        proc.wait(timeout=30)
