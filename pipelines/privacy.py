"""Last line of defence for text the pipeline writes (logs, the load log, Dagster metadata).

The validator never puts a personal number into a message; this redaction catches anything that
looks like one anyway (`bbic_core.personnummer.PERSONAL_NUMBER_IN_TEXT`).
"""

from __future__ import annotations

from bbic_core.personnummer import redact_personal_numbers


def redact(text: str) -> str:
    """`text` with every run that could be a personal number replaced by `***`, on one line."""
    return redact_personal_numbers(text).replace("\r", " ").replace("\n", " ")
