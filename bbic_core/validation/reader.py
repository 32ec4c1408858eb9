"""Reads a Paraply export (folder or `.zip`) from bytes on disk up to typed raw tables.

Two ways in:

- `read_export(path)`: everything at once; returns an `ExportRead` with the manifest, the
  checksums, the export-level refusals (X001, X002, X003, X006, X005, X004, in the contract's
  order) and, when there is none, every contract file as a `RawFile`.
- `open_export(path)` for callers that check more between the manifest and the files (X007,
  X010 and X009 need the register and the load history)::

      with open_export(path) as export:
          if export.manifest is None:          # X001: export.refusals says why
              ...
          ...                                  # X007 / X010 / X009 on export.manifest
          refusals = export.check()            # X002, X003, X006, X005, X004 (one pass per file)
          checksums = export.checksums
          if not refusals:
              for raw in export.iter_files():  # one file in memory at a time, contract order
                  ...                          # (or export.iter_parts(): a large file in parts)

`read_manifest(path)` reads only the manifest (X001). Nothing is extracted to disk: a zip is
read member by member in place.

A `RawFile` holds the contract's columns as strings exactly as written (not trimmed; an absent
field is ""), `_line` (int32, where the record starts in the file; header = line 1) and
`_extra` (the surplus fields of a row longer than the header, as a JSON list: V006), in file
order. Trimming, nulls and every row rule belong to the row validation.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import pyarrow as pa

from bbic_core import contract
from bbic_core.contract import FileSpec
from bbic_core.validation.csv_scan import CsvScan, scan_file
from bbic_core.validation.csv_table import CsvTable, read_parts, read_table
from bbic_core.validation.manifest import MANIFEST_NAME, Manifest, parse_manifest
from bbic_core.validation.refusal import Refusal, safe_text, show, sort_refusals
from bbic_core.validation.source import MANIFEST_MAX_BYTES, ExportSource, ZipSource, open_source

_TRIM = " \t"
# A zip member that cannot be read back (bad CRC, truncated, encrypted, unknown compression).
# OSError and ValueError: a member whose offset points outside the file (seek fails), or a file of a
# folder that cannot be read (an I/O error).
_BROKEN_ZIP = (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError, OSError,
               ValueError)
_SCAN_THREADS = 2
# A header of more fields than this is X005 before anything is made per column (the widest contract file
# has 14 columns; unknown columns are allowed, but not without end).
MAX_COLUMNS = 256
# A record longer than this is not a row of the contract (its rows are well under 1 KiB): the file is
# refused X004 (a padded file) before pyarrow would size its blocks by it. For a file with irregular
# quoting the length is an upper estimate (four bytes per character).
RECORD_MAX_BYTES = 64 << 20


@dataclass
class RawFile:
    spec: FileSpec
    name: str  # "barn.csv"
    # The contract's columns (strings as read), "_line" (int32), "_extra" (surplus fields as JSON, or null).
    table: pa.Table
    unknown_columns: list[str]  # header names the contract does not know, as written (V050)
    extra_values: pa.Table | None  # the values of those columns, same row order
    rows_read: int
    header_line: int = 1  # where the header is (after any blank lines): V050 is reported there


@dataclass
class ExportRead:
    path: Path
    manifest: Manifest | None
    checksums: dict[str, str]  # computed SHA-256 of each CSV file read
    files: dict[str, RawFile]  # by file name; empty when a refusal stops reading
    refusals: list[Refusal]  # every export-level fault found, in the contract's order


def normalise_header(name: str) -> str:
    """Header names are compared trimmed and case-insensitively with the contract's lower-case names."""
    return name.strip(_TRIM).lower()


def header_faults(spec: FileSpec, header: list[str] | None, line: int, width: int | None = None
                  ) -> list[Refusal]:
    """X005: a contract column missing from the header, a header naming a column twice, or a header of
    more than `MAX_COLUMNS` fields (`width`: the header's number of fields, when the scan cut it)."""
    fields = max(width or 0, len(header or []))
    if fields > MAX_COLUMNS:
        message = f"{spec.name}: header has {fields} columns, more than the limit of {MAX_COLUMNS}"
        return [Refusal("X005", message, spec.name, line)]
    names = [normalise_header(n) for n in header or []]
    refusals: list[Refusal] = []
    missing = [c for c in spec.column_names if c not in names]
    if missing:
        what = "has no header" if header is None else f"header lacks column(s) {', '.join(missing)}"
        hint = _bom_hint(names, missing)
        what += f" ({hint})" if hint else ""
        at = line if header is not None else None
        refusals.append(Refusal("X005", f"{spec.name}: {what}", spec.name, at))
    # Empty names (a trailing `;`) name no column, so they may repeat.
    seen: set[str] = set()
    repeated: set[str] = set()
    for n in names:
        if n:  # linear: a header may have many names
            (repeated if n in seen else seen).add(n)
    twice = sorted(repeated)
    if twice:
        shown = ", ".join(n if n in spec.column_names else show(n) for n in twice)
        message = f"{spec.name}: header names column(s) {shown} more than once"
        refusals.append(Refusal("X005", message, spec.name, line))
    return refusals


