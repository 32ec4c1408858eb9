"""Which scopes the marts and reports cover: all of the standard set, or those of `BBIC_REPORT_SCOPES`."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bbic_core.register import Register
    from bbic_core.scopes import Scope


def chosen_scopes(register: Register, as_of: dt.date, wanted: tuple[str, ...] | None) -> list[Scope]:
    """The municipality, every network and district in force at `as_of`; only `wanted` when given.

    `wanted` holds scopes in `Scope.parse`'s grammar (`kommun:0180`, `natverk:vasterort`, `bromma`,
    `kommun`, …); one that is unknown or not in force is an error, so that a typo in the configuration
    does not silently render nothing.
    """
    from bbic_core.figures import default_scopes
    from bbic_core.scopes import Scope, ScopeError

    scopes = default_scopes(register, as_of)
    if not wanted:
        return scopes
    picked: set[Scope] = set()
    unknown: list[str] = []
    for text in wanted:
        try:
            scope = Scope.parse(text, register)
        except ScopeError:
            unknown.append(text)
            continue
        if scope in scopes:
            picked.add(scope)
        else:
            unknown.append(text)
    if unknown:
        raise ValueError(
            f"BBIC_REPORT_SCOPES names unknown scopes: {', '.join(unknown)} "
            f"(known: {', '.join(sorted(str(s) for s in scopes))})"
        )
    return [s for s in scopes if s in picked]
