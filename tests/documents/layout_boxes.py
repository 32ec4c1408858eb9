"""What WeasyPrint laid out: boxes past the page's right edge, and words broken inside a table header.

Both read the layout boxes of the printed document (`HTML(...).render()`), so they see what the PDF
shows, not what the HTML asks for.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

SHY = "\u00ad"


@lru_cache(maxsize=2)  # overflow() and broken_header_words() of one page lay it out once
def _pages(html: str) -> list[Any]:
    from weasyprint import HTML

    return list(HTML(string=html).render().pages)


def _descendants(box: Any) -> Iterator[Any]:
    stack = list(getattr(box, "children", []))
    while stack:
        child = stack.pop()
        yield child
        stack.extend(getattr(child, "children", []))


def overflow(html: str) -> list[str]:
    """Boxes that reach past the right edge of the printed page's content area."""
    late = []
    for number, page in enumerate(_pages(html), start=1):
        box = page._page_box
        right = box.content_box_x() + box.width
        for child in _descendants(box):
            edge = child.position_x + child.margin_width()
            if edge > right + 0.5:
                text = getattr(child, "text", "")
                late.append(f"page {number}: {type(child).__name__} {text!r} ends at {edge:.0f} "
                            f"> {right:.0f}")
    return late


def _line_texts(cell: Any) -> list[str]:
    lines = []
    for child in _descendants(cell):
        if type(child).__name__ == "LineBox":
            lines.append("".join(getattr(b, "text", "") for b in _descendants(child)
                                 if type(b).__name__ == "TextBox"))
    return lines


def broken_header_words(html: str) -> list[str]:
    """Column headers (`th` in a `thead`) whose printed lines split a word that is not hyphenated:
    "Omfattnin" + "g" is a fault, "Hägersten-" + "Liljeholmen" is not."""
    faults = []
    for page in _pages(html):
        for group in _descendants(page._page_box):
            if type(group).__name__ != "TableRowGroupBox" or not getattr(group, "is_header", False):
                continue
            for row in group.children:
                for cell in row.children:
                    whole = " ".join(cell.element.itertext()) if cell.element is not None else ""
                    faults += [f"{whole!r}: printed {line!r}" for line in _line_texts(cell)
                               for word in line.split() if not _proper_piece(word, whole.split())]
    return faults


def _proper_piece(printed: str, words: list[str]) -> bool:
    """`printed` is a whole word, or a run of one cut only where a break is allowed: after a hyphen,
    or at a soft hyphen (which prints as a hyphen at the line's end)."""
    piece = printed.replace(SHY, "")
    if piece.endswith(("\u2010",)) or (piece.endswith("-") and printed.endswith(SHY + "-")):
        piece = piece[:-1]
    for word in words:
        plain, cuts = "", {0}
        for char in word:
            if char == SHY:
                cuts.add(len(plain))
                continue
            plain += char
            if char == "-":
                cuts.add(len(plain))
        cuts.add(len(plain))
        for start in cuts:
            if plain.startswith(piece, start) and start + len(piece) in cuts:
                return True
    return False
