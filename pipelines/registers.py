"""The register in use: the coordinator's current one when it parses, else the last one that did.

Every time the register folder parses, its files are copied to `<data>/register_last_good/`
(replaced atomically). While the coordinator's folder is broken the pipeline keeps using that
copy and says so; with neither, exports wait in the inbox (they are not refused).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bbic_core.register import Register

LAST_GOOD = "register_last_good"
_REGISTER_FILES = ("organisation.yaml", "utbildning.csv", "utbildning.xlsx")
# Registers parsed in this process, by folder, content and day: a night resolves the register at
# each stage (landing, validation, figures, reports), and parsing a city's training file takes a
# quarter of a second each time. Two folders are in use (the current one and the last good copy).
# The objects are shared: nothing changes a parsed register (its models are frozen).
_PARSED: dict[tuple[str, str, dt.date], Register] = {}
_PARSED_MAX = 4
_PARSED_LOCK = threading.Lock()  # the daemon's sensors and schedules evaluate in threads


@dataclass(frozen=True)
class RegisterState:
    register: Register | None
    source: str | None  # "current" | "last_good" | None
    error: str | None  # why the current register was not used (file:line: key: message)
    fingerprint: str  # SHA-256 over the files in use: a changed register re-renders the reports

    @property
    def usable(self) -> bool:
        return self.register is not None


def _fingerprint(folder: Path) -> str:
    digest = hashlib.sha256()
    for name in _REGISTER_FILES:
        path = folder / name
        if path.is_file():
            digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _save_last_good(folder: Path, data_dir: Path) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    target = data_dir / LAST_GOOD
    if target.is_dir() and _fingerprint(target) == _fingerprint(folder):
        return
    tmp = data_dir / f".{LAST_GOOD}-{uuid.uuid4().hex}"
    tmp.mkdir()
    for name in _REGISTER_FILES:
        if (folder / name).is_file():
            shutil.copyfile(folder / name, tmp / name)
    old = data_dir / f".{LAST_GOOD}-old-{uuid.uuid4().hex}"
    if target.exists():
        os.rename(target, old)
    os.rename(tmp, target)
    shutil.rmtree(old, ignore_errors=True)


def _parsed(folder: Path) -> tuple[Register, str]:
    """The register in `folder` and the fingerprint of the files it was parsed from; parsed again only
    when the files or the date (which decides what counts as a booking) changed. RegisterError as
    `load_register`: a folder that does not parse is read again every time."""
    from bbic_core.register import load_register

    fingerprint = _fingerprint(folder)
    key = (str(folder.resolve()), fingerprint, dt.date.today())
    with _PARSED_LOCK:
        known = _PARSED.get(key)
    if known is not None:
        return known, fingerprint
    register = load_register(folder)
    after = _fingerprint(folder)
    if after != fingerprint:  # written while it was parsed: which content was read is not known
        return register, after
    with _PARSED_LOCK:
        while len(_PARSED) >= _PARSED_MAX:
            del _PARSED[next(iter(_PARSED))]
        _PARSED[key] = register
    return register, fingerprint


def resolve_register(register_dir: Path, data_dir: Path) -> RegisterState:
    """The register to use now, keeping `<data_dir>/register_last_good/` up to date."""
    from bbic_core.register import RegisterError

    error: str | None
    try:
        register, fingerprint = _parsed(register_dir)
    except RegisterError as exc:
        error = "; ".join(str(e) for e in exc.all_errors())
    else:
        _save_last_good(register_dir, data_dir)
        return RegisterState(register, "current", None, fingerprint)
    last = data_dir / LAST_GOOD
    if (last / "organisation.yaml").is_file():
        try:
            register, fingerprint = _parsed(last)
            return RegisterState(register, "last_good", error, fingerprint)
        except RegisterError as exc:  # a copy that no longer parses (e.g. after an upgrade)
            error = f"{error}; the last good copy fails too: {exc}"
    return RegisterState(None, None, error, "")
