"""The idempotency rule, applied before validation: an export id loaded before with the same checksums.

The contract says such an export "is not a fault: it is acknowledged and skipped". The pipeline
decides it here from the manifest alone, by the validator's own rule (`validate.loaded_before`: the
contract files' declared checksums against the load log), so a re-delivery of the current export is
skipped before any later check (X009 would otherwise refuse it, its created_at being that of the
current export). The manifest is the one the validation asset opened, parsed once for both.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pipelines.store.load_log import LoadLogHistory

if TYPE_CHECKING:
    from bbic_core.validation.reader import ExportHandle


def already_loaded(export: ExportHandle, history: LoadLogHistory) -> str | None:
    """The export id when this opened export was loaded before with the same checksums, else None."""
    from bbic_core.validation.validate import loaded_before

    manifest = export.manifest
    if manifest is None or export.refusals:
        return None
    return manifest.export_id if loaded_before(manifest, history) else None
