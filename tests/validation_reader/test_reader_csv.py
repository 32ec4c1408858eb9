"""The CSV layer: records, line numbers, short and long rows, values kept as written, chunk boundaries."""

from __future__ import annotations

import io
import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bbic_core.export_writer import csv_bytes
from bbic_core.validation.csv_scan import CsvScan, python_records, scan_file, scan_stream
from bbic_core.validation.csv_table import CsvTable, read_parts, read_table


def _read(data: bytes, codec: str = "utf-8", chunk_bytes: int = 1 << 24) -> tuple[CsvScan, CsvTable]:
    scan = scan_file(lambda: io.BytesIO(data), codec, chunk_bytes=chunk_bytes)
    return scan, read_table(scan, lambda: io.BytesIO(data), codec)


def _rows(table: CsvTable) -> list[list[str]]:
    return [list(r) for r in zip(*(c.to_pylist() for c in table.columns), strict=True)]


def test_quoted_line_breaks_and_blank_lines_keep_the_editors_line_numbers() -> None:
    data = (b'a;b;c\n'            # 1
            b'\n'                 # 2 blank: not a row
            b'1;"two\n'           # 3 a row over three lines
            b'\n'                 # 4 (inside the quotes: part of the value)
            b'lines";x\n'         # 5
            b'2;"CR\r\nLF";y\r\n'  # 6-7
            b'\r\n'               # 8 blank
            b'3;;z')              # 9, no final line end
    scan, table = _read(data)
    assert scan.header == ["a", "b", "c"] and scan.header_line == 1 and scan.regular
    assert _rows(table) == [["1", "two\n\nlines", "x"], ["2", "CR\r\nLF", "y"], ["3", "", "z"]]
    assert table.lines.to_pylist() == [3, 6, 9]
    assert table.extra.to_pylist() == [None, None, None]


def test_a_lone_cr_ends_a_line() -> None:
    _, table = _read(b"a;b\r1;2\r\r3;4\r")
    assert _rows(table) == [["1", "2"], ["3", "4"]]
    assert table.lines.to_pylist() == [2, 4]


def test_lines_of_spaces_or_delimiters_are_rows_and_values_are_kept_as_written() -> None:
    data = b'a;b;c\n   \n;;\n\t;NA;null\n" x ";"";" "\n'
    _, table = _read(data)
    assert _rows(table) == [["   ", "", ""], ["", "", ""], ["\t", "NA", "null"], [" x ", "", " "]]
    assert table.lines.to_pylist() == [2, 3, 4, 5]


def test_short_and_long_rows_are_put_back_in_file_order() -> None:
    data = b'a;b;c\n1;2;3\n4\n5;6;7;"8;\n9";10\n11;12;13\n14;15\n"16\n"\n17;18;19;\n'
    scan, table = _read(data)
    assert scan.bad_index.tolist() == [1, 2, 4, 5, 6]
    assert _rows(table) == [["1", "2", "3"], ["4", "", ""], ["5", "6", "7"], ["11", "12", "13"],
                            ["14", "15", ""], ["16\n", "", ""], ["17", "18", "19"]]
    assert [json.loads(e) if e else None for e in table.extra.to_pylist()] == [
        None, None, ["8;\n9", "10"], None, None, None, [""]]
    assert table.lines.to_pylist() == [2, 3, 4, 6, 7, 8, 10]


def test_a_record_longer_than_pyarrows_block_is_read() -> None:
    big = "å\n" * 1_500_000  # 4.5 MB with 1.5 million quoted line breaks
    data = csv_bytes(["a", "b"], [["1", big], ["2", "x"]])
    scan, table = _read(data)
    assert scan.regular and scan.max_record_bytes > 1 << 22
    assert table.columns[1].to_pylist() == [big, "x"]
    assert table.lines.to_pylist() == [2, 1_500_003]


def test_a_stray_quote_inside_a_field_is_read_like_pyarrow_and_python() -> None:
    data = b'a;b\n12" screen;x\n2;3\n"ok";"fine"\n4;a"b\n'
    scan, table = _read(data)
    assert not scan.regular
    assert _rows(table) == [['12" screen', "x"], ["2", "3"], ["ok", "fine"], ["4", 'a"b']]
    assert table.lines.to_pylist() == [2, 3, 4, 5]


def test_text_after_a_closing_quote_is_irregular_and_still_read() -> None:
    scan, table = _read(b'a;b\n"ab"c;d\n')
    assert not scan.regular
    assert _rows(table) == [["abc", "d"]]


def test_a_header_only_file_and_an_empty_file() -> None:
    scan, table = _read(b"a;b\r\n")
    assert scan.header == ["a", "b"] and scan.rows == 0 and table.num_rows == 0 and len(table.columns) == 2
    scan, table = _read(b"")
    assert scan.header is None and scan.rows == 0 and table.num_rows == 0


