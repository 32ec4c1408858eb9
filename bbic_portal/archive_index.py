"""The report archive as the pipeline lays it out (bbic_core/documents/report_set.py), read safely.

    REPORTS/<as-of>/<scope-code>/<report>_<period-name>.{html,pdf,xlsx}
    REPORTS/<as-of>/<scope-code>/figures.csv

A URL never reaches the file system as a path: it is parsed into (as-of, scope, report, period,
format) against fixed patterns and the register's codes, then looked up among the files the
archive holds, listed without following any symlink. The file is opened with O_NOFOLLOW and its
real path must lie inside the dated folder, so neither `..`, encoded dots, absolute paths nor a
symlink planted in the reports folder leads out of it. `latest` (a symlink) is not served:
every set is named by its date.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from bbic_core.documents import labels
from bbic_core.documents.report_set import PERIOD_LABELS
from bbic_core.figures import ReportKind
from bbic_core.figures.produce import LICENCE_PERIOD_NAME
from bbic_core.register import Register
from bbic_core.scopes import Scope, ScopeLevel

Mode = Literal["internal", "published"]
DOC_FORMATS = ("html", "pdf", "xlsx")
MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SCOPE_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_DOC_NAME = re.compile(
    r"^(verksamhet|klientgrupp|licens|jamforelse|arsrapport)_(year_to_date|previous_year|latest_tertial|current_year|"
    + LICENCE_PERIOD_NAME
    + r")\.(html|pdf|xlsx)$"
)
FIGURES_CSV = "figures.csv"


@dataclass(frozen=True, order=True)
class ArchiveFile:
    as_of: dt.date
    scope: Scope
    report: ReportKind | None  # None: figures.csv, every report of the scope
    period_name: str  # "" for figures.csv
    format: str
    mode: Mode

    @property
    def name(self) -> str:
        if self.report is None:
            return FIGURES_CSV
        return f"{self.report.value}_{self.period_name}.{self.format}"

    @property
    def reports(self) -> frozenset[ReportKind]:
        return frozenset(ReportKind) if self.report is None else frozenset({self.report})

    @property
    def url(self) -> str:
        return f"/rapporter/arkiv/{self.as_of.isoformat()}/{self.scope.code}/{self.name}"

    @property
    def period_label(self) -> str:
        return PERIOD_LABELS.get(self.period_name, "")


def parse_date(text: str) -> dt.date | None:
    if not _DATE.match(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def scope_of_code(register: Register, code: str) -> Scope | None:
    """The scope a folder or parameter names: the municipality code, a network or a district code."""
    if not _SCOPE_CODE.match(code) and code != register.municipality.code:
        return None
    if code == register.municipality.code:
        return Scope(ScopeLevel.MUNICIPALITY, code)
    if any(n.code == code for n in register.networks):
        return Scope(ScopeLevel.NETWORK, code)
    if any(d.code == code for d in register.districts):
        return Scope(ScopeLevel.DISTRICT, code)
    return None


def parse_name(name: str) -> tuple[ReportKind | None, str, str] | None:
    """(report, period name, format) of a file name of the archive; None for anything else."""
    if name == FIGURES_CSV:
        return None, "", "csv"
    found = _DOC_NAME.match(name)
    if not found:
        return None
    return ReportKind(found.group(1)), found.group(2), found.group(3)


def set_mode(folder: Path) -> Mode:
    """The mode a dated set was written in, read from its index page; internal unless it says otherwise.

    Taking an unknown set as internal is the safe side: only internal readers get its files."""
    try:
        fd = os.open(folder / "index.html", os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return "internal"
    with os.fdopen(fd, "rb") as fh:
        head = fh.read(64 * 1024).decode("utf-8", "replace")
    published = f'<span class="mode">{labels.MODE_LABELS["published"]}</span>'
    return "published" if published in head else "internal"


def _dirs(folder: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as entries:
            return [e for e in entries if e.is_dir(follow_symlinks=False) and not e.name.startswith(".")]
    except OSError:
        return []


def _files(folder: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as entries:
            return [e for e in entries if e.is_file(follow_symlinks=False)]
    except OSError:
        return []


def as_of_dates(reports: Path) -> list[dt.date]:
    """The dated sets, newest first."""
    found = (parse_date(e.name) for e in _dirs(reports))
    return sorted((d for d in found if d is not None), reverse=True)


def list_set(reports: Path, as_of: dt.date, register: Register) -> list[ArchiveFile]:
    """Every servable file of one dated set (symlinks, unknown names and unknown scopes left out)."""
    folder = reports / as_of.isoformat()
    mode = set_mode(folder)
    out = []
    for scope_dir in _dirs(folder):
        scope = scope_of_code(register, scope_dir.name)
        if scope is None:
            continue
        for entry in _files(Path(scope_dir.path)):
            parsed = parse_name(entry.name)
            if parsed is None:
                continue
            report, period_name, fmt = parsed
            out.append(ArchiveFile(as_of, scope, report, period_name, fmt, mode))
    return sorted(out, key=lambda f: (f.scope.level.value, f.scope.code, f.name))


def find(
    reports: Path, register: Register, as_of_text: str, scope_text: str, name: str
) -> ArchiveFile | None:
    """The archive file a URL names, or None: parsed, then matched against the files the set holds."""
    as_of = parse_date(as_of_text)
    if as_of is None or "/" in name or "\\" in name or "\x00" in name:
        return None
    scope = scope_of_code(register, scope_text)
    parsed = parse_name(name)
    if scope is None or parsed is None:
        return None
    for candidate in list_set(reports, as_of, register):
        if candidate.scope == scope and candidate.name == name:
            return candidate
    return None


def open_file(reports: Path, item: ArchiveFile) -> bytes:
    """The bytes of an archive file, opened without following a symlink and checked to lie inside."""
    root = (reports / item.as_of.isoformat()).resolve(strict=True)
    path = root / item.scope.code / item.name
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb") as fh:
        real = Path(os.path.realpath(path))
        if root not in real.parents:
            raise PermissionError("outside the reports folder")
        return fh.read()


def scope_files(reports: Path, register: Register, as_of: dt.date, scope: Scope) -> list[ArchiveFile]:
    return [f for f in list_set(reports, as_of, register) if f.scope == scope]
