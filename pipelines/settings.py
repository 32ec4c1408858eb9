"""The deployment settings' variables and defaults (see `pipelines.resources`), kept free of Dagster.

`configured(environ)` reads them all; the Dagster code location and every `bbic` command start from
it, so a variable means the same wherever it is read. The `bbic` command imports this module without
paying for Dagster's import unless it runs the pipeline.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bbic_core.validation.result import ValidationSettings

SAMPLE_ROOT = Path("var/sample")
DEFAULTS: dict[str, str] = {
    "BBIC_INBOX": str(SAMPLE_ROOT / "inbox"),
    "BBIC_ARCHIVE": str(SAMPLE_ROOT / "archive"),
    "BBIC_DUCKDB_PATH": str(SAMPLE_ROOT / "data" / "bbic.duckdb"),
    "BBIC_REGISTER_DIR": str(SAMPLE_ROOT / "register"),
    "BBIC_REPORTS": str(SAMPLE_ROOT / "reports"),
    "BBIC_MUNICIPALITY": "0180",
    "BBIC_REPORT_FORMATS": "html,pdf,xlsx,csv",
    "BBIC_REPORT_SCOPES": "",
    "BBIC_REPORT_MODE": "internal",
}
INT_DEFAULTS: dict[str, int] = {
    "BBIC_SETTLE_SECONDS": 60,
    "BBIC_ARCHIVE_KEEP_DAYS": 90,
    "BBIC_ERROR_SHARE_PERCENT": 5,
    "BBIC_ERROR_ROWS": 10,
    "BBIC_MAX_ROW_DROP_PERCENT": 50,
}
DEMO_KEY_PREFIX = b"DEMO-"  # a generated sample key says so, and real data refuses it

# Every setting of `pipelines.resources.BbicSettings` an environment variable sets: field → variable.
# The Dagster code location (`resources.settings_from_env`) and the command line (`configured`) both
# read them from here, so a variable means the same wherever the pipeline runs.
ENV_OF_FIELD: dict[str, str] = {
    "inbox": "BBIC_INBOX",
    "archive": "BBIC_ARCHIVE",
    "register_dir": "BBIC_REGISTER_DIR",
    "reports": "BBIC_REPORTS",
    "municipality": "BBIC_MUNICIPALITY",
    "settle_seconds": "BBIC_SETTLE_SECONDS",
    "archive_keep_days": "BBIC_ARCHIVE_KEEP_DAYS",
    "report_formats": "BBIC_REPORT_FORMATS",
    "report_scopes": "BBIC_REPORT_SCOPES",
    "report_mode": "BBIC_REPORT_MODE",
    "error_share_percent": "BBIC_ERROR_SHARE_PERCENT",
    "error_rows": "BBIC_ERROR_ROWS",
    "max_row_drop_percent": "BBIC_MAX_ROW_DROP_PERCENT",
}
DUCKDB_ENV = "BBIC_DUCKDB_PATH"
DUCKDB_NAME = "bbic.duckdb"  # the snapshot's file name in a data folder (`--data DIR`)


class SettingError(ValueError):
    """An environment variable holds a value its setting cannot take (the message names the variable)."""


def env_text(environ: Mapping[str, str], name: str) -> str:
    """The variable's value when it is set (not blank), else its default."""
    return environ.get(name, "").strip() or DEFAULTS.get(name, "")


def env_int(environ: Mapping[str, str], name: str) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return INT_DEFAULTS[name]
    try:
        value = int(raw)
    except ValueError:
        # The value is echoed cut short and as text: it may come from a mistyped line of a unit file.
        raise SettingError(f"{name}={raw[:40]!r} is not a whole number") from None
    if value < 0:
        raise SettingError(f"{name}={value} is negative")
    return value


def archive_default(environ: Mapping[str, str]) -> str:
    """`BBIC_ARCHIVE`; unset, the `archive` folder beside a configured snapshot (never the working
    directory of a real deployment), else the sample's."""
    if environ.get("BBIC_ARCHIVE", "").strip():
        return environ["BBIC_ARCHIVE"].strip()
    configured_db = environ.get(DUCKDB_ENV, "").strip()
    return str(Path(configured_db).parent / "archive") if configured_db else DEFAULTS["BBIC_ARCHIVE"]


def configured(environ: Mapping[str, str]) -> dict[str, Any]:
    """Every setting by its field name, as the environment sets it (defaults for the rest), and
    `duckdb_path`; the pseudonym key is not among them (it is read where it is used)."""
    values: dict[str, Any] = {
        field: env_int(environ, name) if name in INT_DEFAULTS else env_text(environ, name)
        for field, name in ENV_OF_FIELD.items()
    }
    values["archive"] = archive_default(environ)
    values["duckdb_path"] = env_text(environ, DUCKDB_ENV)
    return values


def validation_settings(error_share_percent: int, error_rows: int) -> ValidationSettings:
    """X008's thresholds from the deployment's `BBIC_ERROR_SHARE_PERCENT` and `BBIC_ERROR_ROWS`: the
    same numbers the pipeline's error-share check applies before publishing."""
    return ValidationSettings(x008_share=min(error_share_percent, 100) / 100, x008_min_rows=error_rows)
