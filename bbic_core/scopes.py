"""Where and when a report looks: the scope (district, network, municipality) and the period.

Below both the register (which answers which districts a scope covers) and the figures (which are
computed for a scope and a period), so neither reaches into the other for them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

__all__ = ["Period", "Scope", "ScopeError", "ScopeLevel"]


class ScopeLevel(StrEnum):
    DISTRICT = "stadsdel"
    NETWORK = "natverk"
    MUNICIPALITY = "kommun"


class ScopeError(ValueError):
    """A scope written in a way no register code answers to (the message lists what is known)."""


class _Coded(Protocol):
    @property
    def code(self) -> str: ...


class _ScopeRegister(Protocol):
    """What `Scope.parse` needs of the register (bbic_core.register imports this module)."""

    @property
    def municipality(self) -> _Coded: ...

    @property
    def networks(self) -> Iterable[_Coded]: ...

    @property
    def districts(self) -> Iterable[_Coded]: ...


MUNICIPALITY_WORDS = frozenset({"kommun", "kommunen"})


@dataclass(frozen=True, slots=True)
class Scope:
    level: ScopeLevel
    code: str  # district code, network code, or the municipality code

    def __str__(self) -> str:
        return f"{self.level.value}:{self.code}"

    @classmethod
    def parse(cls, text: str, register: _ScopeRegister) -> Scope:
        """The one scope grammar (command line, pipeline settings, portal): `kommun`, `kommunen` or the
        municipality code; a network or district code; or the written form `kommun:0180`,
        `natverk:<code>`, `stadsdel:<code>`. Codes are matched exactly; ScopeError otherwise."""
        value = text.strip()
        level_text, sep, code = value.partition(":")
        municipality = register.municipality.code
        networks = [n.code for n in register.networks]
        districts = [d.code for d in register.districts]
        if sep:
            level_text, code = level_text.strip().lower(), code.strip()
            levels = {lv.value: lv for lv in ScopeLevel}
            level = levels.get(level_text)
            known = {ScopeLevel.MUNICIPALITY: [municipality], ScopeLevel.NETWORK: networks,
                     ScopeLevel.DISTRICT: districts}
            if level is not None and code in known[level]:
                return cls(level, code)
        else:
            if value.lower() in MUNICIPALITY_WORDS or value == municipality:
                return cls(ScopeLevel.MUNICIPALITY, municipality)
            if value in networks:
                return cls(ScopeLevel.NETWORK, value)
            if value in districts:
                return cls(ScopeLevel.DISTRICT, value)
        raise ScopeError(
            f"unknown scope {text!r}: write 'kommun' (or {municipality}), a network "
            f"({', '.join(networks) or 'none'}) or a district ({', '.join(districts) or 'none'}), "
            f"alone or as kommun:<code>, natverk:<code>, stadsdel:<code>"
        )


@dataclass(frozen=True, slots=True)
class Period:
    start: dt.date  # `from`, included
    end: dt.date  # `to`, included
