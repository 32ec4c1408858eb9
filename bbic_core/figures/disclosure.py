"""Disclosure control for published reports (reports.md, "Disclosure control").

`apply_disclosure` works on every figure published the same day at once (the districts,
networks and municipality of one report and period), because the tables link: a network's
count is the sum of its districts', the municipality's the sum of all of them.

- Primary suppression: a count `1 ≤ n < k` becomes `..`; zero is shown. A share is `..` when its
  denominator is `< k`, or its numerator or `denominator − numerator` is in `1..k−1`; a median when
  its n is `< k`. A suppressed share or median also hides its numerator and denominator.
- Secondary suppression: every *line* is a sum relation between visible and hidden cells: a row
  or a column of a measure's breakdown cross-table with its margin (a cell whose dimension is
  `ALL` is the sum of the cells naming each value), the cells of one full breakdown against the
  grand total (B4.placeringar lists only the pairs that occur), a monthly or duration series
  against its report total, and the scope hierarchy (a parent scope's cell is the sum of its
  children's). While some line holds exactly one hidden cell, the smallest non-zero visible cell
  of that line is hidden too, so that no hidden cell can be recomputed by subtraction.
  Numerators and denominators of shares and the n of medians add up across scopes like counts
  and take part in the scope lines.
- The licence check lists no user ids (`C4.utan_utbildning` rows with `handlaggare_id=`); its
  other figures describe staff and the organisation, not children, and stay as they are.

The result does not depend on the order of the input figures.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Literal

from bbic_core.figures.figure import SUPPRESSED, Figure
from bbic_core.scopes import ScopeLevel

ALL = "ALL"
DEFAULT_K = 5

Kind = Literal["count", "share", "median", "other"]
Part = Literal["value", "numerator", "denominator"]
GroupKey = tuple[str, str, str, str, str]  # report, period_from, period_to, as_of, measure
Key = frozenset[tuple[str, str]]  # a breakdown without its ALL pairs: `grupp=ALL&kon=1` ≡ `kon=1`
CellId = tuple[GroupKey, Part, str, Key]  # (group, part, scope, key)
Line = frozenset[CellId]

# A series whose cells add up to a total figure of another measure of the same report.
LINKED_TOTALS: Mapping[str, tuple[str, str]] = {
    "A1.aktualiseringar_manad": ("A1.aktualiseringar", "typ=ALL"),
    "A4.utr_inledda_manad": ("A4.utr_inledda", ALL),
    "A5.utr_tid_fordelning": ("A4.utr_avslutade", ALL),
}
LICENCE_REPORT = "licens"
USER_ID_KEY = "handlaggare_id"

_INT = re.compile(r"\d+")


def apply_disclosure(figures: Sequence[Figure], k: int = DEFAULT_K, *,
                     hierarchy: Mapping[str, Sequence[str]] | None = None) -> list[Figure]:
    """The figures as a published report may show them.

    `hierarchy` maps a parent scope (as the figures' `scope` column writes it) to its children;
    by default the municipality (`kommun:…`) is the sum of every district (`stadsdel:…`) present,
    and networks are linked only when `hierarchy` names them.
    """
    if k < 1:
        raise ValueError("the disclosure threshold k must be at least 1")
    kept = [f for f in figures if not (f.report == LICENCE_REPORT and _names_user(f.breakdown))]
    state = _State(kept, k)
    state.primary()
    state.build_lines(hierarchy if hierarchy is not None else default_hierarchy(f.scope for f in kept))
    state.secondary()
    return state.result()


def default_hierarchy(scopes: Iterable[str]) -> dict[str, list[str]]:
    """The municipality is the sum of every district (register.md: it covers every district)."""
    present = sorted(set(scopes))
    municipalities = [s for s in present if s.startswith(f"{ScopeLevel.MUNICIPALITY.value}:")]
    districts = [s for s in present if s.startswith(f"{ScopeLevel.DISTRICT.value}:")]
    return {m: districts for m in municipalities if districts}


def _names_user(breakdown: str) -> bool:
    return any(part.partition("=")[0] == USER_ID_KEY for part in breakdown.split("&"))


def _kind(figure: Figure) -> Kind:
    if figure.report == LICENCE_REPORT:
        return "other"
    if figure.numerator != "" and figure.denominator != "":
        return "share"
    if figure.denominator != "":
        return "median"
    if _INT.fullmatch(figure.value) or figure.value == SUPPRESSED:
        return "count"
    return "other"


def _number(text: str) -> int | None:
    """A count as an int; None for an already suppressed or empty field."""
    return int(text) if _INT.fullmatch(text) else None


def _key(breakdown: str) -> Key:
    if breakdown in ("", ALL):
        return frozenset()
    pairs = (part.partition("=") for part in breakdown.split("&"))
    return frozenset((name, value) for name, _, value in pairs if value != ALL)


def _share_hidden(num: int | None, den: int | None, k: int) -> bool:
    """A share is `..` when its denominator is < k, or its numerator or denominator − numerator is in
    1..k−1; a share of nothing (denominator 0) stays empty and shown."""
    if num is None or den is None:
        return True
    return den >= 1 and (den < k or 1 <= num < k or 1 <= den - num < k)


def _sort_key(cell: CellId) -> tuple[GroupKey, str, str, tuple[tuple[str, str], ...]]:
    group, part, scope, key = cell
    return group, part, scope, tuple(sorted(key))


class _State:
    def __init__(self, figures: list[Figure], k: int) -> None:
        self.figures = figures
        self.k = k
        self.kinds = [_kind(f) for f in figures]
        self.hidden: set[int] = set()
        self.cells: dict[CellId, tuple[int | None, int]] = {}  # cell → (count, figure index)
        self.figure_cells: dict[int, list[CellId]] = {}
        for i, (figure, kind) in enumerate(zip(figures, self.kinds, strict=True)):
            if kind == "other":
                continue
            group = (figure.report, figure.period_from.isoformat(), figure.period_to.isoformat(),
                     figure.as_of.isoformat(), figure.measure)
            key = _key(figure.breakdown)
            parts: list[tuple[Part, str]]
            if kind == "count":
                parts = [("value", figure.value)]
            elif kind == "share":
                parts = [("numerator", figure.numerator), ("denominator", figure.denominator)]
            else:
                parts = [("denominator", figure.denominator)]
            for part, text in parts:
                cell: CellId = (group, part, figure.scope, key)
                self.cells[cell] = (_number(text), i)
                self.figure_cells.setdefault(i, []).append(cell)
            if figure.value == SUPPRESSED:
                self.hidden.add(i)  # already hidden upstream: keep it so
        self.lines: list[tuple[CellId, ...]] = []

    # --- primary suppression ------------------------------------------------------------------------

    def primary(self) -> None:
        k = self.k
        for i, (figure, kind) in enumerate(zip(self.figures, self.kinds, strict=True)):
            if kind == "count":
                n = _number(figure.value)
                if n is not None and 1 <= n < k:
                    self.hidden.add(i)
            elif kind == "share":
                num, den = _number(figure.numerator), _number(figure.denominator)
                if _share_hidden(num, den, k):
                    self.hidden.add(i)
            elif kind == "median":
                n = _number(figure.denominator)
                if n is None or 1 <= n < k:
                    self.hidden.add(i)

    # --- the lines: sum relations ---------------------------------------------------------------------

    def build_lines(self, hierarchy: Mapping[str, Sequence[str]]) -> None:
        lines: set[Line] = set()
        by_table: dict[tuple[GroupKey, Part, str], set[Key]] = {}
        for group, part, scope, key in self.cells:
            by_table.setdefault((group, part, scope), set()).add(key)
        for (group, part, scope), keys in by_table.items():
            lines.update(self._table_lines(group, part, scope, keys))
        lines.update(self._linked_lines(by_table))
        lines.update(self._scope_lines(by_table, hierarchy))
        self.lines = sorted((tuple(sorted(line, key=_sort_key)) for line in lines if len(line) >= 2),
                            key=lambda line: [_sort_key(c) for c in line])

    def _table_lines(self, group: GroupKey, part: Part, scope: str, keys: set[Key]) -> list[Line]:
        """Rows and columns with their margins; each full breakdown against the grand total."""
        found: list[Line] = []
        along: dict[tuple[Key, str], list[Key]] = {}
        for key in keys:
            for name, value in key:
                along.setdefault((key - {(name, value)}, name), []).append(key)
        for (total, _), members in along.items():
            if total in keys:
                found.append(frozenset((group, part, scope, x) for x in (total, *members)))
        grand: Key = frozenset()
        if grand in keys:
            widths: dict[frozenset[str], list[Key]] = {}
            for key in keys:
                widths.setdefault(frozenset(name for name, _ in key), []).append(key)
            for names, members in widths.items():
                if len(names) >= 2:
                    found.append(frozenset((group, part, scope, x) for x in (grand, *members)))
        return found

    def _linked_lines(self, by_table: Mapping[tuple[GroupKey, Part, str], set[Key]]) -> list[Line]:
        found: list[Line] = []
        for (group, part, scope), keys in by_table.items():
            link = LINKED_TOTALS.get(group[4])
            if link is None or part != "value":
                continue
            total_group: GroupKey = (group[0], group[1], group[2], group[3], link[0])
            total: CellId = (total_group, "value", scope, _key(link[1]))
            if total in self.cells:
                found.append(frozenset({total, *((group, part, scope, key) for key in keys if key)}))
        return found

    def _scope_lines(self, by_table: Mapping[tuple[GroupKey, Part, str], set[Key]],
                     hierarchy: Mapping[str, Sequence[str]]) -> list[Line]:
        """A parent scope's cell and its children's; a cell a present scope lacks is a known zero."""
        found: list[Line] = []
        tables: dict[tuple[GroupKey, Part], set[str]] = {}
        for group, part, scope in by_table:
            tables.setdefault((group, part), set()).add(scope)
        for (group, part), scopes in tables.items():
            for parent, children in hierarchy.items():
                members = [parent, *children]
                if not children or any(m not in scopes for m in members):
                    continue  # a scope not published: its unknown cells protect the others
                keys = set().union(*(by_table[(group, part, m)] for m in members))
                for key in keys:
                    cells = ((group, part, m, key) for m in members)
                    found.append(frozenset(c for c in cells if c in self.cells))
        return found

    # --- secondary suppression ----------------------------------------------------------------------------

    def _is_hidden(self, cell: CellId) -> bool:
        return self.cells[cell][1] in self.hidden

    def secondary(self) -> None:
        lines_of: dict[CellId, list[int]] = {}
        for n, line in enumerate(self.lines):
            for cell in line:
                lines_of.setdefault(cell, []).append(n)
        queue = deque(range(len(self.lines)))
        queued = set(queue)
        while queue:
            n = queue.popleft()
            queued.discard(n)
            line = self.lines[n]
            if sum(self._is_hidden(c) for c in line) != 1:
                continue
            visible = [c for c in line if not self._is_hidden(c)]
            non_zero = [c for c in visible if (self.cells[c][0] or 0) > 0]
            candidates = non_zero or visible
            if not candidates:
                continue
            pick = min(candidates, key=lambda c: (self.cells[c][0] or 0, _sort_key(c)))
            index = self.cells[pick][1]
            self.hidden.add(index)
            for cell in self.figure_cells[index]:
                for m in lines_of.get(cell, []):
                    if m not in queued:
                        queue.append(m)
                        queued.add(m)
            if n not in queued:  # the line itself may still be short of a second hidden cell
                queue.append(n)
                queued.add(n)

    def result(self) -> list[Figure]:
        out = []
        for i, figure in enumerate(self.figures):
            if i in self.hidden:
                out.append(replace(
                    figure,
                    value=SUPPRESSED,
                    numerator=SUPPRESSED if figure.numerator != "" else "",
                    denominator=SUPPRESSED if figure.denominator != "" else "",
                ))
            else:
                out.append(figure)
        return out
