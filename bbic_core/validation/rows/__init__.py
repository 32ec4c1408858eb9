"""The row-level rules of the export contract (V001–V050), set-based in DuckDB.

One module per rule or tightly related group: `values` (V001–V003, V006), `keys` (V004, V004W),
`references` (V005 and its cascade, V015, V016), `personnummer_rules` (V010–V014), `dates`
(V020–V024), `content` (V030–V037), `columns` (V050). `engine.validate_rows` runs them all.
"""

from bbic_core.validation.rows.engine import FileCounts, validate_rows
from bbic_core.validation.rows.inputs import RawFileLike
from bbic_core.validation.rows.row_context import RowContext

__all__ = ["FileCounts", "RawFileLike", "RowContext", "validate_rows"]
