"""Keyed pseudonyms for personal numbers: HMAC-SHA-256 of the normalised 12-digit number.

The key never lives in the repository or the database: it comes from `BBIC_PSEUDONYM_KEY`
(the key itself, at least 32 characters) or from a file named by `BBIC_PSEUDONYM_KEY_FILE`.
Only the built-in sample data may run with a generated demo key.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from bbic_core import personnummer

__all__ = [
    "ENV_KEY",
    "ENV_KEY_FILE",
    "MAX_KEY_FILE_BYTES",
    "MIN_KEY_BYTES",
    "PSEUDONYM_PREFIX",
    "KeyMissingError",
    "Pseudonymiser",
    "load_key",
    "read_key_file",
]

ENV_KEY = "BBIC_PSEUDONYM_KEY"
ENV_KEY_FILE = "BBIC_PSEUDONYM_KEY_FILE"
MIN_KEY_BYTES = 32
MAX_KEY_FILE_BYTES = 4096  # a key file is read only this far (`/dev/zero` or a log file is no key)
PSEUDONYM_PREFIX = "p_"
_BLOCK = 64  # SHA-256 block size: HMAC pads (or first hashes) the key to it
# What a private connection may hold: the distinct numbers of a nation's ten-year export take some 100 MB.
PRIVATE_MEMORY_LIMIT = "1GB"


def pseudonym_sql(value: str) -> str:
    """SQL for the pseudonym of the text `value` (an SQL expression): HMAC-SHA-256 (RFC 2104) from
    DuckDB's `sha256` over the key's outer pad and the inner hash, byte for byte `Pseudonymiser.pseudonym`.

    The pads are bound parameters (`Pseudonymiser.sql_parameters`): the key is never in SQL text, a
    query plan or a log.
    """
    return (f"'{PSEUDONYM_PREFIX}' || sha256($outer_pad || unhex(sha256($inner_pad || encode({value}))))")


def private_connection(memory_limit: str = PRIVATE_MEMORY_LIMIT) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection that writes no file: no temp directory (nothing is spilled: a
    query that does not fit fails instead), no access to files, both settings locked. Personal numbers
    may enter it; they leave only as pseudonyms."""
    con = duckdb.connect(":memory:", config={"temp_directory": "", "memory_limit": memory_limit})
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    return con


class KeyMissingError(RuntimeError):
    """No pseudonym key is configured, so real data must not be loaded."""


def load_key(environ: Mapping[str, str] | None = None, *, allow_demo: bool = False) -> bytes:
    """The pseudonym key from the environment or its key file.

    With neither set, a fresh random demo key is returned when `allow_demo` (sample data
    only); otherwise `KeyMissingError` says how to configure one.
    """
    env = os.environ if environ is None else environ
    raw = env.get(ENV_KEY, "").strip()
    if raw:
        key = raw.encode("utf-8")
    elif env.get(ENV_KEY_FILE, "").strip():
        key = read_key_file(Path(env[ENV_KEY_FILE].strip()))
    elif allow_demo:
        return secrets.token_bytes(MIN_KEY_BYTES)
    else:
        raise KeyMissingError(
            f"no pseudonym key: set {ENV_KEY} (at least {MIN_KEY_BYTES} characters) or {ENV_KEY_FILE} "
            "(a file readable only by the pipeline's user); real data is refused without one"
        )
    if len(key) < MIN_KEY_BYTES:
        raise KeyMissingError(f"the pseudonym key is shorter than {MIN_KEY_BYTES} bytes")
    return key


