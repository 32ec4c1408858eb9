"""One streaming pass over a CSV file's bytes: checksum, decoding (X006), records and their lines.

The pass reads the file in chunks (memory stays bounded however large the file is) and finds,
with numpy and no Python loop per row:

- the SHA-256 of the bytes (X003);
- the first byte that does not decode in the declared encoding and its line (X006);
- every record: a CSV record whose line ends lie outside quotes. Its start line is the line a
  person sees in an editor (line ends: LF, CRLF, a lone CR; header = line 1 when the file starts
  with it); a record with no characters is an empty line, not counted;
- the number of fields of each record, so that the rare rows with a wrong number of fields are
  known by index and byte range (they are parsed one by one, the rest by pyarrow).

Quotes are located by parity (a running count of `"`), which is exact for RFC 4180 quoting.
The pass also checks that every quote is where RFC 4180 puts it (an opening quote at the start
of a field, a closing one before `;`, a line end or the end of the file, `""` inside a quoted
field). When one is not (a stray `"` inside an unquoted field), `regular` is False and the
caller re-reads the file with Python's csv module, whose rules for such quotes match pyarrow's
(`python_records`).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO

import numpy as np
import numpy.typing as npt

CHUNK_BYTES = 1 << 20  # small enough for the CPU caches: the scan is 30 % quicker than with 16 MiB
# Bytes kept to read the header from; a longer header (an unclosed quote) is cut and fails X005.
HEADER_MAX_BYTES = 1 << 20
# A file is parsed and loaded in parts of about this many bytes, cut where a record starts, so that
# a large file's values are never all in memory at once (`csv_table.read_parts`).
PART_BYTES = 64 << 20
UTF8_BOM = b"\xef\xbb\xbf"
# Bytes that Windows-1252 leaves undefined (X006).
CP1252_UNDEFINED = np.array([0x81, 0x8D, 0x8F, 0x90, 0x9D], dtype=np.uint8)
_CP1252_BAD = np.zeros(256, dtype=bool)
_CP1252_BAD[CP1252_UNDEFINED] = True
_QUOTE, _LF, _CR, _SEMI = 0x22, 0x0A, 0x0D, 0x3B
# What may stand before an opening quote and after a closing one (besides the file's start and end).
_QUOTE_NEIGHBOURS = np.array([_SEMI, _LF, _CR, _QUOTE], dtype=np.uint8)

Opener = Callable[[], IO[bytes]]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class DecodeError:
    byte: int  # offset of the first byte that does not decode
    line: int
    detail: str  # e.g. "byte 0x81"; never the text around it


@dataclass
class CsvScan:
    """What one pass over a file found; `lines`, `bad_*` hold data records only (header excluded)."""

    sha256: str
    size: int
    decode_error: DecodeError | None
    header: list[str] | None  # the header's fields as written; None when the file has no record
    header_line: int
    lines: npt.NDArray[np.int32]  # start line of each data record, file order
    bad_index: IntArray  # data-record indices whose field count differs from the header's
    bad_start: IntArray  # byte range of those records
    bad_end: IntArray
    bad_fields: IntArray
    max_record_bytes: int
    regular: bool  # quoting is RFC 4180, so records were located exactly by the vectorised scan
    header_fields: int = 0  # the header's number of fields (also when `header` was cut at HEADER_MAX_BYTES)
    longest_line: int = 0  # where the longest data record starts
    # Where the parts after the first begin: a data record's index and its first byte (every part
    # but the first starts at a record, so it can be parsed by itself). Empty: one part.
    cut_rows: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    cut_bytes: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))

    @property
    def rows(self) -> int:
        return int(self.lines.size)


@dataclass
class _Parts:
    lines: list[npt.NDArray[np.int32]] = field(default_factory=list)
    bad: list[tuple[IntArray, IntArray, IntArray, IntArray]] = field(default_factory=list)
    cuts: list[tuple[int, int]] = field(default_factory=list)  # (data record index, its first byte)


@contextmanager
def _no_field_limit() -> Iterator[None]:
    # The csv module refuses fields over 128 KiB by default; the contract sets no limit.
    previous = csv.field_size_limit()
    csv.field_size_limit(2**31 - 1)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def parse_record(text: str) -> list[str]:
    """The fields of one record's text (no line end outside quotes), by RFC 4180 as pyarrow reads it."""
    dialect = {"delimiter": ";", "quotechar": '"', "doublequote": True, "strict": False}
    with _no_field_limit():
        try:
            return next(csv.reader([text], **dialect), [""])  # type: ignore[arg-type]
        except csv.Error:
            # A line end in an unquoted field: only a header with irregular quoting (`a"<CR>b`), whose
            # file is then re-read by `python_scan`; read the text as the csv module reads a file.
            return next(csv.reader(io.StringIO(text, newline=""), **dialect), [""])  # type: ignore[arg-type]


