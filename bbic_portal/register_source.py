"""The register the portal decides with, re-read when its files change.

While the configured register does not parse, the pipeline's last good copy (`register_last_good/`
beside the DuckDB file) is used, as the reports are; the error is shown on the Status page.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from bbic_core.register import Register, RegisterError, load_register


@dataclass(frozen=True)
class RegisterState:
    register: Register | None
    error: str  # "" when the configured register is valid


def _stamp(folder: Path) -> tuple[tuple[str, int, int], ...]:
    try:
        return tuple(
            sorted((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in folder.iterdir() if p.is_file())
        )
    except OSError:
        return ()


class RegisterSource:
    def __init__(self, folder: Path, last_good: Path) -> None:
        self.folder = folder
        self.last_good = last_good
        self._lock = threading.Lock()
        self._stamp: tuple[object, ...] | None = None
        self._state = RegisterState(None, "registret är inte läst")

    def state(self) -> RegisterState:
        stamp = (_stamp(self.folder), _stamp(self.last_good))
        with self._lock:
            if stamp != self._stamp:
                self._state = self._load()
                self._stamp = stamp
            return self._state

    def _load(self) -> RegisterState:
        try:
            return RegisterState(load_register(self.folder), "")
        except (RegisterError, OSError) as exc:
            error = str(exc)
        try:
            return RegisterState(load_register(self.last_good), error)
        except (RegisterError, OSError):
            return RegisterState(None, error)
