"""A compact columnar table for one export file: numbers until the moment it is written.

Ids are integers with a prefix, dates are day numbers, codes are indices into a label list.
Conversion to Arrow strings happens per chunk in the writer, so sweden-10y stays within memory.
Faults are kept apart from the clean values: `overrides` replace single cells by raw text,
`extra_columns` add unknown columns (V050), `extra_field_rows` get one field too many (V006).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from bbic_core.synth.vdates import NULL_DAY

Ints = npt.NDArray[np.signedinteger[Any]]


@dataclass
class IdCol:
    prefix: str
    width: int
    values: Ints  # the number after the prefix; -1: empty

    def __post_init__(self) -> None:
        self.values = np.asarray(self.values, dtype=np.int32)

    def take(self, idx: npt.NDArray[np.int64]) -> IdCol:
        return IdCol(self.prefix, self.width, self.values[idx])

    def extend(self, idx: npt.NDArray[np.int64]) -> None:
        self.values = np.concatenate([self.values, self.values[idx]])

    def arrow(self, lo: int, hi: int) -> pa.Array:
        v = self.values[lo:hi]
        nums = pa.array(v, pa.int32(), mask=v < 0).cast(pa.string())
        return pc.binary_join_element_wise(self.prefix, pc.utf8_lpad(nums, width=self.width, padding="0"), "")

    def text(self, row: int) -> str:
        v = int(self.values[row])
        return "" if v < 0 else f"{self.prefix}{v:0{self.width}d}"


@dataclass
class DateCol:
    values: npt.NDArray[np.int32]  # NULL_DAY: empty

    def take(self, idx: npt.NDArray[np.int64]) -> DateCol:
        return DateCol(self.values[idx])

    def extend(self, idx: npt.NDArray[np.int64]) -> None:
        self.values = np.concatenate([self.values, self.values[idx]])

    def arrow(self, lo: int, hi: int) -> pa.Array:
        v = self.values[lo:hi]
        return pa.array(v, pa.int32(), mask=v == NULL_DAY).cast(pa.date32())

    def text(self, row: int) -> str:
        v = int(self.values[row])
        return "" if v == NULL_DAY else str(np.datetime64(v, "D"))


@dataclass
class CodeCol:
    labels: tuple[str, ...]
    values: Ints  # index into labels; -1: empty
    _dictionary: pa.Array | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        # Codes take little room: most lists fit int16 indices (a CodeCol of staff ids too).
        self.values = np.asarray(self.values, dtype=np.int16 if len(self.labels) < 32_000 else np.int32)

    def take(self, idx: npt.NDArray[np.int64]) -> CodeCol:
        return CodeCol(self.labels, self.values[idx])

    def extend(self, idx: npt.NDArray[np.int64]) -> None:
        self.values = np.concatenate([self.values, self.values[idx]])

    def arrow(self, lo: int, hi: int) -> pa.Array:
        if self._dictionary is None:
            self._dictionary = pa.array(self.labels, pa.string())
        v = self.values[lo:hi]
        return pc.take(self._dictionary, pa.array(v, mask=v < 0))

    def text(self, row: int) -> str:
        v = int(self.values[row])
        return "" if v < 0 else self.labels[v]


@dataclass
class TextCol:
    values: pa.StringArray

    def take(self, idx: npt.NDArray[np.int64]) -> TextCol:
        taken = self.values.take(pa.array(idx, pa.int64()))
        assert isinstance(taken, pa.StringArray)
        return TextCol(taken)

    def extend(self, idx: npt.NDArray[np.int64]) -> None:
        joined = pa.concat_arrays([self.values, self.take(idx).values])
        assert isinstance(joined, pa.StringArray)
        self.values = joined

    def arrow(self, lo: int, hi: int) -> pa.Array:
        return self.values.slice(lo, hi - lo)

    def text(self, row: int) -> str:
        v = self.values[row].as_py()
        return "" if v is None else str(v)


Col = IdCol | DateCol | CodeCol | TextCol


def codes(labels: tuple[str, ...] | list[str], values: npt.NDArray[np.integer]) -> CodeCol:
    return CodeCol(tuple(labels), np.asarray(values, dtype=np.int32))


def flags(values: npt.NDArray[np.bool_]) -> CodeCol:
    return CodeCol(("N", "J"), np.asarray(values, dtype=np.int32))


@dataclass
class Frame:
    """One file's rows. `child` (barn index per row) lets faults keep to one fault per child."""

    name: str  # the file name, e.g. "barn.csv"
    columns: dict[str, Col]
    child: Ints  # -1 for rows that belong to no child (personal)
    overrides: dict[str, dict[int, str]] = field(default_factory=dict)
    extra_columns: dict[str, dict[int, str]] = field(default_factory=dict)
    extra_field_rows: set[int] = field(default_factory=set)
    blank_line_after: int | None = None  # an empty line is written after this row (0-based)
    crlf: bool = False
    bom: bool = False
    _keys: dict[str, tuple[int, npt.NDArray[np.int64]]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.child = np.asarray(self.child, dtype=np.int32)

    def __len__(self) -> int:
        return len(self.child)

    def append_copies(self, idx: npt.NDArray[np.int64]) -> int:
        """Appends copies of rows `idx` (exact copies until overridden); returns the first new row."""
        first = len(self)
        for col in self.columns.values():
            col.extend(idx)
        self.child = np.concatenate([self.child, self.child[idx]])
        for name, cells in list(self.overrides.items()):
            for k, row in enumerate(idx.tolist()):
                if row in cells:
                    cells[first + k] = cells[row]
            self.overrides[name] = cells
        return first

    def set(self, column: str, row: int, raw: str) -> None:
        self.overrides.setdefault(column, {})[int(row)] = raw

    def text(self, column: str, row: int) -> str:
        """The cell as it will be written (override included)."""
        cells = self.overrides.get(column)
        if cells is not None and row in cells:
            return cells[row]
        return self.columns[column].text(row)

    def arrow(self, lo: int, hi: int) -> pa.Table:
        arrays: list[pa.Array] = []
        names: list[str] = []
        for name, col in self.columns.items():
            arr = col.arrow(lo, hi)
            cells = self.overrides.get(name)
            if cells:
                arr = _apply(arr, cells, self._sorted_rows(name, cells), lo, hi)
            arrays.append(arr)
            names.append(name)
        for name, cells in self.extra_columns.items():
            rows = self._sorted_rows(f"+{name}", cells)
            arrays.append(_apply(pa.nulls(hi - lo, pa.string()), cells, rows, lo, hi))
            names.append(name)
        return pa.Table.from_arrays(arrays, names=names)

    def _sorted_rows(self, key: str, cells: dict[int, str]) -> npt.NDArray[np.int64]:
        # Rows of an override map, sorted, for the many chunks of a large file. Rows are only ever
        # added to a map (never removed), so its size tells whether the cache is still right.
        cached = self._keys.get(key)
        if cached is None or cached[0] != len(cells):
            cached = (len(cells), np.sort(np.fromiter(cells.keys(), dtype=np.int64, count=len(cells))))
            self._keys[key] = cached
        return cached[1]

    def has_line_breaks(self) -> bool:
        """Whether some value written holds a line break (then a row may span several lines)."""
        maps = (*self.overrides.values(), *self.extra_columns.values())
        return any("\n" in v or "\r" in v for cells in maps for v in cells.values())

    def lines(self) -> npt.NDArray[np.int64]:
        """The line (header = 1) where each row starts, as a person sees the file."""
        n = len(self)
        extra = np.zeros(n, dtype=np.int64)
        for cells in (*self.overrides.values(), *self.extra_columns.values()):
            for row, value in cells.items():
                if value and "\n" in value and row + 1 < n:
                    extra[row + 1] += value.count("\n")
        if self.blank_line_after is not None and self.blank_line_after + 1 < n:
            extra[self.blank_line_after + 1] += 1
        return 2 + np.arange(n, dtype=np.int64) + np.cumsum(extra)


def _apply(arr: pa.Array, cells: dict[int, str], keys: npt.NDArray[np.int64], lo: int, hi: int) -> pa.Array:
    rows = keys[np.searchsorted(keys, lo):np.searchsorted(keys, hi)].tolist()
    if not rows:
        return arr
    if arr.type != pa.string():
        arr = arr.cast(pa.string())
    mask = np.zeros(hi - lo, dtype=bool)
    mask[np.asarray(rows) - lo] = True
    # An override of "" is written as an empty (null) field, as Paraply leaves a value out.
    values = pa.array([cells[r] if cells[r] != "" else None for r in rows], pa.string())
    return pc.replace_with_mask(arr, pa.array(mask), values)
