"""Errors in the coordinator's register, always pointing at the file, the line and the key."""

from __future__ import annotations


class RegisterError(Exception):
    """A register file that cannot be used; `str()` is `FILE:LINE: KEY: message`.

    `line` is None for an error about a whole file (missing, unreadable); `key` is None when no
    single key is at fault (a YAML syntax error). `more` holds further errors found in the same
    pass, so that the coordinator can fix them together.
    """

    def __init__(
        self, file: str, line: int | None, key: str | None, message: str,
        more: tuple[RegisterError, ...] = (),
    ) -> None:
        self.file = file
        self.line = line
        self.key = key
        self.message = message
        self.more = more
        super().__init__(self._format())

    def _format(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"

    def all_errors(self) -> list[RegisterError]:
        """This error and the ones found with it, in file order."""
        return [self, *self.more]


class UnknownCodeError(LookupError):
    """A district, network or municipality code that the register does not hold."""
