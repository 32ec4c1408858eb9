"""The idempotency rule, applied before validation: an export id loaded before with the same checksums.

The contract says such an export "is not a fault: it is acknowledged and skipped". The pipeline
decides it here from the manifest alone (the eight contract files' declared checksums against
the load log), so a re-delivery of the current export is skipped before any later check (X009
would otherwise refuse it, its created_at being that of the current export).
"""

from __future__ import annotations

from pathlib import Path

from bbic_core import contract
from pipelines.store.load_log import LoadLogHistory


def _contract_files(checksums: dict[str, str]) -> dict[str, str]:
    return {name: sha.lower() for name, sha in checksums.items() if name in contract.BY_NAME}


def already_loaded(export_path: Path, history: LoadLogHistory) -> str | None:
    """The export id when this export was loaded before with the same checksums, else None."""
    from bbic_core.validation.reader import read_manifest

    manifest, refusals = read_manifest(export_path)
    if manifest is None or refusals:
        return None
    before = history.checksums_for(manifest.export_id)
    declared = {f.name: f.sha256 for f in manifest.files}
    if before is not None and _contract_files(before) == _contract_files(declared):
        return manifest.export_id
    return None
