"""Streams a `Frame` to a CSV file as Paraply writes it: `;`, RFC 4180 quoting, chosen encoding.

pyarrow's CSV writer does the formatting (its "needed" quoting style quotes every text value and
doubles inner quotes, which is valid RFC 4180). The file is written in chunks, hashed on the way,
and the few rows that a CSV writer cannot produce (a row with one field too many, V006; an empty
line) are spliced in as raw bytes.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from bbic_core.synth.frame import Frame

CHUNK_ROWS = 262_144
BOM = b"\xef\xbb\xbf"
EXTRA_FIELD = ';"EXTRA"'


class _Sink:
    def __init__(self, path: Path, encoding: str) -> None:
        self._fh = path.open("wb")
        self._cp1252 = encoding.lower() == "windows-1252"
        self.digest = hashlib.sha256()

    def write(self, data: bytes) -> None:
        if self._cp1252 and not data.isascii():
            data = data.decode("utf-8").encode("cp1252")
        self._fh.write(data)
        self.digest.update(data)

    def close(self) -> None:
        self._fh.close()


def _csv(table: pa.Table, *, header: bool, eol: str) -> bytes:
    buf = pa.BufferOutputStream()
    options = pacsv.WriteOptions(include_header=header, delimiter=";", quoting_style="needed", eol=eol,
                                 batch_size=8192)
    pacsv.write_csv(table, buf, options)
    return bytes(buf.getvalue().to_pybytes())


def _write_patched(sink: _Sink, frame: Frame, specials: list[int], eol: str) -> None:
    """Chunks written whole; with no line break inside any value, line k of a chunk is its row k."""
    n = len(frame)
    end = eol.encode()
    rows = np.asarray(specials, dtype=np.int64)
    for lo in range(0, n, CHUNK_ROWS):
        hi = min(n, lo + CHUNK_ROWS)
        data = _csv(frame.arrow(lo, hi), header=False, eol=eol)
        inside = rows[(rows >= lo) & (rows < hi)]
        if len(inside):
            lines = data.split(end)
            for r in inside.tolist():
                if r in frame.extra_field_rows:
                    lines[r - lo] += EXTRA_FIELD.encode()
                if r == frame.blank_line_after:
                    lines[r - lo] += end
            data = end.join(lines)
        sink.write(data)


def write_frame(path: Path, frame: Frame, *, encoding: str = "utf-8") -> tuple[int, str]:
    """Writes the file; returns (data rows, sha256 of its bytes)."""
    eol = "\r\n" if frame.crlf else "\n"
    n = len(frame)
    specials = set(frame.extra_field_rows)
    if frame.blank_line_after is not None:
        specials.add(frame.blank_line_after)
    sink = _Sink(path, encoding)
    try:
        if frame.bom and encoding.lower() == "utf-8":
            sink.write(BOM)
        sink.write(_csv(frame.arrow(0, 0), header=True, eol=eol))
        ordered = sorted(r for r in specials if 0 <= r < n)
        if not frame.has_line_breaks():
            _write_patched(sink, frame, ordered, eol)
            return n, sink.digest.hexdigest()
        cuts = iter(ordered)
        nxt = next(cuts, None)
        lo = 0
        while lo < n:
            hi = min(n, lo + CHUNK_ROWS)
            if nxt is not None and nxt < hi:
                hi = nxt
            if hi > lo:
                sink.write(_csv(frame.arrow(lo, hi), header=False, eol=eol))
                lo = hi
                continue
            # lo == nxt: a special row, written on its own.
            row = _csv(frame.arrow(lo, lo + 1), header=False, eol=eol)
            if lo in frame.extra_field_rows:
                row = row[: -len(eol)] + EXTRA_FIELD.encode() + eol.encode()
            if lo == frame.blank_line_after:
                row += eol.encode()
            sink.write(row)
            lo += 1
            nxt = next(cuts, None)
    finally:
        sink.close()
    return n, sink.digest.hexdigest()
