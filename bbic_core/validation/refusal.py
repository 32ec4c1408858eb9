"""Export-level faults (the X codes): one `Refusal` per fault found, and the order they are reported in.

The contract checks the export in a fixed order (the table in `paraply-export.md`); the first
fault found is the refusal code and the message lists the others, so refusals are always kept
sorted by that order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bbic_core.personnummer import redact_personal_numbers
from bbic_core.rules import EXPORT_RULE_ORDER

_SHOW_MAX = 40


@dataclass(frozen=True)
class Refusal:
    """One export-level fault."""

    code: str  # "X001" …
    message: str  # one line, names the file and what is wrong; never a personal number
    file: str | None = None
    line: int | None = None


def sort_refusals(refusals: Iterable[Refusal]) -> list[Refusal]:
    """Refusals in the contract's order of checks (the rule catalogue's order of X codes); within one
    code, the order they were found."""
    rank = {code: i for i, code in enumerate(EXPORT_RULE_ORDER)}
    return sorted(refusals, key=lambda r: rank.get(r.code, len(rank)))


def safe_text(text: str) -> str:
    """Free text from the export or the system (a file name, an error) made fit for a one-line message:
    line breaks become spaces, runs that could be a personal number become `***`; nothing is cut."""
    return redact_personal_numbers(text.replace("\r", " ").replace("\n", " "))


def show(value: object) -> str:
    """A value from the export made safe for a one-line message: short, one line, no long digit runs."""
    text = safe_text(repr(value) if not isinstance(value, str) else value)
    if len(text) > _SHOW_MAX:
        text = text[: _SHOW_MAX - 1] + "…"
    return f"'{text}'" if isinstance(value, str) else text
