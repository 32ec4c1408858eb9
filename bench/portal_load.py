"""The portal under load: 50 signed-in users browse Översikt and download archived PDFs while the
pipeline swaps in a new snapshot (`python -m bench.portal_load`; not a test).

What it does, all on 127.0.0.1 and bounded in time and in requests:

1. Copies the sample data of `make run` (`var/sample/`: the DuckDB file, the register, the reports
   folder) into `bench/out/portal/`, so the run never touches the newcomer's data, and makes one local
   account per simulated user (roles spread over `samordnare`, `stadsdel:<code>`, `natverk:<code>`,
   `lasare`), with random passwords that live in this process only.
2. Starts `bbic serve` on a free loopback port as its own process, as an operator would.
3. Signs every user in through the sign-in form (CSRF token and all), and reads from each user's
   Rapporter page which archived PDFs that user may open.
4. Runs the users for `--seconds` (or until `--max-requests` requests): each user in turn opens
   Översikt, thinks, downloads one of its PDFs, thinks. Every response is checked: status 200, a
   PDF that starts with `%PDF`, an Översikt page that names the current export.
5. At `--swap-at` seconds a separate process makes a new snapshot current the pipeline's way
   (`pipelines.store.swap.publish_snapshot`: the staging file, made beforehand as a copy of the
   snapshot under a new export id, replaces the main file by one rename). The swap must not fail or
   wait, no request may fail, and Översikt must show the new export afterwards.

Reported: p50/p95/p99 latency per kind of request (time to the whole body), request and error
counts, the swap's own duration and when the new export was first served. `--write` puts the
figures into the "Portal under load" section of bench/results.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import platform
import random
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from typing import Any

import duckdb
import httpx

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "var" / "sample"
OUT = ROOT / "bench" / "out" / "portal"
RESULTS_MD = ROOT / "bench" / "results.md"
SECTION = "## Portal under load"
TARGETS_MS = {"oversikt": 300.0, "pdf": 100.0}
AFTER_SWAP_S = 15.0  # the window after the swap reported on its own
HOST = "127.0.0.1"
REQUEST_TIMEOUT_S = 30.0
_CSRF = re.compile(r'name="csrf"\s+value="([^"]+)"')
_PDF_HREF = re.compile(r'href="(/rapporter/arkiv/[^"]+\.pdf)"')


# --- the data and the accounts ----------------------------------------------------------------------

@dataclass(frozen=True)
class Site:
    root: Path
    duckdb_path: Path
    reports: Path
    register: Path
    users_file: Path
    staging: Path  # the next night's snapshot, made ahead; swapped in during the run
    old_export: str
    new_export: str

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("BBIC_")}
        env.update({
            "BBIC_DUCKDB_PATH": str(self.duckdb_path),
            "BBIC_REPORTS": str(self.reports),
            "BBIC_REGISTER_DIR": str(self.register),
            "BBIC_USERS_FILE": str(self.users_file),
            "BBIC_SESSION_KEY_FILE": str(self.root / "data" / "portal-session.key"),
            "BBIC_AUDIT_DB": str(self.root / "data" / "audit.sqlite"),
            "BBIC_PORTAL_CACHE": str(self.root / "data" / "portal-cache"),
        })
        return env


def prepare(sample: Path, out: Path) -> Site:
    """A private copy of the sample data, and the staging file of the swap."""
    source_db = sample / "data" / "bbic.duckdb"
    if not source_db.is_file() or not any((sample / "reports").glob("[0-9]*")):
        raise SystemExit(f"no sample data in {sample}: run `make run` first")
    if out.exists():
        shutil.rmtree(out)
    (out / "data").mkdir(parents=True)
    site = Site(root=out, duckdb_path=out / "data" / "bbic.duckdb", reports=out / "reports",
                register=out / "register", users_file=out / "data" / "portal-users.json",
                staging=out / "data" / "next-night.duckdb", old_export="", new_export="")
    shutil.copyfile(source_db, site.duckdb_path)
    shutil.copytree(sample / "register", site.register)
    shutil.copytree(sample / "reports", site.reports, symlinks=True)
    con = duckdb.connect(str(site.duckdb_path), read_only=True)
    try:
        row = con.execute("SELECT export_id FROM snapshot_meta ORDER BY loaded_at DESC LIMIT 1").fetchone()
    finally:
        con.close()
    assert row is not None
    old = str(row[0])
    new = f"{old}-B"
    make_staging(site.duckdb_path, site.staging)
    return Site(**{**site.__dict__, "old_export": old, "new_export": new})


def make_staging(main: Path, staging: Path) -> None:
    """The next night's staging file as the validator leaves it: the snapshot's tables as
    `clean_<table>` (a copy of tonight's rows), nothing of the history."""
    from pipelines.store.schema import SNAPSHOT_TABLES, table_names

    shutil.copyfile(main, staging)
    con = duckdb.connect(str(staging))
    try:
        for table in sorted(table_names(con) - set(SNAPSHOT_TABLES)):
            con.execute(f'DROP TABLE "{table}"')
        for table in SNAPSHOT_TABLES:
            con.execute(f'ALTER TABLE "{table}" RENAME TO "clean_{table}"')
        con.execute("CHECKPOINT")
    finally:
        con.close()


@dataclass(frozen=True)
class User:
    name: str
    password: str
    role: str


def make_users(site: Site, count: int) -> list[User]:
    """`count` accounts, the roles spread as a municipality's would be: most are district staff."""
    from bbic_core.register import load_register
    from bbic_portal.roles import parse_roles
    from bbic_portal.users import add_user

    register = load_register(site.register)
    districts = sorted(d.code for d in register.districts)
    networks = sorted(n.code for n in register.networks)
    users = []
    for i in range(count):
        if i % 10 == 0:
            role = "samordnare"
        elif i % 10 in (1, 2) and networks:
            role = f"natverk:{networks[i % len(networks)]}"
        elif i % 10 == 3:
            role = "lasare"
        else:
            role = f"stadsdel:{districts[i % len(districts)]}"
        users.append(User(f"last{i:02d}", secrets.token_urlsafe(18), role))
    for user in users:
        add_user(site.users_file, user.name, user.password, parse_roles([user.role]))
    return users


# --- the server ---------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def start_portal(site: Site, port: int, log: Path) -> subprocess.Popen[bytes]:
    bbic = Path(sys.executable).with_name("bbic")
    with log.open("wb") as fh:
        proc = subprocess.Popen([str(bbic), "serve", "--host", HOST, "--port", str(port)], env=site.env(),
                                stdout=fh, stderr=subprocess.STDOUT, cwd=site.root, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"bbic serve ended (exit {proc.returncode}); its output:\n{log.read_text()}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"http://{HOST}:{port}/healthz", timeout=2).status_code == 200:
                return proc
        time.sleep(0.2)
    stop_portal(proc)
    raise SystemExit(f"bbic serve did not answer /healthz within 60 s; its output:\n{log.read_text()}")


def stop_portal(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# --- the swap, in its own process as the pipeline's -----------------------------------------------------

def swap(main: Path, staging: Path, export_id: str) -> None:
    """Runs in the child: the pipeline's swap of `staging` in for `main`, under a new export id."""
    from pipelines.store import Attempt, SnapshotMeta, publish_snapshot

    now = dt.datetime.now(dt.UTC)
    con = duckdb.connect(str(main))
    try:
        row = con.execute("SELECT municipality, created_at, as_of FROM snapshot_meta LIMIT 1").fetchone()
        assert row is not None
        municipality, created_at, as_of = row
        meta = SnapshotMeta(export_id, str(municipality), created_at + dt.timedelta(hours=1), as_of, now)
        attempt = Attempt("accepted", now, now, source="bench", export_id=export_id,
                          municipality=str(municipality), as_of=as_of)
        publish_snapshot(con, staging, meta, attempt)
    finally:
        con.close()


async def run_swap(site: Site) -> dict[str, Any]:
    started = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.portal_load", "--swap-only", str(site.duckdb_path), str(site.staging),
        site.new_export, cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    output, _ = await proc.communicate()
    return {"exit": proc.returncode, "seconds": time.perf_counter() - started,
            "output": output.decode("utf-8", "replace")[-2000:]}


# --- the users ------------------------------------------------------------------------------------------

@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: {"oversikt": [], "pdf": []})
    started_at: dict[str, list[float]] = field(default_factory=lambda: {"oversikt": [], "pdf": []})
    errors: Counter[str] = field(default_factory=Counter)
    requests: int = 0
    exports_seen: list[tuple[float, float, bool]] = field(default_factory=list)  # Översikt: start, end, new

    @property
    def new_export_first_s(self) -> float | None:
        """When the first Översikt naming the new export was answered."""
        return min((end for _, end, new in self.exports_seen if new), default=None)

    @property
    def oversikt_new(self) -> int:
        return sum(1 for _, _, new in self.exports_seen if new)

    @property
    def old_export_after_new(self) -> int:
        """Översikt pages asked for after the new export had been shown, that showed the old one."""
        first = self.new_export_first_s
        if first is None:
            return 0
        return sum(1 for start, _, new in self.exports_seen if start > first and not new)


async def sign_in(client: httpx.AsyncClient, user: User) -> list[str]:
    """Signs in through the form; returns the archived PDFs the user's Rapporter page links."""
    form = await client.get("/logga-in")
    token = _CSRF.search(form.text)
    if form.status_code != 200 or token is None:
        raise RuntimeError(f"sign-in form: {form.status_code}, csrf token {'found' if token else 'missing'}")
    answer = await client.post("/logga-in", data={"csrf": unescape(token.group(1)), "next": "/",
                                                   "anvandare": user.name, "losenord": user.password})
    if answer.status_code not in (200, 302, 303) or "Logga ut" not in (await client.get("/")).text:
        raise RuntimeError(f"sign-in of {user.role} refused ({answer.status_code})")
    page = await client.get("/rapporter")
    return sorted({unescape(h) for h in _PDF_HREF.findall(page.text)})


async def browse(client: httpx.AsyncClient, pdfs: list[str], site: Site, tally: Tally, clock: float,
                 deadline: float, cap: int, think_s: float, rng: random.Random) -> None:
    await asyncio.sleep(rng.uniform(0, 2 * think_s))  # people do not all click in the same instant
    while time.perf_counter() < deadline and tally.requests < cap:
        for kind in ("oversikt", "pdf"):
            if kind == "pdf" and not pdfs:
                continue
            if time.perf_counter() >= deadline or tally.requests >= cap:
                return
            url = "/" if kind == "oversikt" else rng.choice(pdfs)
            tally.requests += 1
            started = time.perf_counter()
            try:
                response = await client.get(url)
                body = response.content
            except httpx.HTTPError as exc:
                tally.errors[f"{kind}: {type(exc).__name__}"] += 1
                continue
            tally.latencies[kind].append((time.perf_counter() - started) * 1000)
            tally.started_at[kind].append(started - clock)
            if response.status_code != 200:
                tally.errors[f"{kind}: HTTP {response.status_code}"] += 1
            elif kind == "pdf" and not body.startswith(b"%PDF"):
                tally.errors["pdf: not a PDF"] += 1
            elif kind == "oversikt":
                check_oversikt(response.text, site, tally, started - clock, time.perf_counter() - clock)
            await asyncio.sleep(rng.uniform(0.5, 1.5) * think_s)


def check_oversikt(text: str, site: Site, tally: Tally, start_s: float, end_s: float) -> None:
    if site.new_export in text:
        tally.exports_seen.append((start_s, end_s, True))
    elif site.old_export in text:
        tally.exports_seen.append((start_s, end_s, False))
    else:
        tally.errors["oversikt: names no export"] += 1


async def load(site: Site, users: list[User], base: str, seconds: float, cap: int, swap_at: float,
               think_s: float, seed: int) -> dict[str, Any]:
    # one connection per user, as a person clicking through pages uses it: a second connection would
    # sit idle past uvicorn's keep-alive time-out and race its closing (an error no browser shows)
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    clients = [httpx.AsyncClient(base_url=base, timeout=REQUEST_TIMEOUT_S, limits=limits) for _ in users]
    try:
        # sign-ins (not measured) a few at a time: each is an Argon2id verification of 64 MiB, and
        # fifty at once on two cores would time out; people do not all arrive in the same second
        gate = asyncio.Semaphore(4)

        async def signed_in(client: httpx.AsyncClient, user: User) -> list[str]:
            async with gate:
                return await sign_in(client, user)

        pdf_lists = await asyncio.gather(*(signed_in(c, u) for c, u in zip(clients, users, strict=True)))
        load_before = os.getloadavg()
        tally = Tally()
        rng = random.Random(seed)
        clock = time.perf_counter()
        deadline = clock + seconds

        async def swap_later() -> dict[str, Any]:
            await asyncio.sleep(swap_at)
            result = await run_swap(site)
            result["at_s"] = swap_at
            return result

        swapper = asyncio.create_task(swap_later())
        await asyncio.gather(*(
            browse(c, pdfs, site, tally, clock, deadline, cap, think_s, random.Random(rng.random()))
            for c, pdfs in zip(clients, pdf_lists, strict=True)))
        elapsed = time.perf_counter() - clock
        swap_result = await swapper
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))
    return {"tally": tally, "elapsed_s": elapsed, "swap": swap_result, "load_before": load_before,
            "users_with_pdfs": sum(1 for p in pdf_lists if p),
            "roles": Counter(u.role.split(":")[0] for u in users)}