def read_key_file(path: Path) -> bytes:
    """The key in `path`: a regular file that only its owner may read, of at most 4 KiB.

    A key file that others can read is refused (whoever reads it can re-identify every child), as
    is a device, a FIFO or anything large: none of them is a key, and reading one could hang.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise KeyMissingError(f"cannot read the pseudonym key file {path}: {exc.strerror}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise KeyMissingError(f"the pseudonym key file {path} is not a regular file")
        mode = stat.S_IMODE(st.st_mode)
        if mode & 0o077:
            raise KeyMissingError(
                f"the pseudonym key file {path} can be read by others (mode {mode:04o}): "
                f"make it readable by the pipeline's user only (chmod 600 {path})"
            )
        if st.st_size > MAX_KEY_FILE_BYTES:
            raise KeyMissingError(f"the pseudonym key file {path} is larger than {MAX_KEY_FILE_BYTES} bytes")
        data = os.read(fd, MAX_KEY_FILE_BYTES + 1)
    except OSError as exc:
        raise KeyMissingError(f"cannot read the pseudonym key file {path}: {exc.strerror}") from None
    finally:
        os.close(fd)
    if len(data) > MAX_KEY_FILE_BYTES:
        raise KeyMissingError(f"the pseudonym key file {path} is larger than {MAX_KEY_FILE_BYTES} bytes")
    return data.strip()


class Pseudonymiser:
    """Turns a normalised personal number into a stable keyed pseudonym (never reversible without the key)."""

    def __init__(self, key: bytes) -> None:
        if len(key) < MIN_KEY_BYTES:
            raise KeyMissingError(f"the pseudonym key is shorter than {MIN_KEY_BYTES} bytes")
        self._key = key

    def __repr__(self) -> str:  # the key must not end up in logs
        return "Pseudonymiser(<key hidden>)"

    def fingerprint(self) -> str:
        """Names the key without revealing it: kept with the snapshot, so that a different key (which
        would silently change every pseudonym) is noticed."""
        return hmac.new(self._key, b"bbic pseudonym key fingerprint", hashlib.sha256).hexdigest()[:16]

    def pseudonym(self, normalised: str) -> str:
        """The pseudonym of a number in the contract's form; `-`/`+` forms give the 12-digit form's pseudonym.

        Raises ValueError (without the value: it may be a personal number) for anything else.
        """
        digits = personnummer.normalise(normalised)
        if digits is None:
            raise ValueError("pseudonym() takes 12 digits (a '-' or '+' before the last four allowed)")
        mac = hmac.new(self._key, digits.encode("ascii"), hashlib.sha256).hexdigest()
        return PSEUDONYM_PREFIX + mac

    def pseudonym_of(self, value: str | None) -> str | None:
        """The pseudonym of a valid personal number as written in an export, None when missing or invalid."""
        parsed = personnummer.parse(value)
        return None if parsed is None else self.pseudonym(parsed.normalised)

    def _pad_bytes(self) -> tuple[bytes, bytes]:
        """The key's inner and outer pads (HMAC, RFC 2104)."""
        key = hashlib.sha256(self._key).digest() if len(self._key) > _BLOCK else self._key
        key = key.ljust(_BLOCK, b"\0")
        return bytes(k ^ 0x36 for k in key), bytes(k ^ 0x5C for k in key)

    def _pads(self) -> tuple[Any, Any]:
        """SHA-256 states after the inner and outer padded key, reused for every value."""
        inner, outer = self._pad_bytes()
        return hashlib.sha256(inner), hashlib.sha256(outer)

    def sql_parameters(self) -> dict[str, bytes]:
        """The parameters of `pseudonym_sql`, to bind (never to format into SQL text)."""
        inner, outer = self._pad_bytes()
        return {"inner_pad": inner, "outer_pad": outer}

    def pseudonymise_array(self, normalised: pa.Array | pa.ChunkedArray) -> pa.Array:
        """Pseudonyms of a string array of normalised numbers; nulls stay null.

        Each distinct value is hashed once (the same HMAC-SHA-256 as `pseudonym`, from precomputed
        key states: a child's number recurs, and re-keying per value was most of the cost). Python's
        hashlib, not `pseudonym_sql`: for two million numbers it takes 2.8 core-seconds, DuckDB's
        `sha256` 4.2–4.6 (bench/results.md, "The load path").
        """
        values = normalised.combine_chunks() if isinstance(normalised, pa.ChunkedArray) else normalised
        values = values.cast(pa.string())
        if len(values) == 0:
            return pa.array([], pa.string())
        encoded = pc.dictionary_encode(values)
        inner, outer = self._pads()
        inner_copy, outer_copy = inner.copy, outer.copy
        out: list[str] = []
        for value in encoded.dictionary.to_pylist():
            h = inner_copy()
            h.update(value.encode("ascii"))
            o = outer_copy()
            o.update(h.digest())
            out.append(PSEUDONYM_PREFIX + o.hexdigest())
        return pc.take(pa.array(out, pa.string()), encoded.indices)
