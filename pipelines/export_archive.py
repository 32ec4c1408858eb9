"""Inbox → archive: every complete export is landed unchanged, by export id, with a checksums file.

The archive is the only place where personal numbers rest, so it is created owner-only
(directories 0700, files 0600) whatever the umask. An export is landed (hard-linked on the same
file system, else copied and verified) into a hidden folder first and renamed into place only
when every file is hashed, so a crash never leaves a half-landed export under its id; only then
is the inbox item removed.

Layout: `ARCHIVE/<export_id>/` holds `export/` (a landed folder's files) or the landed `.zip`,
`SHA256SUMS` (`sha256sum` format, paths relative to the export folder) and `landed.json`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import stat
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from bbic_core.checksums import sha256_file, sha256_stream
from pipelines import pending
from pipelines.inbox import KEPT_DIR, MANIFEST, peek_manifest, remember_kept, signature_of, unsafe_reason

if TYPE_CHECKING:
    from bbic_core.validation.manifest import Manifest

DIR_MODE = 0o700
FILE_MODE = 0o600
CHECKSUMS = "SHA256SUMS"
LANDED = "landed.json"
_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


@dataclass(frozen=True)
class Landed:
    """An export in the archive."""

    export_id: str | None
    archive_dir: Path
    export_path: Path  # the folder or zip to validate
    created_at: dt.datetime | None
    source: str  # the inbox item's name
    checksums: Mapping[str, str]  # relative path -> sha256 of every landed file
    already_archived: bool  # the same bytes were landed before (a re-delivery)
    # A re-delivery of a loaded export known by its manifest, sizes and times: its data files not read.
    recognised: bool = False


class UnsafeItemError(ValueError):
    """An inbox item that must not be landed (a symbolic link, a device): refused, never followed."""


def _manifest_names(item: Path) -> set[str]:
    """`manifest.json` and the names its `files` list: the only files of a folder that are landed."""
    try:
        from bbic_core.validation.reader import read_manifest

        manifest, _ = read_manifest(item)
        listed = set(manifest.listed) if manifest is not None else set()
    except Exception:  # an unreadable manifest lands alone; the validator refuses it (X001)
        listed = set()
    return {MANIFEST, *listed}


def _selected(item: Path) -> list[tuple[str, Path]]:
    """(name, path) of what is landed of an inbox item: a zip is one file named as itself; of a folder,
    the manifest and the files it lists, at its top level (the validator reads nothing else)."""
    if not item.is_dir():
        return [(item.name, item)]
    names = _manifest_names(item)
    return [
        (p.name, p) for p in sorted(item.iterdir()) if p.name in names and p.is_file() and not p.is_symlink()
    ]


def _landed_files(target: Path, files: list[tuple[str, Path]]) -> list[tuple[str, Path]]:
    """The same files, in the landing folder `target` (the file itself for a zip)."""
    if len(files) == 1 and target.is_file():
        return [(files[0][0], target)]
    return [(name, target / name) for name, _ in files]


def _tree_checksums(files: list[tuple[str, Path]]) -> dict[str, str]:
    # Two files at a time: hashlib releases the GIL, and the machines have two cores.
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip((n for n, _ in files), pool.map(sha256_file, (p for _, p in files)), strict=True))


def export_checksums(export_path: Path) -> dict[str, str]:
    """SHA-256 of each file of the export itself (the manifest and CSV files, by name, zip members too)."""
    from bbic_core.validation.source import open_source

    source, _ = open_source(export_path)
    if source is None:
        return {}
    try:
        out: dict[str, str] = {}
        for name in source.names():
            with source.open(name) as fh:
                out[name] = sha256_stream(fh)
        return out
    finally:
        source.close()


def _mkdir_private(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, DIR_MODE)


def ensure_archive(root: Path) -> None:
    _mkdir_private(root)


def _copy_file(src: Path, dst: Path) -> str:
    """Copies `src` to a new owner-only `dst`; returns the SHA-256 of every byte written, so the copy is
    verified against the inbox's checksums without reading it back."""
    digest = hashlib.sha256()
    with (
        os.fdopen(os.open(src, os.O_RDONLY | os.O_NOFOLLOW), "rb") as fin,
        os.fdopen(os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE), "wb") as fout,
    ):
        while chunk := fin.read(1 << 20):
            digest.update(chunk)
            fout.write(chunk)
        fout.flush()
        os.fsync(fout.fileno())
    os.chmod(dst, FILE_MODE)
    return digest.hexdigest()


