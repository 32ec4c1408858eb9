"""The roles of portal.md: `samordnare`, `stadsdel:<code>`, `natverk:<code>`, `lasare`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

RoleKind = Literal["samordnare", "stadsdel", "natverk", "lasare"]
_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


class RoleError(ValueError):
    pass


@dataclass(frozen=True, slots=True, order=True)
class Role:
    kind: RoleKind
    code: str = ""

    def __str__(self) -> str:
        return f"{self.kind}:{self.code}" if self.code else self.kind


def parse_role(text: str) -> Role:
    value = text.strip()
    if value == "samordnare":
        return Role("samordnare")
    if value in ("lasare", "läsare"):
        return Role("lasare")
    kind, sep, code = value.partition(":")
    if sep and kind in ("stadsdel", "natverk") and _CODE.match(code):
        return Role("stadsdel" if kind == "stadsdel" else "natverk", code)
    raise RoleError(f"unknown role {text!r}: write samordnare, lasare, stadsdel:<code> or natverk:<code>")


def parse_roles(texts: list[str] | tuple[str, ...]) -> tuple[Role, ...]:
    return tuple(sorted({parse_role(t) for t in texts}))


ROLE_LABELS = {
    "samordnare": "BBIC-samordnare",
    "stadsdel": "Stadsdel",
    "natverk": "Nätverk",
    "lasare": "Läsare",
}


def role_label(role: Role) -> str:
    return f"{ROLE_LABELS[role.kind]} {role.code}".strip()
