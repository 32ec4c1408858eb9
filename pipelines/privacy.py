"""Last line of defence for text the pipeline writes (logs, the load log, Dagster metadata).

The validator never puts a personal number into a message; this redaction catches anything that
looks like one anyway (ten or more digits, a `-`/`+` allowed before the last four).
"""

from __future__ import annotations

import re

_LONG_NUMBER = re.compile(r"(?<![0-9])[0-9]{6,8}[-+]?[0-9]{4}(?![0-9])")


def redact(text: str) -> str:
    """`text` with every run that could be a personal number replaced by `***`, on one line."""
    return _LONG_NUMBER.sub("***", text).replace("\r", " ").replace("\n", " ")
