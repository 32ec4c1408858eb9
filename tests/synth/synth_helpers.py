"""Reading the generated CSV files in tests, independently of the validator."""

from __future__ import annotations

import csv
import io
from pathlib import Path


def read_rows(path: Path, encoding: str = "utf-8") -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows of an export CSV (quoted line breaks and a BOM handled, empty lines skipped)."""
    text = path.read_bytes().decode("utf-8-sig" if encoding == "utf-8" else "cp1252")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    header = next(reader)
    rows = [dict(zip(header, r, strict=False)) for r in reader if r]
    return header, rows