@pytest.mark.parametrize("chunk_bytes", [1, 2, 3, 5, 8])
def test_decoding_errors_are_found_across_chunk_boundaries(chunk_bytes: int) -> None:
    good = "a;b\r\nå;ä\r\n€;\r\n".encode()
    assert _read(good, chunk_bytes=chunk_bytes)[0].decode_error is None
    bad = scan_stream(io.BytesIO(good + b"x;\xc3\r\n"), "utf-8", chunk_bytes=chunk_bytes).decode_error
    assert bad is not None and bad.line == 4
    bad = scan_stream(io.BytesIO(good + b"x;\xc3"), "utf-8", chunk_bytes=chunk_bytes).decode_error
    assert bad is not None and bad.line == 4 and bad.byte == len(good) + 2
    cp = "a;b\r\nå;\"ä\r\n\"\r\n".encode("cp1252") + b"\x9d"
    bad = scan_stream(io.BytesIO(cp), "cp1252", chunk_bytes=chunk_bytes).decode_error
    assert bad is not None and bad.line == 4 and bad.byte == len(cp) - 1


# The property: what `csv_bytes` writes, the reader gives back, on the lines a person would count.

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@st.composite
def _csv_cases(draw: st.DrawFn) -> tuple[bytes, str, list[str], list[list[str]], list[int], int]:
    line_end = draw(st.sampled_from(["\n", "\r\n"]))
    # csv.writer quotes a lone CR only when the line end holds one; with LF it would end the record.
    alphabet = list(';" \nåxA\t') + (["\r"] if line_end == "\r\n" else [])
    value = st.text(st.sampled_from(alphabet), max_size=5)
    width = draw(st.integers(1, 4))
    header = [f"c{i}" for i in range(width)]
    rows = draw(st.lists(
        st.integers(max(1, width - 1), width + 1).flatmap(lambda n: st.lists(value, min_size=n, max_size=n)),
        max_size=6))
    codec = draw(st.sampled_from(["utf-8", "cp1252"]))
    bom = codec == "utf-8" and draw(st.booleans())
    blanks = draw(st.lists(st.integers(0, 2), min_size=len(rows) + 1, max_size=len(rows) + 1))
    final_end = draw(st.booleans())
    texts = [csv_bytes(record, [], line_end=line_end).decode() for record in [header, *rows]]
    if not final_end:
        texts[-1] = texts[-1][: -len(line_end)]
    # The slow reference: count line breaks record by record.
    text, line, starts = "", 1, []
    for record_text, blank in zip(texts, blanks, strict=True):
        text += line_end * blank + record_text
        line += blank
        starts.append(line)
        line += len(_LINE_BREAK.findall(record_text))
    data = (b"\xef\xbb\xbf" if bom else b"") + text.encode(codec)
    chunk = draw(st.one_of(st.integers(1, 64), st.just(1 << 24)))
    return data, codec, header, rows, starts, chunk


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_csv_cases())
def test_written_tables_read_back_on_the_right_lines(
        case: tuple[bytes, str, list[str], list[list[str]], list[int], int]) -> None:
    data, codec, header, rows, starts, chunk = case
    width = len(header)
    scan, table = _read(data, codec, chunk)
    assert scan.decode_error is None and scan.regular
    assert scan.header == header and scan.header_line == starts[0]
    assert scan.rows == len(rows)
    assert table.lines.to_pylist() == starts[1:]
    assert _rows(table) == [(r + [""] * width)[:width] for r in rows]
    assert table.extra.to_pylist() == [json.dumps(r[width:], ensure_ascii=False) if len(r) > width else None
                                       for r in rows]
    # The fallback for irregular files reads the same records on the same lines.
    python = list(python_records(lambda: io.BytesIO(data), codec))
    assert python == list(zip(starts, [header, *rows], strict=True))


def _in_parts(data: bytes, codec: str, chunk: int, part_bytes: int) -> tuple[CsvScan, list[CsvTable]]:
    scan = scan_file(lambda: io.BytesIO(data), codec, chunk_bytes=chunk, part_bytes=part_bytes)
    return scan, list(read_parts(scan, lambda: io.BytesIO(data), codec))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_csv_cases(), st.integers(1, 40))
def test_a_file_read_in_parts_gives_the_same_rows_on_the_same_lines(
        case: tuple[bytes, str, list[str], list[list[str]], list[int], int], part_bytes: int) -> None:
    data, codec, _header, _rows_written, _starts, chunk = case
    whole = _read(data, codec, chunk)[1]
    scan, parts = _in_parts(data, codec, chunk, part_bytes)
    assert len(parts) == scan.cut_rows.size + 1
    assert [line for part in parts for line in part.lines.to_pylist()] == whole.lines.to_pylist()
    assert [row for part in parts for row in _rows(part)] == _rows(whole)
    assert [e for part in parts for e in part.extra.to_pylist()] == whole.extra.to_pylist()
    assert all(part.header == whole.header for part in parts)


