"""Normalising on distinct values spreads each value back to its own rows, whatever order DuckDB uses."""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa

from bbic_core import contract
from bbic_core.validation.rows import normalise


def test_many_distinct_values_stay_on_their_rows_without_insertion_order() -> None:
    # The staging connection does not preserve insertion order; beyond about a million rows DuckDB then
    # returns a query's rows in another order. A date column full of distinct junk must still line up.
    con = duckdb.connect(config={"preserve_insertion_order": False, "threads": 2})
    column = contract.BY_TABLE["aktualisering"].column("inkom_datum")
    n = 1_200_000
    raw = np.char.add(np.char.add(" x", np.arange(n).astype(str)), "y ")  # padded: normalising trims
    values = pa.chunked_array([pa.array(raw.tolist(), pa.string())])
    done = normalise._by_distinct_values(con, column, values)
    got = done.values.cast(pa.string()).to_pylist()
    expected = [v.strip(" ") for v in raw.tolist()]
    assert got == expected
    assert done.changed is not None and pa.compute.all(done.changed).as_py()
