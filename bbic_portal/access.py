"""Who may read what (portal.md, "Roles"): decided here and nowhere else.

Every route (archive files, zips, reports on demand, pages, downloads, listings) asks
`may_read(roles, resource, register)` and serves what the `Decision` says:

| role | internal | published |
|---|---|---|
| `samordnare` | everything, and the pages Status and Logg | everything |
| `stadsdel:<code>` | reports 1–3 of that district, the licence check included | every scope |
| `natverk:<code>` | reports 1–2 of the network and its districts | every scope |
| `lasare` | nothing | every scope |

A network's or the municipality's internal figures include other districts' small counts, so a
district role asking for them is given the published version (`Decision.mode == "published"`).
The internal licence check names staff ids: only `samordnare` and the district's own role read it;
a network role reads every licence check published (its internal one lists its districts' ids).
Reports 4 and 5 (`jamforelse`, `arsrapport`) always show the network and the municipality beside a
district, so their internal version is the coordinator's alone.
A file that covers several reports (`figures.csv`, a scope's zip) is internal for a user only when
every report in it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from bbic_core.figures import ReportKind
from bbic_core.register import Register
from bbic_core.scopes import Scope, ScopeLevel
from bbic_portal.roles import Role

Mode = Literal["internal", "published"]
ALL_REPORTS = frozenset(ReportKind)
# Reports 4 and 5 set a district beside its network and the municipality (and report 5 holds the
# licence rows of every district in scope): their internal version always shows other scopes' exact
# sums, so only the coordinator reads it; everyone else reads the published one.
SPANS_OTHER_SCOPES = frozenset({ReportKind.JAMFORELSE, ReportKind.ARSRAPPORT})
PAGES_FOR_SAMORDNARE = frozenset({"status", "logg"})
PAGES_FOR_ALL = frozenset({"oversikt", "rapporter", "ny-rapport", "licenskontroll"})


@dataclass(frozen=True)
class Resource:
    """A document (`scope` + `reports` + the `mode` asked for) or a page (`page`)."""

    scope: Scope | None = None
    reports: frozenset[ReportKind] = ALL_REPORTS
    mode: Mode = "internal"
    page: str = ""


@dataclass(frozen=True)
class Decision:
    allowed: bool
    mode: Mode | None = None  # the mode the user gets: "published" when internal was asked but not allowed
    reason: str = ""


REFUSED_NO_ROLE = Decision(False, None, "ingen roll")


def document(scope: Scope, reports: Iterable[ReportKind] = ALL_REPORTS, mode: Mode = "internal") -> Resource:
    return Resource(scope=scope, reports=frozenset(reports), mode=mode)


def page(name: str) -> Resource:
    return Resource(page=name)


def _internal_scopes(role: Role, register: Register) -> set[Scope]:
    if role.kind == "stadsdel":
        return {Scope(ScopeLevel.DISTRICT, role.code)}
    if role.kind == "natverk":
        network = next((n for n in register.networks if n.code == role.code), None)
        if network is None:
            return set()
        return {
            Scope(ScopeLevel.NETWORK, network.code),
            *(Scope(ScopeLevel.DISTRICT, d) for d in network.districts),
        }
    return set()


def may_read_internal(role: Role, scope: Scope, kind: ReportKind, register: Register) -> bool:
    if role.kind == "samordnare":
        return True
    if kind in SPANS_OTHER_SCOPES:
        return False
    if scope not in _internal_scopes(role, register):
        return False
    if kind == ReportKind.LICENS:
        return role.kind == "stadsdel"  # the licence check's staff ids: the district itself only
    return True


def _known_scope(scope: Scope, register: Register) -> bool:
    if scope.level == ScopeLevel.MUNICIPALITY:
        return scope.code == register.municipality.code
    if scope.level == ScopeLevel.NETWORK:
        return any(n.code == scope.code for n in register.networks)
    return any(d.code == scope.code for d in register.districts)


def may_read(roles: Iterable[Role], resource: Resource, register: Register) -> Decision:
    """The one answer to "may this user read this, and in which mode?"."""
    held = tuple(roles)
    if not held:
        return REFUSED_NO_ROLE
    if resource.page:
        if resource.page in PAGES_FOR_SAMORDNARE:
            if any(r.kind == "samordnare" for r in held):
                return Decision(True)
            return Decision(False, None, "sidan är för samordnaren")
        if resource.page in PAGES_FOR_ALL:
            return Decision(True)
        return Decision(False, None, "okänd sida")
    scope = resource.scope
    if scope is None or not _known_scope(scope, register) or not resource.reports:
        return Decision(False, None, "okänt område")
    if resource.mode == "published":
        return Decision(True, "published")
    internal = any(
        all(may_read_internal(role, scope, kind, register) for kind in resource.reports) for role in held
    )
    if internal:
        return Decision(True, "internal")
    return Decision(True, "published", "intern version ej tillåten: publicerad version")