_BOM = "\ufeff"
_BOM_AS_CP1252 = "ï»¿"


def _bom_hint(names: list[str], missing: list[str]) -> str | None:
    """Why a column seems missing when a byte order mark hides it (a header joined from two files)."""
    hidden = [c for c in missing if any(_BOM in n and n.replace(_BOM, "").strip(_TRIM) == c for n in names)]
    if hidden:
        return f"a byte order mark, U+FEFF, stands before {', '.join(hidden)}: remove it"
    if names and names[0].startswith(_BOM_AS_CP1252):
        return "the file starts with a UTF-8 byte order mark but is declared windows-1252"
    return None


@dataclass
class _Checked:
    scans: dict[str, CsvScan] = field(default_factory=dict)
    refusals: list[Refusal] = field(default_factory=list)
    unreadable: set[str] = field(default_factory=set)  # contract files whose values cannot be read


class ExportHandle:
    """An opened export: the manifest at once, the per-file checks and the values on demand."""

    def __init__(self, path: Path, source: ExportSource | None, manifest: Manifest | None,
                 refusals: list[Refusal]) -> None:
        self.path = path
        self.source = source
        self.manifest = manifest
        self.refusals = refusals  # X001 found when opening
        self._checked: _Checked | None = None

    def __enter__(self) -> ExportHandle:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        if self.source is not None:
            self.source.close()

    @property
    def checksums(self) -> dict[str, str]:
        """SHA-256 of every contract file present and every listed file present (after `check`)."""
        return {name: scan.sha256 for name, scan in self.check_state().scans.items()}

    def check(self) -> list[Refusal]:
        """Every export-level fault but X007, X010, X009, X008: X001 and then X002, X003, X006, X005, X004."""
        return sort_refusals([*self.refusals, *self.check_state().refusals])

    def check_state(self) -> _Checked:
        if self._checked is None:
            self._checked = self._check()
        return self._checked

    def _check(self) -> _Checked:
        checked = _Checked()
        if self.manifest is None or self.source is None:
            return checked
        listed = self.manifest.listed
        present = set(self.source.names())
        contract_names = [spec.name for spec in contract.FILES]
        for name in contract_names:
            if name not in listed:
                checked.refusals.append(Refusal("X002", f"{name} is not listed in {MANIFEST_NAME}", name))
        for name in listed:
            if name not in present:
                # A listed name is the manifest's free text: never echoed as it stands.
                shown = safe_text(name)
                checked.refusals.append(
                    Refusal("X002", f"{shown} is listed in {MANIFEST_NAME} but is not in the export", shown))
        extras = [name for name in listed if name not in contract.BY_NAME]
        names = [name for name in [*contract_names, *extras] if name in present]
        checked.unreadable.update(name for name in [*contract_names, *extras] if name not in present)
        scans = self._scan_all(names)
        for name in names:
            checked.refusals.extend(self._check_file(name, scans[name], checked))
        return checked

    def _scan_all(self, names: list[str]) -> dict[str, CsvScan | BaseException]:
        """Every file's scan (or the error reading it), two files at a time: hashing and numpy
        release the GIL, so the scans of two files share the machine's cores."""
        assert self.manifest is not None and self.source is not None
        codec = self.manifest.codec
        source = self.source

        def scan(name: str) -> CsvScan | BaseException:
            try:
                return scan_file(lambda: source.open(name), codec)
            except _BROKEN_ZIP as exc:
                return exc

        biggest_first = sorted(names, key=lambda name: -source.size(name))
        with ThreadPoolExecutor(max_workers=_SCAN_THREADS) as pool:
            return dict(zip(biggest_first, pool.map(scan, biggest_first), strict=True))

    def _check_file(self, name: str, scanned: CsvScan | BaseException, checked: _Checked) -> list[Refusal]:
        assert self.manifest is not None and self.source is not None
        shown = safe_text(name)  # a listed extra file's name comes from the manifest
        if isinstance(scanned, BaseException):
            checked.unreadable.add(name)
            exc = scanned
            message = f"{shown}: cannot be read{self._from()} ({type(exc).__name__}: {safe_text(str(exc))})"
            return [Refusal("X001", message, shown)]
        scan = checked.scans[name] = scanned
        refusals: list[Refusal] = []
        entry = self.manifest.listed.get(name)
        if entry is not None and scan.sha256 != entry.sha256:
            message = f"{shown}: SHA-256 {scan.sha256[:12]}… differs from the manifest's {entry.sha256[:12]}…"
            refusals.append(Refusal("X003", message, shown))
        if scan.decode_error is not None:
            error = scan.decode_error
            encoding = self.manifest.encoding
            message = f"{shown}: does not decode as {encoding}: {error.detail} at line {error.line}"
            refusals.append(Refusal("X006", message, shown, error.line))
            checked.unreadable.add(name)
            return refusals
        spec = contract.BY_NAME.get(name)
        if spec is None:
            return refusals  # a listed extra file: X003 and X006 only, then ignored
        header = header_faults(spec, scan.header, scan.header_line, scan.header_fields)
        if header:
            checked.unreadable.add(name)
        refusals.extend(header)
        if not header and scan.max_record_bytes > RECORD_MAX_BYTES:
            checked.unreadable.add(name)
            refusals.append(Refusal(
                "X004", f"{name}: the row at line {scan.longest_line} is longer than the limit of "
                        f"{RECORD_MAX_BYTES} bytes (a padded file)", name, scan.longest_line))
        if entry is not None and scan.rows != entry.rows:
            refusals.append(Refusal(
                "X004", f"{name}: {scan.rows} data rows, {MANIFEST_NAME} says {entry.rows}", name))
        return refusals

    def _from(self) -> str:
        return " from the zip" if isinstance(self.source, ZipSource) else ""

    def read_file(self, name: str) -> RawFile:
        """The raw table of one contract file; the file must have passed X002, X006 and X005."""
        spec, scan = self._readable(name)
        assert self.manifest is not None and self.source is not None
        source = self.source
        csv = read_table(scan, lambda: source.open(name), self.manifest.codec, source.local_path(name))
        return _raw_file(spec, csv, scan.header_line)

    def read_parts(self, name: str) -> Iterator[RawFile]:
        """`read_file`'s rows in the parts the scan cut the file into, in file order: each holds its
        records' lines and values, its `rows_read` is its own."""
        spec, scan = self._readable(name)
        assert self.manifest is not None and self.source is not None
        source = self.source
        for csv in read_parts(scan, lambda: source.open(name), self.manifest.codec, source.local_path(name)):
            yield _raw_file(spec, csv, scan.header_line)

    def _readable(self, name: str) -> tuple[FileSpec, CsvScan]:
        spec = contract.BY_NAME[name]
        checked = self.check_state()
        if self.manifest is None or self.source is None or name in checked.unreadable:
            codes = sorted({r.code for r in self.check()})
            raise ValueError(f"{name} cannot be read: the export is refused ({', '.join(codes)})")
        return spec, checked.scans[name]

    def iter_files(self) -> Iterator[RawFile]:
        """Every contract file, in the contract's order, one at a time."""
        for spec in contract.FILES:
            yield self.read_file(spec.name)

    def iter_parts(self) -> Iterator[RawFile]:
        """Every contract file in parts (`read_parts`), in the contract's order, one part at a time."""
        for spec in contract.FILES:
            yield from self.read_parts(spec.name)

    def read_files(self) -> dict[str, RawFile]:
        return {raw.name: raw for raw in self.iter_files()}


