"""Machine-readable specs generated from the contract: JSON Schemas and the data dictionary.

`write_specs(out)` writes everything `bbic spec --out DIR` delivers, byte for byte the same on
every run (no timestamps).
"""

from __future__ import annotations

from bbic_core.specs.write import SPEC_FILES, write_specs

__all__ = ["SPEC_FILES", "write_specs"]
