"""A throwaway PostgreSQL server: `initdb` into a temporary folder, started on a free loopback port.

Debian's server binaries (`scripts/ensure-postgres.sh` installs them) are used as they are; the
cluster, its socket and its log live in one temporary folder that is removed at the end. PostgreSQL
refuses to run as root, so as root the cluster belongs to an unprivileged user (`nobody`) and its
programs run through `runuser`. Password authentication over TCP, as a service would use it.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg2

SERVER_USER = "nobody"  # who owns and runs the cluster when the tests run as root
SUPERUSER = "postgres"


@dataclass(frozen=True)
class PostgresServer:
    root: Path
    port: int
    database: str
    user: str
    password: str
    host: str = "127.0.0.1"

    def dagster_env(self) -> dict[str, str]:
        """The variables `deploy/dagster.yaml` reads its connection from."""
        return {
            "DAGSTER_PG_HOST": self.host,
            "DAGSTER_PG_PORT": str(self.port),
            "DAGSTER_PG_DB": self.database,
            "DAGSTER_PG_USER": self.user,
            "DAGSTER_PG_PASSWORD": self.password,
        }

    def connect(self) -> psycopg2.extensions.connection:
        return psycopg2.connect(host=self.host, port=self.port, dbname=self.database, user=self.user,
                                password=self.password, connect_timeout=10)

    @property
    def log(self) -> Path:
        return self.root / "server.log"


def server_bin() -> Path:
    """The newest installed server's `bin` folder (`/usr/lib/postgresql/<major>/bin`)."""
    found = [p.parent for p in Path("/usr/lib/postgresql").glob("*/bin/initdb") if os.access(p, os.X_OK)]
    if not found:
        raise RuntimeError("no PostgreSQL server under /usr/lib/postgresql: run scripts/ensure-postgres.sh")

    def major(path: Path) -> tuple[int, ...]:
        return tuple(int(n) for n in re.findall(r"[0-9]+", path.parent.name))

    return max(found, key=major)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_server_user() -> list[str]:
    return ["runuser", "-u", SERVER_USER, "--"] if os.geteuid() == 0 else []


def _run(args: list[str], root: Path, timeout: float = 120) -> None:
    proc = subprocess.run([*_as_server_user(), *args], cwd=root, capture_output=True, text=True,
                          timeout=timeout, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{Path(args[0]).name} failed ({proc.returncode}): {proc.stdout}{proc.stderr}")


def _start(pg: Path, root: Path, data: Path, port: int) -> None:
    # fsync off: a test cluster need not survive a power cut, and it keeps the shared disk quiet.
    options = (f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c fsync=off -c synchronous_commit=off "
               "-c full_page_writes=off -c max_connections=100")
    _run([str(pg / "pg_ctl"), "-D", str(data), "-l", str(root / "server.log"), "-w", "-t", "60",
          "-o", options, "start"], root, timeout=90)


def _stop(pg: Path, root: Path, data: Path) -> None:
    try:
        _run([str(pg / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "-t", "30", "stop"], root, timeout=60)
    except (RuntimeError, subprocess.TimeoutExpired):
        # The postmaster this fixture started (its pid is the first line of postmaster.pid).
        with contextlib.suppress(OSError, ValueError, IndexError):
            pid = int((data / "postmaster.pid").read_text(encoding="ascii").splitlines()[0])
            os.kill(pid, signal.SIGKILL)
            time.sleep(0.5)


@contextlib.contextmanager
def postgres_server(database: str = "dagster") -> Iterator[PostgresServer]:
    """A running server with an empty `database`; stopped and removed afterwards."""
    pg = server_bin()
    # Not under pytest's tmp_path: as root its folders are root-only, and the server user must reach
    # its cluster and socket (through /tmp, whatever TMPDIR says).
    root = Path(tempfile.mkdtemp(prefix="bbic-pg-", dir="/tmp" if os.geteuid() == 0 else None))
    data = root / "data"
    password = secrets.token_hex(16)
    started = False
    try:
        pwfile = root / "pwfile"
        pwfile.write_text(password + "\n", encoding="ascii")
        pwfile.chmod(0o600)
        if os.geteuid() == 0:
            who = pwd.getpwnam(SERVER_USER)
            for path in (root, pwfile):
                os.chown(path, who.pw_uid, who.pw_gid)
        _run([str(pg / "initdb"), "-D", str(data), "-U", SUPERUSER, f"--pwfile={pwfile}", "-E", "UTF8",
              "--no-locale", "--no-sync", "--auth-local=trust", "--auth-host=scram-sha-256"], root)
        pwfile.unlink()
        # A free port can be taken by someone else before the server binds it: try a few.
        for attempt in range(3):
            port = free_port()
            try:
                _start(pg, root, data, port)
                break
            except RuntimeError:
                if attempt == 2:
                    raise
        started = True
        server = PostgresServer(root, port, "postgres", SUPERUSER, password)
        con = server.connect()
        try:
            con.autocommit = True
            with con.cursor() as cur:
                cur.execute(f'CREATE DATABASE "{database}"')
        finally:
            con.close()
        yield PostgresServer(root, port, database, SUPERUSER, password)
    finally:
        if started:
            _stop(pg, root, data)
        shutil.rmtree(root, ignore_errors=True)
