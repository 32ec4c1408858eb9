"""SHA-256 of files and streams as the manifest lists them."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

from bbic_core.checksums import sha256_file, sha256_stream

# FIPS 180-2, appendix B.1: SHA-256("abc").
ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_sha256_of_a_file_and_a_stream_match_the_published_values(tmp_path: Path) -> None:
    path = tmp_path / "barn.csv"
    path.write_bytes(b"abc")
    assert sha256_file(path) == ABC
    assert sha256_stream(io.BytesIO(b"abc")) == ABC
    (tmp_path / "empty.csv").write_bytes(b"")
    assert sha256_file(tmp_path / "empty.csv") == EMPTY


def test_a_file_larger_than_one_chunk_is_hashed_whole(tmp_path: Path) -> None:
    data = bytes(range(256)) * 9_000  # ~2.3 MB: three reads of 1 MiB, the last one partial
    path = tmp_path / "big.csv"
    path.write_bytes(data)
    assert sha256_file(path) == hashlib.sha256(data).hexdigest()
