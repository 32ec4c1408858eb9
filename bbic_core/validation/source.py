"""Where an export's files are: a folder, or a `.zip` read in place (never extracted to disk).

A zip holds the manifest and the CSV files at its root or inside exactly one top-level folder;
any other layout is X001. Only the files directly in that root count: deeper files are not
part of the export (like unlisted extra files, they are ignored).
"""

from __future__ import annotations

import zipfile
from pathlib import Path, PurePosixPath
from typing import IO

from bbic_core.validation.refusal import Refusal, safe_text

# Folders that archivers add on their own (macOS Finder); they are not part of the layout.
_ARCHIVER_NOISE = ("__MACOSX",)
MANIFEST_NAME = "manifest.json"
# The most a manifest may hold: 100,000 listed files take about 12 MiB.
MANIFEST_MAX_BYTES = 64 << 20
# The most one zip member may declare uncompressed (a nation's ten-year export is a few GiB per file):
# a zip bomb is refused before anything of it is read.
MEMBER_MAX_BYTES = 64 << 30
# CSV text deflates 5–20 times; deflate cannot pass about 1030. A member over 1 MiB that declares more
# than this ratio is a zip bomb (hours of scanning for a few MB of zip): refused before it is read.
MAX_RATIO = 500
_RATIO_FROM_BYTES = 1 << 20


class ExportSource:
    """The files of one export, by name (e.g. `barn.csv`), readable as binary streams."""

    def names(self) -> list[str]:
        raise NotImplementedError

    def open(self, name: str) -> IO[bytes]:
        raise NotImplementedError

    def local_path(self, name: str) -> Path | None:
        """The file on disk when there is one (lets pyarrow read it natively), else None."""
        return None

    def size(self, name: str) -> int:
        """The file's size in bytes (uncompressed), to schedule the biggest files first."""
        raise NotImplementedError

    def close(self) -> None:
        return None

    def read_bytes(self, name: str) -> bytes:
        with self.open(name) as fh:
            return fh.read()

    def read_bounded(self, name: str, limit: int) -> bytes | None:
        """The file's bytes, or None when it holds more than `limit` (never more is read: a device or a
        lying size cannot make this read forever or fill the memory)."""
        if self.size(name) > limit:
            return None
        with self.open(name) as fh:
            data = fh.read(limit + 1)
        return None if len(data) > limit else data


class FolderSource(ExportSource):
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def names(self) -> list[str]:
        return sorted(p.name for p in self.folder.iterdir() if p.is_file())

    def open(self, name: str) -> IO[bytes]:
        return (self.folder / name).open("rb")

    def local_path(self, name: str) -> Path | None:
        return self.folder / name

    def size(self, name: str) -> int:
        return (self.folder / name).stat().st_size


class ZipSource(ExportSource):
    def __init__(self, archive: zipfile.ZipFile, prefix: str, members: dict[str, zipfile.ZipInfo]) -> None:
        self.archive = archive
        self.prefix = prefix
        self.members = members

    def names(self) -> list[str]:
        return sorted(self.members)

    def open(self, name: str) -> IO[bytes]:
        return self.archive.open(self.members[name], "r")

    def size(self, name: str) -> int:
        return self.members[name].file_size

    def close(self) -> None:
        self.archive.close()


def _x001(message: str, file: str) -> Refusal:
    return Refusal("X001", message, file)


def _zip_source(path: Path) -> tuple[ExportSource | None, list[Refusal]]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError,
            RuntimeError) as exc:  # e.g. a damaged header: "zip file version 14.3" (NotImplementedError)
        return None, [_x001(f"{safe_text(path.name)}: not a readable zip file ({safe_text(str(exc))})",
                            safe_text(path.name))]
    parts = {
        info.filename: PurePosixPath(info.filename).parts for info in archive.infolist() if not info.is_dir()
    }
    parts = {name: p for name, p in parts.items() if p and p[0] not in _ARCHIVER_NOISE}
    if any(p == (MANIFEST_NAME,) for p in parts.values()):
        prefix = ""
    else:
        tops = {p[0] for p in parts.values()}
        loose = [p for p in parts.values() if len(p) == 1]
        if len(tops) != 1 or loose:
            archive.close()
            shown = safe_text(path.name)
            return None, [_x001(
                f"{shown}: the zip must hold manifest.json and the CSV files at its root or inside "
                f"exactly one top-level folder (found {len(tops)} top-level entries)", shown)]
        prefix = next(iter(tops)) + "/"
    depth = 1 if not prefix else 2
    at_root = [(p[-1], info) for info in archive.infolist()
               if (p := PurePosixPath(info.filename).parts) and not info.is_dir() and len(p) == depth
               and (not prefix or p[0] + "/" == prefix)]
    seen: set[str] = set()
    for name, _info in at_root:
        if name in seen:  # the same name twice (or `a` and `./a`): which one counts is not clear
            archive.close()
            shown = safe_text(path.name)
            return None, [_x001(f"{shown}: the zip holds {safe_text(name)} more than once: which one is "
                                "the export's is ambiguous", shown)]
        seen.add(name)
    members = dict(at_root)
    huge = [_x001(f"{safe_text(name)}: declared {info.file_size} bytes uncompressed, larger than the "
                  f"limit of {MEMBER_MAX_BYTES} bytes", safe_text(name))
            for name, info in sorted(members.items()) if info.file_size > MEMBER_MAX_BYTES]
    huge += [_x001(f"{safe_text(name)}: declared {info.file_size} bytes uncompressed from "
                   f"{info.compress_size}, more than {MAX_RATIO} times: a zip bomb", safe_text(name))
             for name, info in sorted(members.items()) if _bomb(info)]
    if huge:
        archive.close()
        return None, huge
    return ZipSource(archive, prefix, members), []


def _bomb(info: zipfile.ZipInfo) -> bool:
    return info.file_size > _RATIO_FROM_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1)


def open_source(path: Path) -> tuple[ExportSource | None, list[Refusal]]:
    """The export at `path` (a folder or a zip), or the X001 refusal of a zip of another layout."""
    if path.is_dir():
        return FolderSource(path), []
    if not path.exists():
        raise FileNotFoundError(path)
    return _zip_source(path)