def test_parts_are_cut_where_a_record_starts_even_inside_multi_line_records() -> None:
    rows = [["1", "a\r\nb"], ["2"], ["3", "x", "surplus"], ["4", '"\n"'], ["5", ""]]
    data = b"\r\n" + csv_bytes(["id", "text"], rows, line_end="\r\n") + b"\r\n\r\n"
    whole = _read(data)[1]
    scan, parts = _in_parts(data, "utf-8", 1 << 24, 1)
    assert scan.cut_rows.tolist() == [1, 2, 3, 4]  # the header and the first record make the first part
    assert [part.lines.to_pylist() for part in parts] == [[3], [5], [6], [7], [9]]
    assert [row for part in parts for row in _rows(part)] == _rows(whole) == [
        ["1", "a\r\nb"], ["2", ""], ["3", "x"], ["4", '"\n"'], ["5", ""]]
    assert parts[2].extra.to_pylist() == ['["surplus"]']
    # One part when the file is smaller than a part, and for a file of irregular quoting.
    assert len(_in_parts(data, "utf-8", 1 << 24, 1 << 20)[1]) == 1
    assert len(_in_parts(b'a;b\n1;x"y\n2;z\n', "utf-8", 1 << 24, 1)[1]) == 1


def test_a_part_pyarrow_disagrees_on_is_read_with_pythons_csv_module(monkeypatch: pytest.MonkeyPatch) -> None:
    import bbic_core.validation.csv_table as csv_table

    def disagree(*_args: object, **_kwargs: object) -> None:
        raise csv_table.ScanMismatch("forced")

    data = csv_bytes(["a", "b"], [["1", "x\ny"], ["2"], ["3", "z"]])
    whole = _read(data)[1]
    monkeypatch.setattr(csv_table, "_pyarrow_good_rows", disagree)
    _scan, parts = _in_parts(data, "utf-8", 1 << 24, 1)
    assert [row for part in parts for row in _rows(part)] == _rows(whole)
    assert [line for part in parts for line in part.lines.to_pylist()] == whole.lines.to_pylist() == [2, 4, 5]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([";", '"', '""', "\n", "\r\n", "\r", "a", " ", "å"]), max_size=30),
       st.one_of(st.integers(1, 16), st.just(1 << 24)))
def test_any_text_reads_like_pythons_csv_module(tokens: list[str], chunk: int) -> None:
    data = ("h1;h2\n" + "".join(tokens)).encode()
    scan, table = _read(data, "utf-8", chunk)
    expected = list(python_records(lambda: io.BytesIO(data), "utf-8"))
    assert scan.header == expected[0][1] == ["h1", "h2"]
    assert scan.rows == len(expected) - 1
    assert list(zip(table.lines.to_pylist(), _rows(table), strict=True)) == [
        (line, [*fields, "", ""][:2]) for line, fields in expected[1:]]
    assert table.extra.to_pylist() == [json.dumps(f[2:], ensure_ascii=False) if len(f) > 2 else None
                                       for _, f in expected[1:]]


@pytest.mark.parametrize("interleave_max", [0, 10_000])
def test_many_or_few_wrong_rows_are_spliced_alike(monkeypatch: pytest.MonkeyPatch,
                                                   interleave_max: int) -> None:
    import bbic_core.validation.csv_table as csv_table

    monkeypatch.setattr(csv_table, "_INTERLEAVE_MAX", interleave_max)
    rows = [[str(i), "x", "y"] if i % 3 else [str(i)] if i % 2 else [str(i), "x", "y", "z;"]
            for i in range(40)]
    scan, table = _read(csv_bytes(["a", "b", "c"], rows), chunk_bytes=17)
    assert scan.bad_index.size == 14
    assert _rows(table) == [[*r, "", ""][:3] for r in rows]
    assert table.extra.to_pylist() == [json.dumps(r[3:]) if len(r) > 3 else None for r in rows]
    assert table.lines.to_pylist() == list(range(2, 42))


def test_an_unclosed_quote_in_the_header_keeps_memory_bounded() -> None:
    data = b'a;"b\n' + b"1;2\n" * 400_000
    scan, _ = _read(data, chunk_bytes=1 << 16)
    assert scan.rows == 0 and scan.header is not None
    assert scan.header[0] == "a" and len(scan.header[1]) < (1 << 20)


def test_fields_over_the_csv_modules_default_limit_are_read() -> None:
    big = "x;" * 100_000
    data = csv_bytes(["a", "b"], [["1", big, "long row"], ["2"]])
    _, table = _read(data)
    assert _rows(table) == [["1", big], ["2", ""]]
    _, table = _read(data.replace(b"\n2\n", b'\n2;a"b\n'))  # irregular: read by the csv module
    assert _rows(table) == [["1", big], ["2", 'a"b']]
