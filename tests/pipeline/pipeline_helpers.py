"""Small exports, a register and a harness that runs the pipeline's assets in-process on tmp folders."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource

from bbic_core.export_writer import write_export, write_manifest
from pipelines.definitions import ASSET_CHECKS, ASSETS
from pipelines.resources import BbicSettings

Row = dict[str, str]
KEY = "pipeline-test-key-" + "k" * 40

REGISTER_YAML = """\
municipality: {code: "0180", name: Stockholm}
networks:
  - {code: vasterort, name: Västerort, districts: [bromma, spanga]}
districts:
  - code: bromma
    name: Bromma
    licenser:
      - {typ: LICENS, beviljad: 2010-06-01}
  - code: spanga
    name: Spånga
    licenser:
      - {typ: LICENS, beviljad: 2010-06-01}
"""


def luhn_digit(nine: str) -> str:
    total = 0
    for i, ch in enumerate(nine):
        v = int(ch) * (2 - i % 2)
        total += v - 9 if v > 9 else v
    return str((10 - total % 10) % 10)


def make_pnr(yyyymmdd: str, serial: str, sep: str = "") -> str:
    """A synthetic personal number with a correct check digit."""
    return f"{yyyymmdd}{sep}{serial}{luhn_digit(yyyymmdd[2:] + serial)}"


PNRS = (make_pnr("20150312", "123", "-"), make_pnr("20160311", "246"), make_pnr("20120705", "357"))


def digits_forms(pnr: str) -> list[str]:
    """The forms a leaked number could take: 12 digits, with separator, and the 10-digit form."""
    twelve = pnr.replace("-", "").replace("+", "")
    return [twelve, f"{twelve[:8]}-{twelve[8:]}", twelve[2:], f"{twelve[2:8]}-{twelve[8:]}"]


def clean_tables(n_bad_barn: int = 0) -> dict[str, list[Row]]:
    """A consistent export; `n_bad_barn` more children lack both number and birth date (V013: quarantined)."""
    barn = [
        {"barn_id": "B1", "personnummer": PNRS[0], "kon": "1", "folkbokford_kommun": "0180"},
        {"barn_id": "B2", "personnummer": PNRS[1], "folkbokford_kommun": "0180"},
        {"barn_id": "B3", "personnummer": PNRS[2], "kon": "1"},
        {"barn_id": "B4", "fodelsedatum": "2018-07-01", "kon": "2"},
    ]
    barn += [{"barn_id": f"X{i}", "kon": "1"} for i in range(n_bad_barn)]
    return {
        "personal": [
            {
                "handlaggare_id": "H1",
                "stadsdel": "bromma",
                "roll": "HANDLAGGARE",
                "bbic_anvandare": "J",
                "anstalld_fran": "2015-01-01",
            },
            {
                "handlaggare_id": "H2",
                "stadsdel": "spanga",
                "roll": "ARBETSLEDARE",
                "bbic_anvandare": "J",
                "anstalld_fran": "2012-01-01",
            },
        ],
        "barn": barn,
        "arende": [
            {"arende_id": "A1", "barn_id": "B1", "stadsdel": "bromma", "oppnat_datum": "2024-01-10"},
            {
                "arende_id": "A2",
                "barn_id": "B2",
                "stadsdel": "spanga",
                "oppnat_datum": "2024-02-01",
                "avslutat_datum": "2024-12-31",
            },
            {"arende_id": "A3", "barn_id": "B4", "stadsdel": "bromma", "oppnat_datum": "2024-03-01"},
        ],
        "aktualisering": [
            {
                "aktualisering_id": "K1",
                "barn_id": "B1",
                "arende_id": "A1",
                "stadsdel": "bromma",
                "typ": "ANMALAN",
                "inkom_datum": "2024-01-10",
                "anmalare": "SKOLA",
                "anonym": "N",
                "orsak": "BRISTANDE_OMSORG",
                "skyddsbedomning_datum": "2024-01-10",
                "forhandsbedomning_datum": "2024-01-20",
                "forhandsbedomning_beslut": "INLEDA",
                "bbic_formular": "J",
                "handlaggare_id": "H1",
            },
            {
                "aktualisering_id": "K2",
                "barn_id": "B2",
                "arende_id": "A2",
                "stadsdel": "spanga",
                "typ": "ANSOKAN",
                "inkom_datum": "2024-02-01",
                "orsak": "ANSOKAN_OM_STOD",
                "forhandsbedomning_datum": "2024-02-05",
                "forhandsbedomning_beslut": "INLEDA",
                "bbic_formular": "J",
                "handlaggare_id": "H2",
            },
            {
                "aktualisering_id": "K3",
                "barn_id": "B3",
                "stadsdel": "bromma",
                "typ": "INFORMATION",
                "inkom_datum": "2024-05-01",
                "orsak": "OVRIGT",
                "forhandsbedomning_datum": "2024-05-03",
                "forhandsbedomning_beslut": "INTE_INLEDA",
                "bbic_formular": "N",
            },
        ],
        "utredning": [
            {
                "utredning_id": "U1",
                "barn_id": "B1",
                "arende_id": "A1",
                "aktualisering_id": "K1",
                "stadsdel": "bromma",
                "inledd_datum": "2024-01-20",
                "utredningsplan_datum": "2024-02-01",
                "avslutad_datum": "2024-04-15",
                "resultat": "INSATS",
                "bbic_formular": "J",
                "triangel_version": "2016",
                "handlaggare_id": "H1",
            },
            {
                "utredning_id": "U2",
                "barn_id": "B2",
                "arende_id": "A2",
                "aktualisering_id": "K2",
                "stadsdel": "spanga",
                "inledd_datum": "2024-02-05",
                "bbic_formular": "J",
                "handlaggare_id": "H2",
            },
        ],
        "utredning_bedomning": [
            {"utredning_id": "U1", "omrade": "BU_HALSA", "bedomning": "BEHOV"},
            {"utredning_id": "U1", "omrade": "FF_SAKERHET", "bedomning": "INGET_BEHOV"},
            {"utredning_id": "U2", "omrade": "BB_HALSA", "bedomning": "EJ_BEDOMT"},
        ],
        "insats": [
            {
                "insats_id": "I1",
                "barn_id": "B1",
                "arende_id": "A1",
                "utredning_id": "U1",
                "stadsdel": "bromma",
                "insatstyp": "KONTAKTPERSON",
                "lagrum": "SOL",
                "beslut_datum": "2024-04-20",
                "start_datum": "2024-05-01",
                "handlaggare_id": "H1",
            },
        ],
        "dokument": [
            {
                "dokument_id": "D1",
                "barn_id": "B1",
                "insats_id": "I1",
                "typ": "GENOMFORANDEPLAN",
                "datum": "2024-05-10",
                "bbic_formular": "J",
                "handlaggare_id": "H1",
            },
            {
                "dokument_id": "D2",
                "barn_id": "B1",
                "typ": "GRUNDUPPGIFTER",
                "datum": "2024-01-12",
                "bbic_formular": "J",
                "handlaggare_id": "H1",
            },
        ],
    }


def make_export(
    inbox: Path,
    export_id: str,
    *,
    created_at: str = "2025-01-31T22:00:00+01:00",
    municipality: str = "0180",
    tables: dict[str, list[Row]] | None = None,
    age_seconds: float = 3600,
) -> Path:
    """Writes an export folder into `inbox` and back-dates it so that it counts as settled."""
    folder = write_export(
        inbox / export_id,
        tables if tables is not None else clean_tables(),
        export_id=export_id,
        municipality=municipality,
        created_at=created_at,
    )
    backdate(folder, age_seconds)
    return folder


def backdate(path: Path, seconds: float) -> None:
    when = os.path.getmtime(path) - seconds
    for p in [path, *path.rglob("*")] if path.is_dir() else [path]:
        os.utime(p, (when, when))


def rewrite_manifest(folder: Path, **changes: Any) -> None:
    """Edits manifest.json (keeps it otherwise as written)."""
    path = folder / "manifest.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data.update(changes)
    path.write_text(json.dumps(data), encoding="utf-8")


def refresh_manifest(
    folder: Path,
    export_id: str,
    created_at: str = "2025-01-31T22:00:00+01:00",
    rows: dict[str, int] | None = None,
    encoding: str = "utf-8",
) -> None:
    """Recomputes the manifest after a file was changed on purpose (only the fault under test remains)."""
    counts = {}
    for csv_path in sorted(folder.glob("*.csv")):
        lines = [ln for ln in csv_path.read_bytes().splitlines() if ln]
        counts[csv_path.name] = len(lines) - 1
    counts.update(rows or {})
    write_manifest(
        folder,
        export_id=export_id,
        municipality="0180",
        created_at=created_at,
        row_counts=counts,
        encoding=encoding,
    )


@dataclass
class Env:
    root: Path

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    @property
    def archive(self) -> Path:
        return self.root / "archive"

    @property
    def register(self) -> Path:
        return self.root / "register"

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def db(self) -> Path:
        return self.data / "bbic.duckdb"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    def settings(self, **overrides: Any) -> BbicSettings:
        values: dict[str, Any] = dict(
            inbox=str(self.inbox),
            archive=str(self.archive),
            register_dir=str(self.register),
            reports=str(self.reports),
            municipality="0180",
            pseudonym_key=KEY,
            settle_seconds=60,
            report_formats="csv",
        )
        values.update(overrides)
        return BbicSettings(**values)

    def resources(self, **overrides: Any) -> dict[str, Any]:
        return {"bbic": self.settings(**overrides), "duckdb": DuckDBResource(database=str(self.db))}


def make_env(root: Path, *, register: bool = True) -> Env:
    env = Env(root)
    env.inbox.mkdir(parents=True)
    if register:
        env.register.mkdir(parents=True)
        (env.register / "organisation.yaml").write_text(REGISTER_YAML, encoding="utf-8")
    return env


LOAD_STAGES = ("landed_export", "validated_export", "snapshot")


def run(
    env: Env,
    *,
    item: str = "",
    export_id: str = "",
    pending: str = "",
    force: bool = False,
    stages: Sequence[str] = LOAD_STAGES,
    **overrides: Any,
) -> dg.ExecuteInProcessResult:
    """Materialises `stages` (with their checks) like one sensor-started run."""
    config = {"item": item, "export_id": export_id, "pending": pending, "force": force}
    selection = dg.AssetSelection.assets(*stages)
    return dg.materialize(
        [*ASSETS, *ASSET_CHECKS],
        resources=env.resources(**overrides),
        run_config={"ops": {"landed_export": {"config": config}}} if "landed_export" in stages else None,
        selection=selection,
        raise_on_error=False,
    )


def dump(db: Path, *, skip: Sequence[str] = ("load_log",)) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (sorted), but the load log: what 'the snapshot as it was' means."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        names = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY 1"
            ).fetchall()
        ]
        out: dict[str, list[tuple[Any, ...]]] = {}
        for name in names:
            if name in skip:
                continue
            cols = [r[0] for r in con.execute(f"DESCRIBE {name}").fetchall()]
            out[name] = [cols, *sorted(con.execute(f"SELECT * FROM {name}").fetchall(), key=repr)]  # type: ignore[list-item]
        return out
    finally:
        con.close()


def load_log(db: Path) -> list[dict[str, Any]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        cur = con.execute("SELECT * FROM load_log ORDER BY started_at, finished_at")
        cols = [d[0] for d in cur.description or ()]
        return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.close()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def failure_descriptions(result: dg.ExecuteInProcessResult) -> list[str]:
    out = []
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data is not None:
            user = event.step_failure_data.user_failure_data
            out.append(user.description if user is not None and user.description else str(event.message))
    return out


# Settings a `bbic run` test must not take from the machine running it.
CLI_ENV_CLEARED = ("BBIC_PSEUDONYM_KEY_FILE", "BBIC_SETTLE_SECONDS", "BBIC_REPORT_SCOPES",
                   "BBIC_MUNICIPALITY", "BBIC_ARCHIVE_KEEP_DAYS", "BBIC_DUCKDB_PATH", "BBIC_DRILL_PAUSE_AT")


def cli_environment(monkeypatch: Any, env: Env) -> None:
    """The environment of a `bbic run` over `env`: the test key, the archive, CSV reports only."""
    for name in CLI_ENV_CLEARED:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BBIC_PSEUDONYM_KEY", KEY)
    monkeypatch.setenv("BBIC_ARCHIVE", str(env.archive))
    monkeypatch.setenv("BBIC_REPORT_FORMATS", "csv")


def run_args(env: Env, *extra: str, reports: bool = False) -> list[str]:
    """`bbic run` arguments over `env` (without the reports unless asked for)."""
    return ["run", "--inbox", str(env.inbox), "--register", str(env.register), "--data", str(env.data),
            "--reports", str(env.reports), *(() if reports else ("--no-reports",)), *extra]
