"""Which scopes the marts and reports cover: all of the standard set, or those of `BBIC_REPORT_SCOPES`."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bbic_core.figures import Scope
    from bbic_core.register import Register


def chosen_scopes(register: Register, as_of: dt.date, wanted: tuple[str, ...] | None) -> list[Scope]:
    """The municipality, every network and district in force at `as_of`; only `wanted` when given.

    `wanted` holds scope strings (`kommun:0180`, `natverk:vasterort`, `stadsdel:bromma`) or bare codes;
    an unknown one is an error, so that a typo in the configuration does not silently render nothing.
    """
    from bbic_core.figures import default_scopes

    scopes = default_scopes(register, as_of)
    if not wanted:
        return scopes
    known = {str(s) for s in scopes} | {s.code for s in scopes}
    unknown = [w for w in wanted if w not in known]
    if unknown:
        raise ValueError(
            f"BBIC_REPORT_SCOPES names unknown scopes: {', '.join(unknown)} "
            f"(known: {', '.join(sorted(str(s) for s in scopes))})"
        )
    return [s for s in scopes if str(s) in wanted or s.code in wanted]
