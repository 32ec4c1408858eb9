"""A CSV file's values as Arrow strings, exactly as written, with each record's start line.

pyarrow parses the file (multi-threaded, transcoding Windows-1252) with every column as a
string and nothing turned into null. Rows with a wrong number of fields are rare: pyarrow skips
them, and they are parsed one by one from the byte ranges the scan found, then put back in file
order (a short row gets empty fields; a long row keeps the header's fields and its surplus goes
to `extra` as a JSON list). The scan and pyarrow must agree on the number of records of each
kind; if they ever do not, or the file's quoting is irregular, the file is read with Python's
csv module instead (slower, same result).
"""

from __future__ import annotations

import dataclasses
import io
import json
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from bbic_core.validation.csv_scan import CsvScan, Opener, parse_record, python_records

_LOG = logging.getLogger(__name__)
_MIN_BLOCK = 1 << 22  # fewer, larger blocks than pyarrow's 1 MiB default parse a little quicker
# Up to this many rows with a wrong field count are put back as slices (no copy); more, with a `take`.
_INTERLEAVE_MAX = 10_000
# A Windows-1252 byte may become three bytes of UTF-8 once pyarrow has transcoded it.
_GROWTH = 4
# What a row's surplus fields keep (V006 quarantines the row; its `_extra` shows them): a line of ten
# million `;` must not become a ten-million-element list in the quarantine.
EXTRA_MAX_FIELDS = 20
EXTRA_MAX_CHARS = 1000


def surplus_json(row: list[str], width: int) -> str | None:
    """The fields of `row` after the header's `width` as a JSON list, bounded; None when there are none."""
    surplus = row[width:]
    if not surplus:
        return None
    kept = [f if len(f) <= EXTRA_MAX_CHARS else f[:EXTRA_MAX_CHARS] + "…" for f in surplus[:EXTRA_MAX_FIELDS]]
    if len(surplus) > EXTRA_MAX_FIELDS:
        kept.append(f"… {len(surplus) - EXTRA_MAX_FIELDS} fält till")
    return json.dumps(kept, ensure_ascii=False)


@dataclass
class CsvTable:
    header: list[str]  # as written
    columns: list[pa.ChunkedArray | pa.Array]  # one string column per header field, in header order
    lines: pa.Array  # int32: the line where each record starts
    extra: pa.Array | pa.ChunkedArray  # surplus fields of a row longer than the header (JSON list), else null

    @property
    def num_rows(self) -> int:
        return len(self.lines)


class ScanMismatch(Exception):
    """pyarrow and the scan disagree on the records (never expected for RFC 4180 files)."""


def _block_size(scan: CsvScan) -> int:
    need = _GROWTH * max(scan.max_record_bytes, len(";".join(scan.header or []))) + (1 << 16)
    return max(_MIN_BLOCK, 1 << int(need - 1).bit_length())


def _pyarrow_good_rows(scan: CsvScan, source: Path | Opener, codec: str, *, with_header: bool = True
                       ) -> pa.Table:
    """The rows of `source` with the header's number of fields; `with_header`: it starts with the header
    (every part of a file but the first does not)."""
    assert scan.header is not None
    names = [f"f{i}" for i in range(len(scan.header))]
    skipped = 0
    lock = threading.Lock()

    def skip(_row: pacsv.InvalidRow) -> str:
        nonlocal skipped
        with lock:
            skipped += 1
        return "skip"

    read = pacsv.ReadOptions(encoding=codec, column_names=names, block_size=_block_size(scan),
                             use_threads=True)
    parse = pacsv.ParseOptions(delimiter=";", quote_char='"', double_quote=True, escape_char=False,
                               newlines_in_values=True, ignore_empty_lines=True, invalid_row_handler=skip)
    convert = pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()), null_values=[],
                                   strings_can_be_null=False, quoted_strings_can_be_null=False,
                                   check_utf8=True)
    if isinstance(source, Path):
        table = pacsv.read_csv(source, read_options=read, parse_options=parse, convert_options=convert)
    else:
        with source() as stream:
            table = pacsv.read_csv(stream, read_options=read, parse_options=parse, convert_options=convert)
    good = scan.rows - scan.bad_index.size
    head = int(with_header)
    # The header is read as the first row: it must be the scan's header, then come the good rows.
    if (skipped != scan.bad_index.size or table.num_rows != good + head
            or (with_header and [table.column(i)[0].as_py() for i in range(len(names))] != scan.header)):
        found = f"scan: {good} + {scan.bad_index.size} rows, pyarrow: {table.num_rows - head} + {skipped}"
        raise ScanMismatch(found)
    return table.slice(head)


def _bad_rows(scan: CsvScan, opener: Opener, codec: str) -> list[list[str]]:
    rows: list[list[str]] = []
    with opener() as stream:
        for start, end in zip(scan.bad_start.tolist(), scan.bad_end.tolist(), strict=True):
            stream.seek(start)
            rows.append(parse_record(stream.read(end - start).decode(codec, errors="replace")))
    return rows


def _interleave(column: pa.ChunkedArray, inserted: pa.Array, at: list[int]) -> pa.ChunkedArray:
    """`column` with `inserted[k]` put at final position `at[k]` (sorted), without copying `column`."""
    chunks: list[pa.Array] = []
    taken = 0  # rows of `column` placed so far
    for k, position in enumerate(at):
        before = position - k
        if before > taken:
            chunks.extend(column.slice(taken, before - taken).chunks)
        chunks.append(inserted.slice(k, 1))
        taken = before
    chunks.extend(column.slice(taken).chunks)
    return pa.chunked_array(chunks, column.type)


