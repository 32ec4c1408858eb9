"""Defaults of the deployment settings (see `pipelines.resources`), kept free of Dagster.

The `bbic` command imports these without paying for Dagster's import unless it runs the pipeline.
"""

from __future__ import annotations

from pathlib import Path

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
