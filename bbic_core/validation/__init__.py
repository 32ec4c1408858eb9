"""Reading and validating a Paraply export (folder or zip): export-level (X) and row (V) rules.

`validate_export` checks an export exactly as the pipeline does and returns a `ValidationResult`;
the names below are imported on first use, so that importing the package stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bbic_core.validation.result import (
        FileStats,
        LoadHistory,
        RefusalInfo,
        RegisterView,
        ValidationResult,
        ValidationSettings,
    )
    from bbic_core.validation.validate import validate_export

_HOME = {
    "validate_export": "bbic_core.validation.validate",
    "FileStats": "bbic_core.validation.result",
    "LoadHistory": "bbic_core.validation.result",
    "RefusalInfo": "bbic_core.validation.result",
    "RegisterView": "bbic_core.validation.result",
    "ValidationResult": "bbic_core.validation.result",
    "ValidationSettings": "bbic_core.validation.result",
}

__all__ = [
    "FileStats",
    "LoadHistory",
    "RefusalInfo",
    "RegisterView",
    "ValidationResult",
    "ValidationSettings",
    "validate_export",
]


def __getattr__(name: str) -> Any:
    if name in _HOME:
        return getattr(importlib.import_module(_HOME[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