class _Scanner:
    def __init__(self, codec: str, part_bytes: int) -> None:
        self.codec = codec
        self.part_bytes = part_bytes
        self.part_start = 0  # first byte of the part in progress
        self.sha = hashlib.sha256()
        self.decoder = codecs.getincrementaldecoder("utf-8")("strict") if codec == "utf-8" else None
        self.decode_error: DecodeError | None = None
        self.held = b""  # a CR at the end of a chunk waits for the next (it may start a CRLF)
        self.offset = 0  # file offset of the next chunk
        self.quotes = 0  # `"` before the next chunk
        self.lines = 0  # line ends before the next chunk
        self.first_start = 0  # where the first record may start (after a UTF-8 BOM)
        self.rec_start = 0  # the record in progress: its first byte, line and delimiters so far
        self.rec_line = 1
        self.rec_delims = 0
        self.prev_byte = -1
        self.pending_closer = False  # a closing quote ended the last chunk: check the next byte
        self.regular = True
        self.header_fields: int | None = None
        self.header_range = (0, 0)
        self.header_line = 1
        self.head = bytearray()  # the file's first bytes, until the header record is complete
        self.n_data = 0
        self.max_record = 0
        self.longest_line = 0
        self.parts = _Parts()
        self.last_chunk: tuple[int, int, IntArray] = (0, 0, np.zeros(0, np.int64))

    def feed(self, block: bytes) -> None:
        self.sha.update(block)
        data = self.held + block
        self.held = b""
        if self.offset == 0 and len(data) < len(UTF8_BOM):
            self.held = data  # the first chunk must show whether the file starts with a BOM
            return
        if data.endswith(b"\r"):
            self.held, data = data[-1:], data[:-1]
        if data:
            self._chunk(data, final=False)

    def finish(self) -> CsvScan:
        if self.held:
            self._chunk(self.held, final=True)
        if self.decoder is not None and self.decode_error is None:
            buffered = len(self.decoder.getstate()[0])
            try:
                self.decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                self._decode_error(self.offset - buffered, "an incomplete UTF-8 sequence at the end")
        if self.rec_start < self.offset:
            one = np.array([self.rec_start], np.int64)
            self._records(one, np.array([self.offset], np.int64), np.array([self.rec_line], np.int64),
                          np.array([self.rec_delims + 1], np.int64))
        header = None
        if self.header_fields is not None:
            start, end = self.header_range
            header = parse_record(bytes(self.head[start:end]).decode(self.codec, errors="replace"))
        empty = np.zeros(0, np.int64)
        bad = self.parts.bad
        cuts = np.array(self.parts.cuts, np.int64).reshape(-1, 2)
        return CsvScan(
            sha256=self.sha.hexdigest(),
            size=self.offset,
            decode_error=self.decode_error,
            header=header,
            header_line=self.header_line,
            lines=np.concatenate(self.parts.lines) if self.parts.lines else np.zeros(0, np.int32),
            bad_index=np.concatenate([b[0] for b in bad]) if bad else empty,
            bad_start=np.concatenate([b[1] for b in bad]) if bad else empty,
            bad_end=np.concatenate([b[2] for b in bad]) if bad else empty,
            bad_fields=np.concatenate([b[3] for b in bad]) if bad else empty,
            max_record_bytes=self.max_record,
            regular=self.regular,
            header_fields=self.header_fields or 0,
            longest_line=self.longest_line,
            cut_rows=cuts[:, 0].copy(),
            cut_bytes=cuts[:, 1].copy(),
        )

    def _line_at(self, byte: int) -> int:
        off, lines_before, tpos = self.last_chunk
        return lines_before + 1 + (int(np.searchsorted(tpos, byte - off)) if byte >= off else 0)

    def _decode_error(self, byte: int, detail: str) -> None:
        self.decode_error = DecodeError(byte, self._line_at(byte), detail)

    def _chunk(self, data: bytes, *, final: bool) -> None:
        off = self.offset
        arr = np.frombuffer(data, dtype=np.uint8)
        n = arr.size
        if off == 0 and self.codec == "utf-8" and data.startswith(UTF8_BOM):
            self.first_start = self.rec_start = len(UTF8_BOM)
        if self.header_fields is None and len(self.head) < HEADER_MAX_BYTES:
            self.head += data[: HEADER_MAX_BYTES - len(self.head)]

        # One pass over the bytes finds the few that matter (`"`, LF, CR, `;`); everything after
        # works on those positions only, in order, so quote parity is a running count, not a search.
        special = arr == _QUOTE  # comparisons run vectorised; a lookup table is many times slower
        special |= arr == _LF
        special |= arr == _CR
        special |= arr == _SEMI
        where = np.flatnonzero(special)
        kind = arr[where]
        is_quote = kind == _QUOTE
        quotes_before = np.cumsum(is_quote, dtype=np.int32) - is_quote  # this chunk's quotes before each
        outside = ((self.quotes + quotes_before) & 1) == 0
        is_lf = kind == _LF
        is_cr = kind == _CR
        adjacent = where[1:] == where[:-1] + 1  # the next special byte is the very next byte
        cr_lf = np.zeros(where.size, dtype=bool)
        cr_lf[:-1] = adjacent & is_lf[1:]
        lf_after_cr = np.zeros(where.size, dtype=bool)
        lf_after_cr[1:] = adjacent & is_cr[:-1]
        # A CR ends a line by itself unless an LF follows (then CRLF ends it, at the LF).
        is_term = is_lf | (is_cr & ~cr_lf)
        term = np.flatnonzero(is_term)
        tpos = where[term]
        tfirst = tpos - (lf_after_cr[term] & is_lf[term])
        self.last_chunk = (off, self.lines, tpos)

        self._check_decoding(data, arr, off)
        if self.regular:
            self._check_quotes(arr, where, is_quote, outside, adjacent, off, final=final)

        # Record ends: line ends outside quotes.
        ends_at = np.flatnonzero(outside[term])
        rec_end = tfirst[ends_at]
        next_start = tpos[ends_at] + 1 + off
        next_line = self.lines + ends_at.astype(np.int64) + 2
        starts = np.concatenate([[self.rec_start], next_start[:-1]]).astype(np.int64)
        lines = np.concatenate([[self.rec_line], next_line[:-1]]).astype(np.int64)

        # Delimiters outside quotes, counted per record (the record = record ends before it).
        record_of = np.cumsum(is_term & outside, dtype=np.int32)
        delims = (kind == _SEMI) & outside
        counts = np.bincount(record_of[delims], minlength=ends_at.size + 1).astype(np.int64)
        counts[0] += self.rec_delims
        if ends_at.size:
            self._records(starts, rec_end + off, lines, counts[:-1] + 1)
            self.rec_start = int(next_start[-1])
            self.rec_line = int(next_line[-1])
        self.rec_delims = int(counts[-1])

        self.quotes += int(is_quote.sum())
        self.lines += tpos.size
        self.offset += n
        self.prev_byte = int(arr[-1])

    def _check_decoding(self, data: bytes, arr: npt.NDArray[np.uint8], off: int) -> None:
        if self.decode_error is not None:
            return
        if self.decoder is None:
            bad = np.flatnonzero(_CP1252_BAD[arr])
            if bad.size:
                byte = off + int(bad[0])
                self._decode_error(byte, f"byte 0x{int(arr[bad[0]]):02X} is not defined in Windows-1252")
            return
        buffered = len(self.decoder.getstate()[0])
        if not buffered and data.isascii():
            return  # ASCII is UTF-8 (and much quicker to recognise than to decode)
        try:
            self.decoder.decode(data)
        except UnicodeDecodeError as exc:
            # The decoder reports offsets into its buffered bytes followed by `data`.
            byte = exc.object[exc.start]
            self._decode_error(off - buffered + exc.start, f"byte 0x{byte:02X} is not valid UTF-8")

    def _check_quotes(self, arr: npt.NDArray[np.uint8], where: IntArray, is_quote: npt.NDArray[np.bool_],
                      outside: npt.NDArray[np.bool_], adjacent: npt.NDArray[np.bool_], off: int, *,
                      final: bool) -> None:
        """RFC 4180 places: an opening quote after `;`, a line end, `"` or the file's start; a closing
        one before `;`, a line end, `"` or the end. Those neighbours are exactly the special bytes,
        so "the byte before is one" is "the previous special byte is adjacent"."""
        n = arr.size
        if self.pending_closer:
            self.pending_closer = False
            if n and not np.isin(arr[0], _QUOTE_NEIGHBOURS):
                self.regular = False
                return
        if not is_quote.any():
            return
        prev_adjacent = np.zeros(where.size, dtype=bool)
        prev_adjacent[1:] = adjacent
        next_adjacent = np.zeros(where.size, dtype=bool)
        next_adjacent[:-1] = adjacent
        placed = np.where(outside, prev_adjacent, next_adjacent)
        # The few quotes left are judged one by one: the file's first byte, a chunk's first or last.
        for k in np.flatnonzero(is_quote & ~placed).tolist():
            p = int(where[k])
            if outside[k]:
                after_neighbour = p == 0 and bool(np.isin(self.prev_byte, _QUOTE_NEIGHBOURS))
                ok = p + off == self.first_start or after_neighbour
            else:
                ok = p + 1 >= n
                if ok and not final:
                    self.pending_closer = True
            if not ok:
                self.regular = False
                self.pending_closer = False
                return

    def _records(self, starts: IntArray, ends: IntArray, lines: IntArray, fields: IntArray) -> None:
        keep = ends > starts  # a line with no characters is not a record
        starts, ends, lines, fields = starts[keep], ends[keep], lines[keep], fields[keep]
        if not starts.size:
            return
        if self.header_fields is None:
            self.header_fields = int(fields[0])
            self.header_range = (int(starts[0]), int(ends[0]))
            self.header_line = int(lines[0])
            del self.head[self.header_range[1]:]
            starts, ends, lines, fields = starts[1:], ends[1:], lines[1:], fields[1:]
            if not starts.size:
                return
        if self.n_data == 0:
            self.part_start = int(starts[0])  # the first part: the header and at least one record
        while True:  # a cut at the first record starting a part's size or more after the last cut
            k = int(np.searchsorted(starts, self.part_start + self.part_bytes))
            if k == starts.size:
                break
            self.part_start = int(starts[k])
            self.parts.cuts.append((self.n_data + k, self.part_start))
        sizes = ends - starts
        longest = int(sizes.argmax())
        if int(sizes[longest]) > self.max_record:
            self.max_record, self.longest_line = int(sizes[longest]), int(lines[longest])
        self.parts.lines.append(lines.astype(np.int32))
        wrong = np.flatnonzero(fields != self.header_fields)
        if wrong.size:
            self.parts.bad.append((wrong + self.n_data, starts[wrong], ends[wrong], fields[wrong]))
        self.n_data += starts.size


