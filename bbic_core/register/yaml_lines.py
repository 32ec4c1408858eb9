"""YAML to plain Python values, remembering the line of every key and item.

PyYAML's `safe_load` forgets where a value came from; the register's errors must name the
line. So the document is composed into nodes, walked by hand, and each scalar is built by the
SafeLoader's own constructors (dates, nulls, numbers behave exactly as in `safe_load`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from bbic_core.register.errors import RegisterError

Path = tuple[str | int, ...]

# Bounds on what a register file may cost. A register is a few hundred lines; these are far above any
# real one and far below what hurts: PyYAML's nodes take some hundred bytes per byte of input, aliases
# can expand a small file exponentially (billion laughs) or refer to themselves.
MAX_BYTES = 512 * 1024
MAX_DEPTH = 32
MAX_ALIASES = 100
MAX_VALUES = 200_000  # values built, every use of an alias counted again


class _Limit(Exception):
    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


class _BoundedLoader(yaml.SafeLoader):
    """The SafeLoader, counting aliases and nesting while it composes (before anything is expanded)."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.aliases = 0
        self.depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        line = event.start_mark.line + 1 if event.start_mark is not None else None
        if isinstance(event, yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                raise _Limit(line, f"more than {MAX_ALIASES} aliases (*name): not a register")
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise _Limit(line, f"nested more than {MAX_DEPTH} levels deep")
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


@dataclass
class _Budget:
    values: int = 0
    building: set[int] = field(default_factory=set)  # nodes being built: meeting one again is a cycle

# A plain (unquoted) scalar made of digits is a number to YAML, or an accident waiting to happen
# (YAML 1.1 reads 0123 as octal 83 and keeps 0180 as text only because 8 is not an octal digit).
_NUMBER_LIKE = re.compile(r"^[-+]?[0-9][0-9_.:eE+-]*$")


def format_path(path: Path) -> str:
    """`('districts', 3, 'code')` → `districts[3].code`."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


@dataclass
class LineMap:
    """The line (1-based) of each path, and which scalars were written unquoted and number-like."""

    lines: dict[Path, int] = field(default_factory=dict)
    number_like: dict[Path, str] = field(default_factory=dict)  # path → the text as written

    def line_of(self, path: Path) -> int | None:
        """The line of `path`, or of its nearest ancestor present (a missing key points at its parent)."""
        for cut in range(len(path), -1, -1):
            line = self.lines.get(path[:cut])
            if line is not None:
                return line
        return None


def load_yaml(text: str, file: str) -> tuple[Any, LineMap]:
    """Parse one YAML document; RegisterError (with the line) on a syntax error, a duplicate key, or a
    document beyond the bounds (size, depth, aliases)."""
    if len(text) > MAX_BYTES:
        too_big = f"larger than the limit of {MAX_BYTES} characters: not a register"
        raise RegisterError(file, None, None, too_big)
    loader = _BoundedLoader(text)
    try:
        node = loader.get_single_node()
        lines = LineMap()
        value = _build(loader, node, (), lines, file, _Budget()) if node is not None else None
    except _Limit as exc:
        raise RegisterError(file, exc.line, None, exc.message) from None
    except RecursionError:
        raise RegisterError(file, None, None, f"nested more than {MAX_DEPTH} levels deep") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise RegisterError(file, line, None, f"YAML syntax: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise RegisterError(file, None, None, f"YAML syntax: {exc}") from None
    finally:
        loader.dispose()
    lines.lines.setdefault((), 1)
    return value, lines


def _build(loader: yaml.SafeLoader, node: yaml.Node, path: Path, lines: LineMap, file: str,
           budget: _Budget) -> Any:
    line = node.start_mark.line + 1
    budget.values += 1
    if budget.values > MAX_VALUES:
        raise _Limit(line, f"more than {MAX_VALUES} values once aliases are expanded: not a register")
    if id(node) in budget.building:
        raise _Limit(line, "an alias (*name) refers to the value that holds it")
    if isinstance(node, yaml.CollectionNode):
        budget.building.add(id(node))
        try:
            return _collection(loader, node, path, lines, file, budget)
        finally:
            budget.building.discard(id(node))
    if isinstance(node, yaml.ScalarNode) and node.style is None and _NUMBER_LIKE.match(node.value):
        lines.number_like[path] = node.value
    return _scalar(loader, node, path, file)


def _collection(loader: yaml.SafeLoader, node: yaml.CollectionNode, path: Path, lines: LineMap, file: str,
                budget: _Budget) -> Any:
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(loader, key_node, path, file)
            if not isinstance(key, str):
                raise RegisterError(file, key_node.start_mark.line + 1, format_path(path) or None,
                                    f"a key must be text, not {key!r}")
            if key in out:
                raise RegisterError(file, key_node.start_mark.line + 1, format_path((*path, key)),
                                    "the key is given twice")
            lines.lines[(*path, key)] = key_node.start_mark.line + 1
            out[key] = _build(loader, value_node, (*path, key), lines, file, budget)
        return out
    items: list[Any] = []
    for index, item_node in enumerate(node.value):
        lines.lines[(*path, index)] = item_node.start_mark.line + 1
        items.append(_build(loader, item_node, (*path, index), lines, file, budget))
    return items


def _scalar(loader: yaml.SafeLoader, node: yaml.Node, path: Path, file: str) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        raise RegisterError(file, node.start_mark.line + 1, format_path(path) or None,
                            "expected a single value here, not a list or mapping")
    try:
        return loader.construct_object(node, deep=True)
    except (ValueError, OverflowError, yaml.constructor.ConstructorError) as exc:
        # e.g. 2008-02-30: the timestamp pattern matches but the date does not exist.
        raise RegisterError(file, node.start_mark.line + 1, format_path(path) or None,
                            f"cannot read {node.value!r}: {exc}") from None