def _splice(scan: CsvScan, good: pa.Table, bad: list[list[str]]) -> CsvTable:
    assert scan.header is not None
    width = len(scan.header)
    n = scan.rows
    columns: list[pa.ChunkedArray | pa.Array] = list(good.columns)
    del good  # each column is released once it has been spliced
    extra: pa.Array | pa.ChunkedArray = pa.nulls(n, pa.string())
    if not bad:
        return CsvTable(list(scan.header), columns, pa.array(scan.lines, pa.int32()), extra)
    padded = [row[:width] + [""] * (width - len(row)) for row in bad]
    surplus = pa.array([surplus_json(row, width) for row in bad], pa.string())
    if len(bad) <= _INTERLEAVE_MAX:
        # Few rows to put back: slices of pyarrow's columns, no copy.
        at = scan.bad_index.tolist()
        for i, column in enumerate(columns):
            column = column if isinstance(column, pa.ChunkedArray) else pa.chunked_array([column])
            columns[i] = _interleave(column, pa.array([row[i] for row in padded], pa.string()), at)
        extra = _interleave(pa.chunked_array([pa.nulls(n - len(bad), pa.string())]), surplus, at)
    else:
        is_bad = np.zeros(n, dtype=bool)
        is_bad[scan.bad_index] = True
        order = np.empty(n, dtype=np.int64)
        order[~is_bad] = np.arange(n - len(bad))
        order[is_bad] = np.arange(n - len(bad), n)
        take = pa.array(order)
        for i, column in enumerate(columns):
            chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
            tail = pa.array([row[i] for row in padded], pa.string())
            columns[i] = pa.chunked_array([*chunks, tail], pa.string()).take(take)
        extra = pa.chunked_array([pa.nulls(n - len(bad), pa.string()), surplus]).take(take)
    return CsvTable(list(scan.header), columns, pa.array(scan.lines, pa.int32()), extra)


def _python_table(opener: Opener, codec: str, header: list[str] | None = None) -> CsvTable:
    """The file read by Python's csv module; `header` given: the bytes are a part without the header."""
    values: list[list[str]] = [[] for _ in header or []]
    lines: list[int] = []
    extra: list[str | None] = []
    for line, fields in python_records(opener, codec):
        if header is None:
            header = fields
            values = [[] for _ in header]
            continue
        width = len(header)
        for i, column in enumerate(values):
            column.append(fields[i] if i < len(fields) else "")
        extra.append(surplus_json(fields, width))
        lines.append(line)
    columns: list[pa.ChunkedArray | pa.Array] = [pa.array(v, pa.string()) for v in values]
    return CsvTable(header or [], columns, pa.array(lines, pa.int32()), pa.array(extra, pa.string()))


def _part(scan: CsvScan, rows: slice) -> CsvScan:
    """`scan` narrowed to the data records `rows` (their lines, and the bad ones among them)."""
    start, stop = rows.start, rows.stop
    inside = (scan.bad_index >= start) & (scan.bad_index < stop)
    return dataclasses.replace(scan, lines=scan.lines[start:stop], bad_index=scan.bad_index[inside] - start,
                               bad_start=scan.bad_start[inside], bad_end=scan.bad_end[inside],
                               bad_fields=scan.bad_fields[inside])


def _part_table(scan: CsvScan, data: bytes, offset: int, codec: str, with_header: bool) -> CsvTable:
    """One part's values from its bytes (`offset`: where they are in the file)."""
    part = pa.py_buffer(data)
    bad = [parse_record(data[s - offset:e - offset].decode(codec, errors="replace"))
           for s, e in zip(scan.bad_start.tolist(), scan.bad_end.tolist(), strict=True)]
    try:
        return _splice(scan, _pyarrow_good_rows(scan, lambda: pa.BufferReader(part), codec,
                                                with_header=with_header), bad)
    except (ScanMismatch, pa.ArrowInvalid) as exc:
        _LOG.warning("CSV part read with Python's csv module after pyarrow disagreed with the scan: %s", exc)
        table = _python_table(lambda: io.BytesIO(data), codec, None if with_header else scan.header)
        return dataclasses.replace(table, lines=pa.array(scan.lines, pa.int32()))


def read_parts(scan: CsvScan, opener: Opener, codec: str, path: Path | None = None) -> Iterator[CsvTable]:
    """`read_table`'s values in the parts the scan cut the file into (one part when it cut nothing)."""
    if scan.header is None or not scan.regular or not scan.cut_rows.size:
        yield read_table(scan, opener, codec, path)
        return
    rows = [0, *scan.cut_rows.tolist(), scan.rows]
    ends = [*scan.cut_bytes.tolist(), scan.size]
    with opener() as stream:
        offset = 0
        for k, end in enumerate(ends):
            data = stream.read(end - offset)
            yield _part_table(_part(scan, slice(rows[k], rows[k + 1])), data, offset, codec, k == 0)
            del data
            offset = end


def read_table(scan: CsvScan, opener: Opener, codec: str, path: Path | None = None) -> CsvTable:
    """The values of the file that `scan` describes (`codec`: "utf-8" or "cp1252"; the file decodes)."""
    if scan.header is None:
        return CsvTable([], [], pa.array([], pa.int32()), pa.array([], pa.string()))
    if scan.regular:
        bad = _bad_rows(scan, opener, codec) if scan.bad_index.size else []
        try:
            # Not kept in a local: `_splice` frees each pyarrow column once it is spliced.
            return _splice(scan, _pyarrow_good_rows(scan, path if path is not None else opener, codec), bad)
        except (ScanMismatch, pa.ArrowInvalid) as exc:
            # Never expected: the scan proved the quoting regular. The slow reader gives the same values.
            _LOG.warning("CSV read with Python's csv module after pyarrow disagreed with the scan: %s", exc)
            return _python_table(opener, codec)
    return _python_table(opener, codec)