def scan_stream(stream: IO[bytes], codec: str, *, chunk_bytes: int = CHUNK_BYTES,
                part_bytes: int | None = None) -> CsvScan:
    """Scans a whole file (`codec`: "utf-8" or "cp1252"); records are exact only when `regular`.
    `part_bytes` (default `PART_BYTES`): the size of the parts it cuts the file into."""
    scanner = _Scanner(codec, PART_BYTES if part_bytes is None else part_bytes)
    for block in iter(lambda: stream.read(chunk_bytes), b""):
        scanner.feed(block)
    return scanner.finish()


@contextmanager
def _text(opener: Opener, codec: str) -> Iterator[io.TextIOWrapper]:
    binary = opener()
    text = io.TextIOWrapper(binary, encoding="utf-8-sig" if codec == "utf-8" else codec, errors="replace",
                            newline="")
    try:
        with _no_field_limit():
            yield text
    finally:
        text.close()


def python_records(opener: Opener, codec: str) -> Iterator[tuple[int, list[str]]]:
    """(start line, fields) of every record, header included, read by Python's csv module.

    A loop per row: only for files whose quoting is not RFC 4180 (`CsvScan.regular` False).
    """
    with _text(opener, codec) as text:
        reader = csv.reader(text, delimiter=";", quotechar='"', doublequote=True, strict=False)
        consumed = 0
        for fields in reader:
            start, consumed = consumed + 1, reader.line_num
            if fields:
                yield start, fields


