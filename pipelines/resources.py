"""Configuration of the pipeline: two resources, set by environment variables with sample defaults.

| variable | default | what |
|---|---|---|
| `BBIC_INBOX` | `var/sample/inbox` | where Paraply drops exports |
| `BBIC_ARCHIVE` | `var/sample/archive` | landed exports (the only place personal numbers rest; 0700/0600) |
| `BBIC_DUCKDB_PATH` | `var/sample/data/bbic.duckdb` | the snapshot; its folder holds staging files |
| `BBIC_REGISTER_DIR` | `var/sample/register` | the coordinator's register |
| `BBIC_REPORTS` | `var/sample/reports` | published reports, `<as-of>/…` and `latest/` |
| `BBIC_MUNICIPALITY` | `0180` | must match the register's municipality (a misconfiguration check) |
| `BBIC_PSEUDONYM_KEY` / `BBIC_PSEUDONYM_KEY_FILE` | – | the pseudonym key; nothing loads without one |
| `BBIC_SETTLE_SECONDS` | `60` | an inbox item must be unchanged this long before it is landed |
| `BBIC_ARCHIVE_KEEP_DAYS` | `90` | landed exports older than this are pruned (never the current one) |
| `BBIC_REPORT_FORMATS` | `html,pdf,xlsx,csv` | formats of the standard report set |
| `BBIC_REPORT_SCOPES` | all | comma-separated scopes to render (`kommun:0180`, `natverk:city`, `bromma`) |
| `BBIC_REPORT_MODE` | `internal` | `internal` (exact figures) or `published` (disclosure control) |
| `BBIC_ERROR_SHARE_PERCENT` / `BBIC_ERROR_ROWS` | `5` / `10` | the blocking error-share check, per file |
| `BBIC_MAX_ROW_DROP_PERCENT` | `50` | rows falling more than this against the snapshot: held (`--force`) |

Relative paths are taken from the working directory (`workspace.yaml` sets it to the project).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_duckdb import DuckDBResource

from bbic_core.pseudonym import ENV_KEY, ENV_KEY_FILE, KeyMissingError, Pseudonymiser, load_key
from bbic_core.validation.result import ValidationSettings
from pipelines.settings import (
    DEFAULTS,
    DEMO_KEY_PREFIX,
    ENV_OF_FIELD,
    INT_DEFAULTS,
    archive_default,
    validation_settings,
)

POOL = "bbic_duckdb"  # the concurrency pool of every step that opens the main DuckDB file
# How long a step waits for another process's writer lock (`pipelines.lock`) before it fails.
LOCK_WAIT_S = 1800.0


def _env(name: str) -> Any:
    """`EnvVar(name)` when the variable is set (resolved at run time, never shown), else the default."""
    if os.environ.get(name, "").strip():
        return dg.EnvVar.int(name) if name in INT_DEFAULTS else dg.EnvVar(name)
    return INT_DEFAULTS.get(name, DEFAULTS.get(name, ""))


class BbicSettings(dg.ConfigurableResource):  # type: ignore[type-arg]
    """Folders, the pseudonym key and the settings of one deployment."""

    inbox: str = DEFAULTS["BBIC_INBOX"]
    archive: str = DEFAULTS["BBIC_ARCHIVE"]
    register_dir: str = DEFAULTS["BBIC_REGISTER_DIR"]
    reports: str = DEFAULTS["BBIC_REPORTS"]
    municipality: str = DEFAULTS["BBIC_MUNICIPALITY"]
    pseudonym_key: str = ""
    pseudonym_key_file: str = ""
    allow_demo_key: bool = False  # only `bbic run --sample` sets it; no environment variable does
    rekey: bool = False  # `bbic run --rekey`: accept a key other than the snapshot's
    settle_seconds: int = INT_DEFAULTS["BBIC_SETTLE_SECONDS"]
    archive_keep_days: int = INT_DEFAULTS["BBIC_ARCHIVE_KEEP_DAYS"]
    report_formats: str = DEFAULTS["BBIC_REPORT_FORMATS"]
    report_scopes: str = ""
    report_mode: str = DEFAULTS[
        "BBIC_REPORT_MODE"
    ]  # internal (exact figures) | published (disclosure control)
    error_share_percent: int = INT_DEFAULTS["BBIC_ERROR_SHARE_PERCENT"]
    error_rows: int = INT_DEFAULTS["BBIC_ERROR_ROWS"]
    max_row_drop_percent: int = INT_DEFAULTS["BBIC_MAX_ROW_DROP_PERCENT"]

    @property
    def inbox_path(self) -> Path:
        return Path(self.inbox)

    @property
    def archive_path(self) -> Path:
        return Path(self.archive)

    @property
    def register_path(self) -> Path:
        return Path(self.register_dir)

    @property
    def reports_path(self) -> Path:
        return Path(self.reports)

    @property
    def formats(self) -> tuple[str, ...]:
        return tuple(f.strip().lower() for f in self.report_formats.split(",") if f.strip())

    @property
    def scopes(self) -> tuple[str, ...] | None:
        scopes = tuple(s.strip() for s in self.report_scopes.split(",") if s.strip())
        return scopes or None

    def validation_settings(self) -> ValidationSettings:
        """X008's thresholds: the error-share settings this deployment judges an export by."""
        return validation_settings(self.error_share_percent, self.error_rows)

    def pseudonymiser(self) -> Pseudonymiser:
        """The keyed pseudonymiser; `KeyMissingError` without a key, or with a demo key on real data."""
        env = {ENV_KEY: self.pseudonym_key, ENV_KEY_FILE: self.pseudonym_key_file}
        key = load_key(env, allow_demo=False)
        if key.startswith(DEMO_KEY_PREFIX) and not self.allow_demo_key:
            raise KeyMissingError(
                "the configured pseudonym key is a generated demo key: it may only be used on the "
                "built-in sample data (bbic run --sample); configure the deployment's own key"
            )
        return Pseudonymiser(key)


def database_path(duckdb: DuckDBResource) -> Path:
    return Path(duckdb.database)


def data_dir(duckdb: DuckDBResource) -> Path:
    """The folder of the main DuckDB file: staging files and `register_last_good/` live beside it."""
    return database_path(duckdb).parent


def _archive_env() -> Any:
    """`BBIC_ARCHIVE` (an `EnvVar`), else where `pipelines.settings.archive_default` puts it."""
    if os.environ.get("BBIC_ARCHIVE", "").strip():
        return _env("BBIC_ARCHIVE")
    return archive_default(os.environ)


def settings_from_env() -> BbicSettings:
    """The code location's settings: each variable of `pipelines.settings.ENV_OF_FIELD`, as `bbic run`
    reads them too."""
    fields: dict[str, Any] = {field: _env(name) for field, name in ENV_OF_FIELD.items()}
    fields["archive"] = _archive_env()
    return BbicSettings(**fields, pseudonym_key=_env(ENV_KEY), pseudonym_key_file=_env(ENV_KEY_FILE))


def duckdb_from_env() -> DuckDBResource:
    return DuckDBResource(database=_env("BBIC_DUCKDB_PATH"))


def resources_from_env() -> dict[str, Any]:
    """The resources of the code location, read from the environment when it loads."""
    return {"bbic": settings_from_env(), "duckdb": duckdb_from_env()}
