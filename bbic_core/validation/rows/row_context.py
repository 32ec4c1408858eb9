"""What every row rule may read besides the rows: the as-of date and the register's districts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RowContext:
    as_of: dt.date
    districts: frozenset[str] | None  # None: no register, the stadsdel check is skipped
