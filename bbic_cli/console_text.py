"""Untrusted text (export ids, file names, cells, error messages) made fit for the console."""

from __future__ import annotations

import re

# C0, DEL, C1 and the bidi controls that could reorder what the operator reads
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def plain(text: object) -> str:
    """Every control character escaped (`\\x1b`, `\\u202e`), so it is shown and never interpreted; print
    the result as `rich.text.Text` (or with markup off) so `[` … `]` stays text too."""

    def escape(match: re.Match[str]) -> str:
        code = ord(match.group())
        return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"

    return UNSAFE.sub(escape, str(text))
