"""Which scopes are published together, and how they link (reports.md, "Disclosure control").

A network's figure is the sum of its districts', the municipality's the sum of its networks' and of
the districts in no network; suppression must hold across every scope published the same day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from bbic_core.register import Register
from bbic_core.scopes import Scope, ScopeLevel


def default_scopes(register: Register, on: dt.date) -> list[Scope]:
    """The municipality, every network and every district in force on `on`."""
    scopes = [Scope(ScopeLevel.MUNICIPALITY, register.municipality.code)]
    scopes += [Scope(ScopeLevel.NETWORK, n.code) for n in register.networks if n.in_force(on)]
    scopes += [Scope(ScopeLevel.DISTRICT, d.code) for d in register.districts_in_force(on)]
    return scopes


def scope_hierarchy(register: Register, scopes: Sequence[Scope], period_end: dt.date) -> dict[str, list[str]]:
    """Parent scope → child scopes among those published: a network holds its districts, the
    municipality its networks and the districts in no network."""
    present = {str(s) for s in scopes}
    out: dict[str, list[str]] = {}
    in_network: set[str] = set()
    networks: list[str] = []
    for scope in scopes:
        if scope.level != ScopeLevel.NETWORK:
            continue
        members = register.districts_for_scope(scope, period_end)
        in_network.update(members)
        networks.append(str(scope))
        out[str(scope)] = [str(Scope(ScopeLevel.DISTRICT, d)) for d in members]
    for scope in scopes:
        if scope.level == ScopeLevel.MUNICIPALITY:
            loose = [str(Scope(ScopeLevel.DISTRICT, d.code)) for d in register.districts
                     if d.code not in in_network]
            out[str(scope)] = [*networks, *loose]
    return {parent: children for parent, children in out.items()
            if parent in present and children}
