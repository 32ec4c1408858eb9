"""`generate`: one synthetic Paraply export and its register, deterministic for a seed.

`DIR/export/` holds the eight CSV files and `manifest.json`; `DIR/register/` the register
(`organisation.yaml`, `utbildning.csv`); with faults, `DIR/faults.json` lists every injected
fault (file, line with header = 1, expected rule code).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

from bbic_core import contract
from bbic_core.export_writer import write_manifest
from bbic_core.synth import faults as faults_mod
from bbic_core.synth.cases import build_world
from bbic_core.synth.register_copy import SAMPLE_REGISTER, read_register, write_register
from bbic_core.synth.scales import get_scale
from bbic_core.synth.staff import make_staff
from bbic_core.synth.tables import build_tables
from bbic_core.synth.vdates import add_years, day
from bbic_core.synth.writer import write_frame

DEFAULT_AS_OF = dt.date(2026, 11, 24)
CREATED_TIME = dt.time(23, 30)
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def akt_per_child(years: int) -> float:
    """Aktualiseringar per child over the window (measured): fewer in short windows, cut by the as-of date."""
    return 2.0 - 0.56 / years


# Relative sizes of Stockholm's districts (children and caseload); unknown codes weigh 1.
DISTRICT_WEIGHTS = {
    "rinkeby_kista": 1.35, "spanga_tensta": 1.0, "hasselby_vallingby": 1.15, "bromma": 1.0,
    "kungsholmen": 0.6, "norrmalm": 0.5, "ostermalm": 0.55, "sodermalm": 1.1, "hagersten_liljeholmen": 1.05,
    "skarholmen": 0.95, "alvsjo": 0.5, "enskede_arsta_vantor": 1.35, "farsta": 1.0, "skarpnack": 0.8,
}
Progress = Callable[[str, float], None]


@dataclass
class SynthResult:
    out: Path
    export_dir: Path
    register_dir: Path
    export_id: str
    created_at: str
    as_of: dt.date
    row_counts: dict[str, int]
    faults: list[dict[str, object]] = field(default_factory=list)
    seconds: float = 0.0


def created_at_for(as_of: dt.date) -> str:
    """`as_of` at 23:30 in Stockholm, ISO 8601 with its offset (+01:00 in winter, +02:00 in summer)."""
    return dt.datetime.combine(as_of, CREATED_TIME, tzinfo=STOCKHOLM).isoformat()


def export_id_for(scale: str, seed: int, rate: float, encoding: str, as_of: dt.date,
                  municipality: str = "0180") -> str:
    """Unique per set of arguments, so that two different exports never share an id (X010)."""
    digest = hashlib.sha256(f"{scale}|{seed}|{rate!r}|{encoding}|{as_of}".encode()).hexdigest()[:8]
    return f"paraply-{municipality}-{as_of:%Y%m%d}-synth-{scale}-{digest}"


def generate(out: Path, *, scale: str = "demo", seed: int = 1, faults: float = 0.0, encoding: str = "utf-8",
             as_of: dt.date | None = None, register_source: Path = SAMPLE_REGISTER,
             progress: Progress | None = None) -> SynthResult:
    """Writes one export with its register under `out`; same arguments, same bytes."""
    began = time.perf_counter()
    if not 0.0 <= faults <= 1.0:
        raise ValueError("faults must be a rate between 0 and 1")
    if encoding.lower() not in contract.ENCODINGS:
        raise ValueError(f"encoding must be one of {', '.join(contract.ENCODINGS)}")
    encoding = encoding.lower()
    sc = get_scale(scale)
    as_of = as_of or DEFAULT_AS_OF
    report = progress or (lambda _step, _fraction: None)

    def rng(stream: int) -> np.random.Generator:
        return np.random.default_rng([seed, stream])

    reg = read_register(register_source, sc.district_count)
    a = day(as_of)
    window_start = int(add_years(np.array([a]), -sc.years)[0]) + 1
    weights = np.array([DISTRICT_WEIGHTS.get(c, 1.0) for c in reg.districts], dtype=np.float64)
    # Each district has its own habit with the BBIC forms, around the 90 % that R5 asks for.
    bbic_rate = rng(1).uniform(0.84, 0.985, len(reg.districts))
    report("barn och ärenden", 0.05)
    n_children = max(20, round(sc.aktualiseringar_per_year * sc.years / akt_per_child(sc.years)))
    world = build_world(n_children=n_children, window_start=window_start, as_of=a, district_weights=weights,
                        bbic_rate=bbic_rate, rng=rng(2))
    report("personal", 0.3)
    staff = make_staff(reg, weights, sc.aktualiseringar_per_year, window_start, a, rng(4))
    tables = build_tables(world, staff, reg.districts, reg.municipality, rng(5))
    injected: list[dict[str, object]] = []
    if faults > 0:
        report("fel", 0.35)
        injected = faults_mod.inject(tables, world, staff, rate=faults, as_of=a, encoding=encoding,
                                     rng=rng(6))
    del world  # only the frames are needed from here on: keeps sweden-10y's peak memory down
    out.mkdir(parents=True, exist_ok=True)
    export_dir = out / "export"
    export_dir.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    total = sum(len(f) for f in tables.frames.values()) or 1
    written = 0
    for spec in contract.FILES:
        frame = tables.frames[spec.table]
        report(spec.name, 0.4 + 0.55 * written / total)
        rows, _sha = write_frame(export_dir / spec.name, frame, encoding=encoding)
        counts[spec.name] = rows
        written += rows
    export_id = export_id_for(scale, seed, faults, encoding, as_of, reg.municipality)
    created_at = created_at_for(as_of)
    write_manifest(export_dir, export_id=export_id, municipality=reg.municipality, created_at=created_at,
                   row_counts=counts, encoding=encoding)
    register_dir = out / "register"
    write_register(register_dir, register_source, reg, filtered=sc.district_count is not None)
    (register_dir / "utbildning.csv").write_bytes(_utbildning_csv(staff.utbildning_rows()))
    faults_path = out / "faults.json"
    if faults > 0:
        faults_path.write_text(_faults_json(export_id, faults, injected), encoding="utf-8")
    elif faults_path.exists():
        faults_path.unlink()
    report("klart", 1.0)
    return SynthResult(out, export_dir, register_dir, export_id, created_at, as_of, counts, injected,
                       time.perf_counter() - began)


def _faults_json(export_id: str, rate: float, injected: list[dict[str, object]]) -> str:
    """One fault per line: readable, and quick to write for the hundreds of thousands of sweden-10y."""
    head = json.dumps({"export_id": export_id, "rate": rate}, ensure_ascii=False)[:-1]
    body = ",\n".join(json.dumps(f, ensure_ascii=False) for f in injected)
    return f'{head}, "faults": [\n{body}\n]}}\n'


def _utbildning_csv(rows: list[tuple[str, str, str]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\n")
    writer.writerow(["handlaggare_id", "utbildning", "genomford_datum"])
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")
