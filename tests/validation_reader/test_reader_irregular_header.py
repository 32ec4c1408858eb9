"""A stray quote before a line end in the header used to crash the scan (csv.Error) instead of reading on."""

from __future__ import annotations

import io

import pytest

from bbic_core.validation.csv_scan import python_records, scan_file


@pytest.mark.parametrize("data", [b'a"\rb;c\n1;2\n', b'h"\r\n1\n', b'x"y\r"\n'])
def test_irregular_quote_before_a_line_end_in_the_header_is_read_like_pythons_csv(data: bytes) -> None:
    scan = scan_file(lambda: io.BytesIO(data), "utf-8")
    expected = list(python_records(lambda: io.BytesIO(data), "utf-8"))
    assert not scan.regular
    assert scan.header == expected[0][1]
    assert scan.rows == len(expected) - 1
