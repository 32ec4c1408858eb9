"""SHA-256 of a file or a stream, as the manifest lists it (lower-case hex), read in chunks."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import IO

_CHUNK = 1 << 20


def sha256_stream(fh: IO[bytes]) -> str:
    digest = hashlib.sha256()
    while chunk := fh.read(_CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def sha256_file(path: Path) -> str:
    with path.open("rb") as fh:
        return sha256_stream(fh)