def python_scan(opener: Opener, codec: str, first: CsvScan) -> CsvScan:
    """Re-locates the records of an irregular file with Python's csv module (keeps `first`'s checks)."""
    header: list[str] | None = None
    header_line = 1
    lines: list[int] = []
    bad: list[tuple[int, int]] = []
    longest = longest_line = 0
    for line, fields in python_records(opener, codec):
        if header is None:
            header, header_line = fields, line
            continue
        if len(fields) != len(header):
            bad.append((len(lines), len(fields)))
        lines.append(line)
        size = sum(len(f) for f in fields) + len(fields)
        if size > longest:
            longest, longest_line = size, line
    index = np.array([b[0] for b in bad], np.int64)
    minus = np.full(index.size, -1, np.int64)
    return CsvScan(
        sha256=first.sha256, size=first.size, decode_error=first.decode_error, header=header,
        header_line=header_line, lines=np.array(lines, np.int32), bad_index=index, bad_start=minus,
        bad_end=minus, bad_fields=np.array([b[1] for b in bad], np.int64), max_record_bytes=4 * longest,
        regular=False, header_fields=len(header or []), longest_line=longest_line,
    )


def scan_file(opener: Opener, codec: str, *, chunk_bytes: int = CHUNK_BYTES,
              part_bytes: int | None = None) -> CsvScan:
    """`scan_stream`, then `python_scan` when the quoting is irregular and the file decodes (one part)."""
    with opener() as stream:
        scan = scan_stream(stream, codec, chunk_bytes=chunk_bytes, part_bytes=part_bytes)
    if scan.regular or scan.decode_error is not None:
        return scan
    return python_scan(opener, codec, scan)