def _mkdir_tree(target: Path, files: list[tuple[str, Path]]) -> None:
    """`target` and the folders of a folder item's files under it, owner-only."""
    _mkdir_private(target)
    for name, _ in files:
        for parent in reversed(PurePosixPath(name).parents[:-1]):
            _mkdir_private(target / parent)


def _copy_private(item: Path, files: list[tuple[str, Path]], target: Path) -> dict[str, str]:
    """Copies an inbox item (folder or zip) to `target`, owner-only; returns what was written, by name."""
    if not item.is_dir():
        return {item.name: _copy_file(item, target)}
    _mkdir_tree(target, files)
    with ThreadPoolExecutor(max_workers=2) as pool:
        written = pool.map(lambda f: _copy_file(f[1], target / f[0]), files)
        return dict(zip((n for n, _ in files), written, strict=True))


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(path, FILE_MODE)


def _sums_text(checksums: Mapping[str, str]) -> str:
    return "".join(f"{digest}  {name}\n" for name, digest in sorted(checksums.items()))


def read_checksums(archive_dir: Path) -> dict[str, str]:
    path = archive_dir / CHECKSUMS
    if not path.is_file():
        return {}
    out: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        if name:
            out[name] = digest
    return out


def _export_path(archive_dir: Path) -> Path:
    folder = archive_dir / "export"
    if folder.is_dir():
        return folder
    zips = sorted(archive_dir.glob("*.zip"))
    return zips[0] if zips else folder


def _dir_name(export_id: str | None, source: str, checksums: Mapping[str, str]) -> str:
    digest = hashlib.sha256(_sums_text(checksums).encode()).hexdigest()[:12]
    if export_id and _SAFE_ID.fullmatch(export_id):
        return export_id
    if export_id:  # an id that is no safe folder name still gets a stable, recognisable one
        return "id-" + hashlib.sha256(export_id.encode()).hexdigest()[:16]
    return f"_unidentified-{re.sub(r'[^A-Za-z0-9._-]', '_', source)[:60]}-{digest}"


def _linkable(path: Path, archive_dev: int) -> bool:
    """A file that can be landed by a hard link: a regular file of ours, on the archive's file system,
    with no other name (nobody else can change the bytes through another path)."""
    st = path.lstat()
    return (stat.S_ISREG(st.st_mode) and st.st_nlink == 1 and st.st_uid == os.geteuid()
            and st.st_dev == archive_dev)


def _file_states(files: list[tuple[str, Path]]) -> dict[str, tuple[int, int]]:
    """Size and modification time of every file: a write while a linked item is hashed changes them."""
    return {name: (st.st_size, st.st_mtime_ns) for name, path in files for st in [path.lstat()]}


def _link_private(item: Path, files: list[tuple[str, Path]], target: Path, archive_dev: int) -> bool:
    """Lands an inbox item by hard links (no bytes copied), owner-only; False, with nothing made, when
    some file cannot be linked (another file system, another owner, a second name): then it is copied."""
    if not all(_linkable(path, archive_dev) for _, path in files):
        return False
    if item.is_dir():
        _mkdir_tree(target, files)
    try:
        for name, path in files:
            dst = target if not item.is_dir() else target / name
            os.link(path, dst, follow_symlinks=False)
            os.chmod(dst, FILE_MODE)  # the inode's mode: the inbox name goes when the landing completes
    except OSError:
        _remove(target)
        return False
    return True


