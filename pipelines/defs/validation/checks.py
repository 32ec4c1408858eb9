"""Blocking checks before the snapshot is replaced, and a non-blocking one for warnings."""

import datetime as dt
import json
from typing import Any

import dagster as dg
from dagster_duckdb import DuckDBResource

from bbic_core import contract, rules
from pipelines import pending
from pipelines.defs.validation.assets import validated_export
from pipelines.handoffs import StagedExport, attempt_for
from pipelines.resources import POOL, BbicSettings, database_path
from pipelines.store import integrity
from pipelines.store.attempts import log_attempt
from pipelines.store.staging import read_only


def _result(
    check: str,
    passed: bool,
    staged: StagedExport,
    duckdb_resource: DuckDBResource,
    details: dict[str, Any],
) -> dg.AssetCheckResult:
    """The check's result; a failure also goes into the load log (outcome `blocked`), like every attempt."""
    if not passed:
        pending.settle(staged.archive_dir)  # a final outcome: loaded again only by an operator's re-load
        log_attempt(
            database_path(duckdb_resource),
            attempt_for(
                staged,
                "blocked",
                dt.datetime.now(dt.UTC),
                refusal_code=check,
                refusal_message=json.dumps(details, ensure_ascii=False),
            ),
        )
    return dg.AssetCheckResult(
        passed=passed, metadata={k: dg.MetadataValue.json(v) for k, v in details.items()}
    )


@dg.asset_check(
    asset=validated_export,
    blocking=True,
    pool=POOL,
    description="For every file: rows read = rows loaded + rows quarantined, and the staged tables "
    "hold exactly those rows.",
)
def staged_accounting(validated_export: StagedExport, duckdb: DuckDBResource) -> dg.AssetCheckResult:
    with read_only(validated_export.staging_path) as con:
        faults = integrity.accounting_faults(
            validated_export.files, integrity.row_counts(con, "clean_"), integrity.quarantined_by_file(con)
        )
    return _result("accounting", not faults, validated_export, duckdb, {"faults": faults})


@dg.asset_check(
    asset=validated_export,
    blocking=True,
    pool=POOL,
    description="Every reference of the clean tables resolves (V005, V016) and every key is unique.",
)
def staged_referential_integrity(
    validated_export: StagedExport, duckdb: DuckDBResource
) -> dg.AssetCheckResult:
    with read_only(validated_export.staging_path) as con:
        dangling = integrity.dangling_references(con, "clean_")
        duplicates = integrity.duplicate_keys(con, "clean_")
    return _result(
        "referential_integrity",
        not dangling and not duplicates,
        validated_export,
        duckdb,
        {"dangling": dangling, "duplicate_keys": duplicates},
    )


@dg.asset_check(
    asset=validated_export,
    blocking=True,
    pool=POOL,
    description="In no file do the rows with an error of their own exceed BBIC_ERROR_SHARE_PERCENT of "
    "its rows and BBIC_ERROR_ROWS rows (X008's rule, checked again before publishing).",
)
def staged_error_share(
    validated_export: StagedExport, bbic: BbicSettings, duckdb: DuckDBResource
) -> dg.AssetCheckResult:
    with read_only(validated_export.staging_path) as con:
        errors = integrity.error_rows_by_file(con)
    over: dict[str, str] = {}
    for spec in contract.FILES:
        read = int(validated_export.files.get(spec.name, {}).get("read", 0))
        n = errors.get(spec.name, 0)
        if n > bbic.error_rows and n * 100 > bbic.error_share_percent * read:
            over[spec.name] = f"{n} of {read} rows"
    return _result(
        "error_share", not over, validated_export, duckdb, {"over_threshold": over, "error_rows": errors}
    )


@dg.asset_check(
    asset=validated_export,
    blocking=False,
    description="Warnings (W rules, rows per code) and checks that could not be made; never stop a load.",
)
def staged_warnings(validated_export: StagedExport) -> dg.AssetCheckResult:
    # From the validation's statistics, not the staging file: this check does not block, so under a
    # multiprocess executor the swap may already hold (or have renamed) the file while it runs.
    by_code: dict[str, int] = {}
    for stats in validated_export.files.values():
        for code, rows in stats.get("rules", {}).items():
            if rules.rule(code).severity is rules.Severity.WARNING:
                by_code[code] = by_code.get(code, 0) + int(rows)
    by_code = dict(sorted(by_code.items()))
    return dg.AssetCheckResult(
        passed=not by_code and not validated_export.skipped_checks,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "warnings": dg.MetadataValue.json(by_code),
            "skipped_checks": dg.MetadataValue.json(list(validated_export.skipped_checks)),
        },
    )
