"""What `validate_export` returns, the settings it takes, and what it needs of the load history
and the register (small protocols, so that validation depends on no pipeline or register code)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

Outcome = Literal["accepted", "refused", "skipped"]


class ValidationSettings(BaseModel):
    """X008's two thresholds (a file is refused when its own-fault rows exceed both), and how far in the
    future `created_at` may be (X001): two hours cover a Paraply server that writes Stockholm time with
    a wrong offset, and clocks that drift."""

    model_config = ConfigDict(frozen=True)

    x008_share: float = Field(default=0.05, ge=0.0, le=1.0)  # of the file's rows
    x008_min_rows: int = Field(default=10, ge=0)
    clock_tolerance_minutes: int = Field(default=120, ge=0)


class FileStats(BaseModel):
    model_config = ConfigDict(frozen=True)

    read: int
    loaded: int
    quarantined: int
    rules: dict[str, int] = Field(default_factory=dict)  # code -> rows with a finding of that code


class RefusalInfo(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    message: str
    file: str | None = None
    line: int | None = None


class ValidationResult(BaseModel):
    export_id: str | None = None
    municipality: str | None = None
    created_at: dt.datetime | None = None
    as_of: dt.date | None = None  # created_at's calendar date in Europe/Stockholm
    outcome: Outcome
    refusal: RefusalInfo | None = None
    files: dict[str, FileStats] = Field(default_factory=dict)
    skipped: list[str] = Field(default_factory=list)  # checks that could not be made
    # file name -> sha256: computed from the files read (equal to the manifest's once X003 passed);
    # the manifest's declared ones for an export skipped as already loaded.
    checksums: dict[str, str] = Field(default_factory=dict)
    warnings: int = 0  # findings of severity W

    @property
    def acceptable(self) -> bool:
        """Nothing to fix: accepted, or an export already loaded with the same checksums."""
        return self.outcome != "refused"

    def to_json(self) -> dict[str, Any]:
        """The `bbic validate --json` document."""
        return {
            "export_id": self.export_id,
            "outcome": self.outcome,
            "refusal": None if self.refusal is None else self.refusal.model_dump(),
            "files": {name: stats.model_dump() for name, stats in self.files.items()},
            "as_of": None if self.as_of is None else self.as_of.isoformat(),
            "skipped": list(self.skipped),
            "warnings": self.warnings,
        }


class LoadHistory(Protocol):
    """What the pipeline already loaded, for X009 and X010."""

    def checksums_for(self, export_id: str) -> dict[str, str] | None:
        """The checksums (file name -> sha256) of `export_id` when it was loaded before, else None."""
        ...

    def current_created_at(self) -> dt.datetime | None:
        """`created_at` of the current (last loaded) export; None when nothing is loaded yet."""
        ...


class _Coded(Protocol):
    @property
    def code(self) -> str: ...


class RegisterView(Protocol):
    """What validation needs of `bbic_core.register.Register`: X007 and the `stadsdel` codes (V003)."""

    @property
    def municipality(self) -> _Coded: ...

    def district_codes(self) -> set[str]: ...