def _redelivered(item: Path, archive_root: Path, files: list[tuple[str, Path]], export_id: str | None,
                 loaded: Callable[[Manifest], bool]) -> Path | None:
    """The archive folder of the loaded export that the folder `item` delivers again, known without
    reading its data files; None when anything differs (then the item is hashed as any other).

    The same export: a `manifest.json` with the bytes archived (so the same id and declared checksums),
    the archived files' checksums equal to those declared, the same file names, each data file of the
    archived size and not newer than the manifest (which the supplier writes last: a file written after
    it is not what it describes), and the load log saying that this id was loaded with these checksums
    (`loaded`), so that validation skips the export without reading it either.
    """
    if not export_id or not item.is_dir():
        return None
    dest = archive_root / _dir_name(export_id, "", {})
    if _landed_info(dest).get("export_id") != export_id:
        return None
    sums = read_checksums(dest)
    if MANIFEST not in sums or {name for name, _ in files} != set(sums):
        return None
    from bbic_core.validation.manifest import parse_manifest

    try:
        data = (item / MANIFEST).read_bytes()
        written = (item / MANIFEST).lstat().st_mtime_ns
        if hashlib.sha256(data).hexdigest() != sums[MANIFEST]:
            return None
        manifest, _ = parse_manifest(data)
        if manifest is None:
            return None
        declared, archived = manifest.listed, _export_path(dest)
        for name, path in files:
            if name == MANIFEST:
                continue
            st = path.lstat()
            if (name not in declared or declared[name].sha256 != sums[name] or st.st_mtime_ns > written
                    or st.st_size != (archived / name).lstat().st_size):
                return None
    except OSError:
        return None
    return dest if loaded(manifest) else None


def land(item: Path, archive_root: Path, *, now: dt.datetime | None = None,
         loaded: Callable[[Manifest], bool] | None = None) -> Landed:
    """Lands the inbox item in the archive, then removes it from the inbox.

    On the archive's file system the files are hard-linked, not copied (docs/decisions.md, "Landing by
    hard link"), and hashed as landed; otherwise they are hashed in the inbox and copied, the copy
    verified against those hashes. Either way the item is first landed in a hidden folder and renamed
    into place, so a crash never leaves a half-landed export under its id, and the inbox item stays
    until the landing is complete.

    An export id landed before with the same bytes is kept as it was (the new delivery is only removed
    from the inbox); with other bytes (a reused id, X010 for the validator) it is landed beside the
    first under `<id>.<digest>`, so both stay for audit.

    With `loaded` (whether the load log holds a manifest's export as loaded), a folder that delivers a
    loaded export again is recognised from its manifest, sizes and times (`_redelivered`) and removed
    without its files being read: a nightly re-delivery of 2 GiB is not hashed again.
    """
    reason = unsafe_reason(item)
    if reason is not None:
        raise UnsafeItemError(reason)
    ensure_archive(archive_root)
    export_id, created = peek_manifest(item)
    signature = signature_of(item)
    files = _selected(item)
    known = None if loaded is None else _redelivered(item, archive_root, files, export_id, loaded)
    if known is not None:
        _remove_from_inbox(item, archive_root, signature)
        return Landed(export_id, known, _export_path(known), created, item.name, read_checksums(known), True,
                      recognised=True)
    tmp = archive_root / f".incoming-{uuid.uuid4().hex}"
    _mkdir_private(tmp)
    try:
        target = tmp / ("export" if item.is_dir() else item.name)
        linked = _link_private(item, files, target, archive_root.stat().st_dev)
        # Linked: hash what the archive holds. Copied: hash the inbox, then check the copy against it.
        landed_files = _landed_files(target, files) if linked else files
        seen = _file_states(landed_files) if linked else {}
        checksums = _tree_checksums(landed_files)
        base = _dir_name(export_id, item.name, checksums)
        digest = hashlib.sha256(_sums_text(checksums).encode()).hexdigest()[:12]
        for name in (base, f"{base}.{digest}"):
            dest = archive_root / name
            if dest.exists():
                if read_checksums(dest) == checksums:
                    shutil.rmtree(tmp)
                    _remove_from_inbox(item, archive_root, signature)
                    return Landed(export_id, dest, _export_path(dest), created, item.name, checksums, True)
                continue
            if not linked and _copy_private(item, files, target) != checksums:
                raise OSError(
                    f"the copy of {item.name} in the archive differs from the inbox (changed while landing?)"
                )
            if linked and _file_states(_landed_files(target, files)) != seen:
                raise OSError(f"{item.name} changed while landing: the archive would not hold the bytes "
                              "it was hashed as")
            _write_private(tmp / CHECKSUMS, _sums_text(checksums))
            landed_at = now or dt.datetime.now(dt.UTC)
            left = sorted(str(p.relative_to(item)) for p in _all_files(item) if p.name not in checksums
                          or p.parent != item) if item.is_dir() else []
            _write_private(
                tmp / LANDED,
                json.dumps(
                    {
                        "export_id": export_id,
                        "source": item.name,
                        "landed_at": landed_at.isoformat(),
                        "created_at": None if created is None else created.isoformat(),
                        "not_landed": left[:1000],  # files the manifest does not list: not archived
                    },
                    ensure_ascii=False,
                    indent=2,
                )
                + "\n",
            )
            pending.mark(tmp)  # in the same rename: a landed export is pending until loaded or refused
            os.rename(tmp, dest)
            _remove_from_inbox(item, archive_root, signature)
            return Landed(export_id, dest, _export_path(dest), created, item.name, checksums, False)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    shutil.rmtree(tmp, ignore_errors=True)
    raise OSError(f"cannot land {item.name}: two different exports already use its archive names")