def _raw_file(spec: FileSpec, csv: CsvTable, header_line: int) -> RawFile:
    position = {normalise_header(h): i for i, h in reversed(list(enumerate(csv.header)))}
    known = {position[c] for c in spec.column_names}
    unknown = [i for i in range(len(csv.header)) if i not in known]
    table = pa.Table.from_arrays(
        [*(csv.columns[position[c]] for c in spec.column_names), csv.lines, csv.extra],
        names=[*spec.column_names, "_line", "_extra"],
    )
    extra_values = (
        pa.Table.from_arrays([csv.columns[i] for i in unknown], names=[csv.header[i] for i in unknown])
        if unknown else None
    )
    return RawFile(spec, spec.name, table, [csv.header[i] for i in unknown], extra_values, table.num_rows,
                   header_line)


def open_export(path: Path) -> ExportHandle:
    """Opens the export at `path` and reads its manifest (X001); the rest waits for `check`/`read_file`."""
    source, refusals = open_source(path)
    if source is None:
        return ExportHandle(path, None, None, refusals)
    if MANIFEST_NAME not in source.names():
        missing = Refusal("X001", f"{MANIFEST_NAME} is missing", MANIFEST_NAME)
        return ExportHandle(path, source, None, [missing])
    try:
        data = source.read_bounded(MANIFEST_NAME, MANIFEST_MAX_BYTES)
    except _BROKEN_ZIP as exc:
        where = " from the zip" if isinstance(source, ZipSource) else ""
        unreadable = f"{MANIFEST_NAME}: cannot be read{where} ({type(exc).__name__}: {safe_text(str(exc))})"
        return ExportHandle(path, source, None, [Refusal("X001", unreadable, MANIFEST_NAME)])
    if data is None:
        too_big = f"{MANIFEST_NAME}: larger than the limit of {MANIFEST_MAX_BYTES} bytes"
        return ExportHandle(path, source, None, [Refusal("X001", too_big, MANIFEST_NAME)])
    manifest, refusals = parse_manifest(data)
    return ExportHandle(path, source, manifest, refusals)


def read_manifest(path: Path) -> tuple[Manifest | None, list[Refusal]]:
    """The manifest of the export at `path` (folder or zip), or its X001 refusals."""
    with open_export(path) as export:
        return export.manifest, list(export.refusals)


def read_export(path: Path) -> ExportRead:
    """Reads and checks a whole export; stops at X001; reads the files only when nothing is refused."""
    with open_export(path) as export:
        if export.manifest is None:
            return ExportRead(path, None, {}, {}, list(export.refusals))
        refusals = export.check()
        files = export.read_files() if not refusals else {}
        return ExportRead(path, export.manifest, export.checksums, files, refusals)
