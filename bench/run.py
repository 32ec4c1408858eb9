"""The benchmark: `python -m bench.run [--scales stockholm-1y,stockholm-10y,sweden-10y]` (`make bench`).

For each scale the synthetic export is generated once into `bench/out/<scale>/` (kept between
runs), then each stage runs in its own subprocess so that its time and peak memory are its own:

1. `floor`    DuckDB `read_csv` of the eight files into typed tables of a DuckDB file, no checks;
2. `pipeline` the nightly job's load stages as `bbic run` runs them: land (hard-linked into the
              archive and hashed), validate, load the snapshot (`run_nightly(reports=False)`);
3. `reports`  the standard report set (HTML, PDF, Excel, CSV) from that snapshot
              (`bbic_core.documents.report_set.render_standard_set`);
   `refresh`  the pipeline's own report stages after that load (figures table + report set, as the
              first night after a new export does: `run_nightly` with an empty inbox);
4. `nightly2` a second full nightly run with the same export delivered again (nothing new to load,
              reports already current).

Peak memory is the child's `ru_maxrss` from `os.wait4`. Results go to `bench/out/results.json`
(accumulated over runs) and `bench/results.md`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
RESULTS_MD = ROOT / "bench" / "results.md"
DEFAULT_SCALES = ("stockholm-1y", "stockholm-10y", "sweden-10y")
STAGES = ("generate", "floor", "pipeline", "reports", "refresh", "nightly2")
REPORT_FORMATS = ("html", "pdf", "xlsx", "csv")
# A fixed benchmark key (synthetic data only): 64 characters, not a demo key.
BENCH_KEY = "bench-pseudonym-key-synthetic-data-only-0123456789abcdef01234567"


# ---------------------------------------------------------------- stages (run in a child process)

def _scale_dir(out: Path, scale: str) -> Path:
    return out / scale


def _export_dir(out: Path, scale: str) -> Path:
    return _scale_dir(out, scale) / "data" / "export"


def _row_count(out: Path, scale: str) -> int:
    manifest = json.loads((_export_dir(out, scale) / "manifest.json").read_text(encoding="utf-8"))
    return sum(int(f["rows"]) for f in manifest["files"])


def stage_generate(out: Path, scale: str, seed: int) -> dict[str, Any]:
    from bbic_core.synth.generate import generate

    target = _scale_dir(out, scale) / "data"
    shutil.rmtree(target, ignore_errors=True)
    began = time.perf_counter()
    result = generate(target, scale=scale, seed=seed)
    seconds = time.perf_counter() - began
    size = sum(p.stat().st_size for p in result.export_dir.iterdir())
    return {"seconds": seconds, "rows": sum(result.row_counts.values()), "bytes": size,
            "export_id": result.export_id, "row_counts": result.row_counts}


def stage_floor(out: Path, scale: str) -> dict[str, Any]:
    import duckdb

    from bbic_core import contract

    work = _scale_dir(out, scale) / "work"
    work.mkdir(parents=True, exist_ok=True)
    db = work / "floor.duckdb"
    db.unlink(missing_ok=True)
    export = _export_dir(out, scale)
    began = time.perf_counter()
    con = duckdb.connect(str(db))
    rows = 0
    for spec in contract.FILES:
        types = ", ".join(f"'{c.name}': '{'DATE' if c.kind is contract.Kind.DATE else 'VARCHAR'}'"
                          for c in spec.columns)
        path = str(export / spec.name).replace("'", "''")
        con.execute(f"CREATE TABLE {spec.table} AS SELECT * FROM read_csv('{path}', delim=';', header=true, "
                    f"quote='\"', escape='\"', dateformat='%Y-%m-%d', columns={{{types}}})")
        counted = con.execute(f"SELECT count(*) FROM {spec.table}").fetchall()
        rows += int(counted[0][0])
    con.close()
    seconds = time.perf_counter() - began
    db.unlink(missing_ok=True)
    return {"seconds": seconds, "rows": rows}


def _pipeline_env(out: Path, scale: str, fresh: bool, deliver: bool = True) -> tuple[dict[str, Any], Path]:
    from dagster_duckdb import DuckDBResource

    from pipelines.registers import resolve_register
    from pipelines.resources import BbicSettings

    pipe = _scale_dir(out, scale) / "work" / "pipe"
    if fresh:
        shutil.rmtree(pipe, ignore_errors=True)
    for sub in ("inbox", "archive", "data", "register", "reports"):
        (pipe / sub).mkdir(parents=True, exist_ok=True)
    register_src = _scale_dir(out, scale) / "data" / "register"
    for f in register_src.iterdir():
        shutil.copyfile(f, pipe / "register" / f.name)
    # Deliver the export into the inbox as a supplier does: new files of the pipeline's own, on the
    # archive's file system (landing hard-links them), copied before the clock starts, the manifest
    # last (a folder without one is still being written).
    export = _export_dir(out, scale)
    manifest = json.loads((export / "manifest.json").read_text(encoding="utf-8"))
    item = pipe / "inbox" / str(manifest["export_id"])
    shutil.rmtree(item, ignore_errors=True)
    if deliver:
        item.mkdir()
        for f in sorted(export.iterdir(), key=lambda f: f.name == "manifest.json"):
            shutil.copyfile(f, item / f.name)
    bbic = BbicSettings(inbox=str(pipe / "inbox"), archive=str(pipe / "archive"),
                        register_dir=str(pipe / "register"), reports=str(pipe / "reports"),
                        municipality="0180", pseudonym_key=BENCH_KEY, settle_seconds=0,
                        report_formats=",".join(REPORT_FORMATS))
    database = pipe / "data" / "bbic.duckdb"
    state = resolve_register(pipe / "register", database.parent)
    if not state.usable:
        raise RuntimeError(f"register does not parse: {state.error}")
    return {"bbic": bbic, "duckdb": DuckDBResource(database=str(database))}, pipe


def _summary(summary: Any) -> dict[str, Any]:
    return {"outcomes": [e.outcome for e in summary.exports],
            "lines": [e.line for e in summary.exports if e.line],
            "quarantined": sum(int(s.get("quarantined", 0))
                               for e in summary.exports for s in e.files.values()),
            "reports_error": summary.reports_error}


def stage_pipeline(out: Path, scale: str) -> dict[str, Any]:
    from pipelines.runner import run_nightly

    resources, _pipe = _pipeline_env(out, scale, fresh=True)
    began = time.perf_counter()
    summary = run_nightly(resources, reports=False)
    seconds = time.perf_counter() - began
    return {"seconds": seconds, "rows": _row_count(out, scale), **_summary(summary)}


def stage_reports(out: Path, scale: str) -> dict[str, Any]:
    import duckdb

    from bbic_core.documents.report_set import render_standard_set
    from bbic_core.register import load_register

    pipe = _scale_dir(out, scale) / "work" / "pipe"
    target = pipe / "reports_bench"
    shutil.rmtree(target, ignore_errors=True)
    con = duckdb.connect(str(pipe / "data" / "bbic.duckdb"), read_only=True)
    meta = con.execute("SELECT export_id, as_of FROM snapshot_meta").fetchall()[0]
    register = load_register(pipe / "register", today=meta[1])
    began = time.perf_counter()
    folder = render_standard_set(con, register, target, as_of=meta[1], export_id=str(meta[0]),
                                 formats=REPORT_FORMATS)
    seconds = time.perf_counter() - began
    con.close()
    files = [p for p in Path(folder).rglob("*") if p.is_file()]
    return {"seconds": seconds, "files": len(files),
            "by_format": {ext: sum(1 for p in files if p.suffix == f".{ext}") for ext in REPORT_FORMATS}}


def stage_refresh(out: Path, scale: str) -> dict[str, Any]:
    from pipelines.runner import run_nightly

    resources, pipe = _pipeline_env(out, scale, fresh=False, deliver=False)
    began = time.perf_counter()
    summary = run_nightly(resources, reports=True)
    seconds = time.perf_counter() - began
    files = [p for p in (pipe / "reports").rglob("*") if p.is_file()]
    return {"seconds": seconds, "files": len(files), **_summary(summary)}


def stage_nightly2(out: Path, scale: str) -> dict[str, Any]:
    from pipelines.runner import run_nightly

    resources, _pipe = _pipeline_env(out, scale, fresh=False)
    began = time.perf_counter()
    summary = run_nightly(resources, reports=True)
    seconds = time.perf_counter() - began
    return {"seconds": seconds, **_summary(summary)}


def run_stage(stage: str, out: Path, scale: str, seed: int) -> dict[str, Any]:
    if stage == "generate":
        return stage_generate(out, scale, seed)
    if stage == "floor":
        return stage_floor(out, scale)
    if stage == "pipeline":
        return stage_pipeline(out, scale)
    if stage == "reports":
        return stage_reports(out, scale)
    if stage == "refresh":
        return stage_refresh(out, scale)
    if stage == "nightly2":
        return stage_nightly2(out, scale)
    raise ValueError(stage)


# ---------------------------------------------------------------- the parent: one subprocess per stage

def _in_child(stage: str, out: Path, scale: str, seed: int) -> dict[str, Any]:
    """Runs one stage in a fresh interpreter; adds its wall time, exit status and peak RSS (MiB)."""
    cmd = [sys.executable, "-m", "bench.run", "--stage", stage, "--scales", scale, "--seed", str(seed),
           "--out", str(out)]
    load_before = os.getloadavg()[0]  # other work on the machine inflates the times: say so
    with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        began = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=stdout, stderr=stderr)
        _pid, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - began
        stdout.seek(0)
        stderr.seek(0)
        text = stdout.read().decode("utf-8", "replace")
        err = stderr.read().decode("utf-8", "replace")
    result: dict[str, Any] = {"wall_seconds": wall, "peak_rss_mib": usage.ru_maxrss / 1024,
                              "exit": proc.returncode, "load_before": load_before,
                              "load_after": os.getloadavg()[0]}
    lines = [ln for ln in text.splitlines() if ln.startswith("{")]
    if proc.returncode == 0 and lines:
        result.update(json.loads(lines[-1]))
    else:
        tail = [ln for ln in err.strip().splitlines() if ln.strip()][-3:]
        result["error"] = " | ".join(tail) or f"exit {proc.returncode}"
    return result


def _cached(out: Path, scale: str, seed: int) -> bool:
    from bbic_core.synth.generate import DEFAULT_AS_OF, export_id_for

    manifest = _export_dir(out, scale) / "manifest.json"
    if not manifest.is_file():
        return False
    found = json.loads(manifest.read_text(encoding="utf-8")).get("export_id")
    return bool(found == export_id_for(scale, seed, 0.0, "utf-8", DEFAULT_AS_OF))


def bench_scale(out: Path, scale: str, seed: int, regenerate: bool,
                previous: dict[str, Any] | None = None) -> dict[str, Any]:
    results: dict[str, Any] = {"scale": scale, "seed": seed, "measured_at": dt.datetime.now(dt.UTC).isoformat(
        timespec="seconds")}
    for stage in STAGES:
        if stage == "generate" and not regenerate and _cached(out, scale, seed):
            before = (previous or {}).get("generate") or {}
            # The export is reused: keep the generation measured when it was made, if known.
            results[stage] = {**before, "cached": True} if "seconds" in before else {"cached": True}
            continue
        print(f"[bench] {scale}: {stage} …", flush=True)
        results[stage] = _in_child(stage, out, scale, seed)
        shown = {k: v for k, v in results[stage].items()
                 if k in ("seconds", "peak_rss_mib", "error", "outcomes")}
        print(f"[bench] {scale}: {stage} {shown}", flush=True)
        if stage == "generate" and "error" in results[stage]:
            break
    if _export_dir(out, scale).joinpath("manifest.json").is_file():
        results["rows"] = _row_count(out, scale)
        results["bytes"] = sum(p.stat().st_size for p in _export_dir(out, scale).iterdir())
    return results


def machine() -> dict[str, str]:
    import duckdb
    import numpy
    import pyarrow

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    return {"nproc": str(os.cpu_count()), "affinity": str(len(os.sched_getaffinity(0))), "memory": mem,
            "cpu": cpu, "os": platform.platform(), "python": platform.python_version(),
            "duckdb": duckdb.__version__, "pyarrow": pyarrow.__version__, "numpy": numpy.__version__}


def _fmt_s(stage: dict[str, Any] | None) -> str:
    if not stage:
        return "–"
    if "error" in stage:
        return "not yet measurable"
    if "seconds" not in stage:
        return "(cached)"
    return f"{stage['seconds']:.1f} s"


def _rate(rows: int, stage: dict[str, Any] | None) -> str:
    if not stage or "error" in stage or not stage.get("seconds"):
        return "–"
    return f"{rows / stage['seconds']:,.0f}".replace(",", " ")


def _rss(stage: dict[str, Any] | None) -> str:
    if not stage or "peak_rss_mib" not in stage:
        return "–"
    return f"{stage['peak_rss_mib']:,.0f} MiB".replace(",", " ")


def write_markdown(all_results: dict[str, Any], path: Path) -> None:
    m = all_results["machine"]
    lines = [
        "# Benchmark results",
        "",
        "Measured by `bench/run.py` (see `bench/README.md`). Reproduce with:",
        "",
        "```",
        f"make bench   # = .venv/bin/python -m bench.run --scales {','.join(all_results['scales_run'])}",
        "```",
        "",
        "## Machine",
        "",
        f"- CPU: {m['cpu']}; `nproc` {m['nproc']} (usable {m['affinity']})",
        f"- memory: {m['memory']}; {m['os']}",
        f"- Python {m['python']}, DuckDB {m['duckdb']}, pyarrow {m['pyarrow']}, numpy {m['numpy']}",
        "",
        "## Results",
        "",
        "Times are each stage's own work inside its subprocess (imports and setup excluded); peak RSS is "
        "the whole subprocess's. Rows are the data rows of all eight files.",
        "",
        "| scale | rows | CSV size | generate | (1) floor: read_csv | (2) land + validate + load | (2)/(1) "
        "| (3) report set | pipeline report refresh | (4) 2nd nightly |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for scale in DEFAULT_SCALES + tuple(s for s in all_results["scales"] if s not in DEFAULT_SCALES):
        r = all_results["scales"].get(scale)
        if r is None:
            lines.append(f"| {scale} | | | not run | | | | | | |")
            continue
        rows = int(r.get("rows", 0))
        size = f"{r.get('bytes', 0) / 1024 / 1024:,.0f} MiB".replace(",", " ")
        floor, pipe = r.get("floor"), r.get("pipeline")
        ratio = "–"
        if floor and pipe and "error" not in floor and "error" not in pipe:
            ratio = f"{pipe['seconds'] / floor['seconds']:.1f}×"
        cells = [
            scale, f"{rows:,}".replace(",", " "), size,
            f"{_fmt_s(r.get('generate'))}, {_rss(r.get('generate'))}",
            f"{_fmt_s(floor)}, {_rate(rows, floor)} rows/s, {_rss(floor)}",
            f"{_fmt_s(pipe)}, {_rate(rows, pipe)} rows/s, {_rss(pipe)}",
            ratio,
            f"{_fmt_s(r.get('reports'))}, {_rss(r.get('reports'))}",
            f"{_fmt_s(r.get('refresh'))}, {_rss(r.get('refresh'))}",
            f"{_fmt_s(r.get('nightly2'))}, {_rss(r.get('nightly2'))}",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "## Notes", ""]
    for scale, r in all_results["scales"].items():
        lines.append(f"- **{scale}** (measured {r.get('measured_at', '?')}, seed {r.get('seed')}):")
        for stage in STAGES:
            s = r.get(stage) or {}
            if not s:
                continue
            if "error" in s:
                detail = f"not yet measurable: `{s['error'][:300]}`"
            elif stage == "generate":
                detail = "export reused; generated in an earlier run" if s.get("cached") else "generated"
            elif stage == "pipeline":
                detail = f"outcomes {s.get('outcomes')}, quarantined rows {s.get('quarantined')}"
            elif stage == "reports":
                detail = f"{s.get('files')} files {s.get('by_format')}"
            elif stage == "refresh":
                detail = (f"{s.get('files')} files in the reports folder, "
                          f"report error: {s.get('reports_error')}")
                if s.get("reports_error"):
                    detail += " (so the 2nd nightly run still had reports to render)"
            elif stage == "nightly2":
                detail = f"outcomes {s.get('outcomes')}, report error: {s.get('reports_error')}"
            else:
                detail = f"{s.get('rows', '')} rows read"
            if "load_before" in s:
                detail += f"; load average {s['load_before']:.1f} → {s['load_after']:.1f}"
            lines.append(f"  - {stage}: {detail}")
    path.write_text("\n".join(lines) + "\n" + _kept_sections(path), encoding="utf-8")


KEPT_HEADINGS = ("## Report refresh with reports 4 and 5", "## Reading the numbers", "## Profiling and fixes")


def _kept_sections(path: Path) -> str:
    """Hand-written analysis after the generated part survives a re-run (from its first kept heading on)."""
    if not path.is_file():
        return ""
    text = path.read_text(encoding="utf-8")
    starts = [i for i in (text.find("\n" + h) for h in KEPT_HEADINGS) if i >= 0]
    return "" if not starts else text[min(starts):]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description="BBIC benchmark")
    parser.add_argument("--scales", default=",".join(DEFAULT_SCALES))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--results", type=Path, default=RESULTS_MD)
    parser.add_argument("--regenerate", action="store_true", help="generate the exports again")
    # Internal: run one stage in this process (the parent starts one subprocess per stage).
    parser.add_argument("--stage", choices=STAGES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    scales = [s.strip() for s in args.scales.split(",") if s.strip()]
    if args.stage:
        print(json.dumps(run_stage(args.stage, args.out, scales[0], args.seed), default=str), flush=True)
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    store = args.out / "results.json"
    all_results: dict[str, Any] = json.loads(store.read_text()) if store.is_file() else {"scales": {}}
    all_results["machine"] = machine()
    for scale in scales:
        all_results["scales"][scale] = bench_scale(args.out, scale, args.seed, args.regenerate,
                                                   all_results["scales"].get(scale))
        all_results["scales_run"] = sorted(all_results["scales"], key=lambda s: (
            DEFAULT_SCALES.index(s) if s in DEFAULT_SCALES else 99, s))
        store.write_text(json.dumps(all_results, indent=1, default=str) + "\n", encoding="utf-8")
        write_markdown(all_results, args.results)
    print(f"[bench] results: {args.results}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