def _all_files(item: Path) -> list[Path]:
    out: list[Path] = []
    for folder, _dirs, names in os.walk(item, followlinks=False):
        out.extend(Path(folder) / n for n in names)
    return out


def _remove_from_inbox(item: Path, archive_root: Path, signature: str) -> None:
    """Removes the landed item from the inbox; when it cannot be removed (a read-only inbox, another
    owner), remembers it as landed so that it is neither landed nor loaded again."""
    try:
        _remove(item)
    except OSError:
        remember_kept(archive_root, item.name, signature)


def find_archived(archive_root: Path, export_id: str) -> Landed | None:
    """The export in the archive landed under `export_id` (the first arrival), for re-loads."""
    dest = archive_root / _dir_name(export_id, "", {})
    if _landed_info(dest).get("export_id") != export_id:
        return None
    return landed_at(dest)


def landed_at(dest: Path) -> Landed:
    """The export landed in the archive folder `dest` (a re-load or a retry of a pending one)."""
    info = _landed_info(dest)
    created = info.get("created_at")
    export_id = info.get("export_id")
    return Landed(
        export_id if isinstance(export_id, str) else None,
        dest,
        _export_path(dest),
        dt.datetime.fromisoformat(created) if isinstance(created, str) else None,
        str(info.get("source", dest.name)),
        read_checksums(dest),
        True,
    )


def _landed_info(dest: Path) -> dict[str, object]:
    try:
        data = json.loads((dest / LANDED).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _remove(item: Path) -> None:
    if item.is_dir():
        shutil.rmtree(item)
    elif item.exists():
        item.unlink()


def prune(
    archive_root: Path, *, keep_days: int, keep_ids: Iterable[str | None] = (), now: dt.datetime | None = None
) -> list[str]:
    """Removes archived exports landed more than `keep_days` days ago, never one of `keep_ids`.

    Returns the names of the removed folders.
    """
    if not archive_root.is_dir() or keep_days < 0:
        return []
    keep = {k for k in keep_ids if k}
    limit = (now or dt.datetime.now(dt.UTC)) - dt.timedelta(days=keep_days)
    removed: list[str] = []
    for dest in sorted(archive_root.iterdir()):
        if dest.is_symlink() or not dest.is_dir() or dest.name == KEPT_DIR:
            continue
        if dest.name.startswith(".incoming-"):
            # Left by a crash while landing; nothing refers to it.
            if time.time() - dest.stat().st_mtime > 3600:
                shutil.rmtree(dest, ignore_errors=True)
            continue
        info = _landed_info(dest)
        if info.get("export_id") in keep or pending.is_pending(dest):
            continue
        landed_at = info.get("landed_at")
        try:
            when = dt.datetime.fromisoformat(landed_at) if isinstance(landed_at, str) else None
        except ValueError:
            when = None
        if when is None:
            when = dt.datetime.fromtimestamp(dest.stat().st_mtime, dt.UTC)
        if when < limit:
            shutil.rmtree(dest)
            removed.append(dest.name)
    return removed


def modes_ok(root: Path) -> bool:
    """Every directory under `root` is 0700 and every file 0600 (what tests and operators check)."""
    for path in [root, *root.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode != (DIR_MODE if path.is_dir() else FILE_MODE):
            return False
    return True
