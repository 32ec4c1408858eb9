"""Reading a screenshot: is the page painted, and are the charts' bars on it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from PIL import Image


def pixels(png: Path) -> NDArray[np.uint8]:
    with Image.open(png) as image:
        return np.asarray(image.convert("RGB"))


def distinct_colours(rgb: NDArray[np.uint8]) -> int:
    """Distinct colours among every other pixel of every other row (plenty to tell a blank page)."""
    sample = rgb[::2, ::2].astype(np.uint32)
    return int(np.unique((sample[..., 0] << 16) | (sample[..., 1] << 8) | sample[..., 2]).size)


def ink_share(rgb: NDArray[np.uint8]) -> float:
    """The share of pixels that are not (nearly) white."""
    return float((rgb[::2, ::2].min(axis=2) < 240).mean())


def solid_blocks(rgb: NDArray[np.uint8], colour: str, size: int) -> int:
    """How many `size`×`size` squares are painted entirely in `colour` (`#rrggbb`): chart bars are;
    text, table rules and headings in the same colour never are."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    mask = (rgb[..., 0] == r) & (rgb[..., 1] == g) & (rgb[..., 2] == b)
    rows = _runs(mask, size)  # `size` in a row, then `size` such starts in a column
    return int(_runs(rows.T, size).sum())


def _runs(mask: NDArray[np.bool_], size: int) -> NDArray[np.bool_]:
    """Where a run of `size` true values starts along each row."""
    counts = np.zeros((mask.shape[0], mask.shape[1] + 1), dtype=np.int32)
    np.cumsum(mask, axis=1, dtype=np.int32, out=counts[:, 1:])
    starts: NDArray[np.bool_] = (counts[:, size:] - counts[:, :-size]) == size
    return starts