# --- the report -----------------------------------------------------------------------------------------

def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def machine() -> str:
    mem = ""
    with contextlib.suppress(OSError):
        kb = int(Path("/proc/meminfo").read_text().split("\n")[0].split()[1])
        mem = f", {kb / 2**20:.1f} GiB memory"
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return f"{cpu}; `nproc` {os.cpu_count()}{mem}; Python {platform.python_version()}, {platform.platform()}"


def summary(result: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    tally: Tally = result["tally"]
    rows = {}
    for kind, values in tally.latencies.items():
        rows[kind] = {"count": len(values), "p50": percentile(values, 50), "p95": percentile(values, 95),
                      "p99": percentile(values, 99), "max": max(values, default=float("nan"))}
    swap_result = result["swap"]
    at = float(args.swap_at)
    windows = {f"before the swap (0–{at:.0f} s)": (0.0, at),
               f"the swap and the {AFTER_SWAP_S:.0f} s after it": (at, at + AFTER_SWAP_S),
               f"later ({at + AFTER_SWAP_S:.0f} s – end)": (at + AFTER_SWAP_S, float("inf"))}
    phases: dict[str, dict[str, dict[str, float]]] = {}
    for name, (lo, hi) in windows.items():
        phases[name] = {}
        for kind, values in tally.latencies.items():
            picked = [v for v, t in zip(values, tally.started_at[kind], strict=True) if lo <= t < hi]
            phases[name][kind] = {"count": len(picked), "p50": percentile(picked, 50),
                                  "p95": percentile(picked, 95)}
    return {"phases": phases, "load_average_before": result["load_before"],
        "measured_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "machine": machine(), "users": args.users, "seconds": args.seconds, "cap": args.max_requests,
        "think_s": args.think, "elapsed_s": result["elapsed_s"], "requests": tally.requests,
        "errors": dict(tally.errors), "rows": rows, "roles": dict(result["roles"]),
        "users_with_pdfs": result["users_with_pdfs"],
        "swap": {"at_s": swap_result.get("at_s"), "exit": swap_result["exit"],
                 "seconds": swap_result["seconds"], "output": swap_result["output"].strip()},
        "new_export_first_s": tally.new_export_first_s, "oversikt_new": tally.oversikt_new,
        "old_after_new": tally.old_export_after_new, "load_average": os.getloadavg(),
    }


def verdicts(s: dict[str, Any]) -> list[str]:
    out = []
    for kind, target in TARGETS_MS.items():
        p95 = s["rows"][kind]["p95"]
        out.append(f"{'Översikt' if kind == 'oversikt' else 'archived PDF'} p95 {p95:.0f} ms "
                   f"{'<' if p95 < target else '≥'} {target:.0f} ms: {'met' if p95 < target else 'NOT met'}")
    errors = sum(s["errors"].values())
    out.append(f"errors: {errors} ({'met' if errors == 0 else 'NOT met'})")
    swapped = s["swap"]["exit"] == 0 and s["new_export_first_s"] is not None
    shown = "the new export was never served"
    if swapped:
        first = s["new_export_first_s"]
        shown = f"Översikt first showed the new export at {first:.1f} s ({first - s['swap']['at_s']:.1f} s " \
                "after the swap began)"
    out.append(f"nightly swap during the run: {'succeeded' if s['swap']['exit'] == 0 else 'FAILED'}"
               f" in {s['swap']['seconds']:.2f} s; {shown}")
    return out


def markdown(s: dict[str, Any], command: str) -> str:
    lines = [SECTION, "",
             f"Measured by `bench/portal_load.py` on {s['measured_at']}; reproduce with:", "", "```",
             command, "```", "",
             f"- machine: {s['machine']}; the portal (`bbic serve`, one process) and the {s['users']} "
             "simulated users (httpx async clients, one process) share the machine's cores",
             f"- data: the sample data of `make run` (a copy); users by role {s['roles']}; "
             f"{s['users_with_pdfs']} of {s['users']} may open archived PDFs",
             f"- each user (starting within the first {2 * s['think_s']:.0f} s) in turn opens Översikt and "
             f"downloads one of the archived PDFs its Rapporter page links, thinking "
             f"{s['think_s'] * 0.5:.2f}–{s['think_s'] * 1.5:.2f} s between requests; the run "
             f"stops after {s['seconds']:.0f} s or {s['cap']} requests ({s['elapsed_s']:.1f} s, "
             f"{s['requests']} requests, {s['requests'] / max(s['elapsed_s'], 1e-9):.0f} requests/s)",
             f"- at {s['swap']['at_s']:.0f} s the pipeline's swap (`publish_snapshot`, its own process) made "
             "a new export current", "",
             "| request | count | p50 | p95 | p99 | max | target (p95) |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for kind, row in s["rows"].items():
        name = "Översikt `/`" if kind == "oversikt" else "archived PDF `/rapporter/arkiv/…pdf`"
        lines.append(f"| {name} | {row['count']} | {row['p50']:.0f} ms | {row['p95']:.0f} ms | "
                     f"{row['p99']:.0f} ms | {row['max']:.0f} ms | < {TARGETS_MS[kind]:.0f} ms |")
    kinds = ", ".join(f"{k}: {v}" for k, v in sorted(s["errors"].items()))
    lines += ["", f"Errors: {sum(s['errors'].values())}" + (f" ({kinds})" if kinds else "")
              + f". Översikt pages showing the new export: {s['oversikt_new']}; the old export shown "
              f"again after the new one: {s['old_after_new']}.", ""]
    lines += [f"- {v}" for v in verdicts(s)]
    lines += ["", "By phase of the run (p50 / p95):", "",
              "| phase | Översikt | archived PDF |", "|---|---:|---:|"]
    for name, kinds in s["phases"].items():
        cells = [f"{k['p50']:.0f} / {k['p95']:.0f} ms ({k['count']})" if k["count"] else "–"
                 for k in (kinds["oversikt"], kinds["pdf"])]
        lines.append(f"| {name} | {cells[0]} | {cells[1]} |")
    before, after = s["load_average_before"], s["load_average"]
    lines += ["", f"Load average (1 min) {before[0]:.1f} before the run, {after[0]:.1f} after it "
              "(other work on the machine counts in both)."]
    return "\n".join(lines) + "\n"


GENERATED_END = "<!-- the figures above are written by bench/portal_load.py; the reading below by hand -->"


def write_section(path: Path, section: str) -> None:
    """Puts the section at the end of the results (after the kept analysis, which bench.run
    preserves from its first kept heading on), replacing an earlier one's figures and keeping its
    hand-written reading (what follows `GENERATED_END`)."""
    text = path.read_text(encoding="utf-8") if path.is_file() else "# Benchmark results\n"
    reading = ""
    start = text.find("\n" + SECTION)
    if start >= 0:
        following = text.find("\n## ", start + 1)
        old = text[start:following] if following >= 0 else text[start:]
        if GENERATED_END in old:
            reading = old.split(GENERATED_END, 1)[1].strip("\n")
        text = text[:start] + ("\n" + text[following:].lstrip("\n") if following >= 0 else "")
    out = text.rstrip("\n") + "\n\n" + section + "\n" + GENERATED_END + "\n"
    path.write_text(out + ("\n" + reading + "\n" if reading else ""), encoding="utf-8")


# --- main -------------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.portal_load", description=__doc__.split("\n")[0])
    parser.add_argument("--sample", type=Path, default=SAMPLE, help="the data of `make run`")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--max-requests", type=int, default=20_000)
    parser.add_argument("--swap-at", type=float, default=20.0)
    parser.add_argument("--think", type=float, default=1.0, help="mean think time between requests, s")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--write", action="store_true", help="write the figures into bench/results.md")
    parser.add_argument("--results", type=Path, default=RESULTS_MD)
    parser.add_argument("--swap-only", nargs=3, metavar=("MAIN", "STAGING", "EXPORT_ID"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.swap_only:
        main_db, staging, export_id = args.swap_only
        swap(Path(main_db), Path(staging), export_id)
        return 0

    site = prepare(args.sample, args.out)
    users = make_users(site, args.users)
    port = free_port()
    proc = start_portal(site, port, args.out / "serve.log")
    try:
        result = asyncio.run(load(site, users, f"http://{HOST}:{port}", args.seconds, args.max_requests,
                                  args.swap_at, args.think, args.seed))
    finally:
        stop_portal(proc)
    s = summary(result, args)
    (args.out / "results.json").write_text(json.dumps(s, indent=1, default=str) + "\n", encoding="utf-8")
    command = "make run   # once: the sample data\n.venv/bin/python -m bench.portal_load --write"
    text = markdown(s, command)
    print(text)
    if args.write:
        write_section(args.results, text)
        print(f"[bench] written to {args.results}")
    ok = sum(s["errors"].values()) == 0 and s["swap"]["exit"] == 0
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
