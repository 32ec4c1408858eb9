#!/usr/bin/env python3
"""Writes docs/api.md, the reference of bbic_core's public API, from the docstrings.

What a public module's `__all__` lists is the API semantic versioning covers (docs/api.md says how);
this page is generated from it, so it cannot list a name the code does not export, nor miss one.

    python scripts/api_reference.py          # rewrite docs/api.md
    python scripts/api_reference.py --check  # exit 1 when docs/api.md is not current
"""

from __future__ import annotations

import enum
import importlib
import inspect
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "api.md"
# The public modules, in the order an integrator meets them; (module, the extra it needs or "").
PUBLIC: tuple[tuple[str, str], ...] = (
    ("bbic_core", ""),
    ("bbic_core.contract", ""),
    ("bbic_core.codes", ""),
    ("bbic_core.rules", ""),
    ("bbic_core.export_rows", ""),
    ("bbic_core.personnummer", ""),
    ("bbic_core.pseudonym", ""),
    ("bbic_core.scopes", ""),
    ("bbic_core.register", ""),
    ("bbic_core.validation", ""),
    ("bbic_core.snapshot", ""),
    ("bbic_core.figures", ""),
    ("bbic_core.specs", ""),
    ("bbic_core.synth", ""),
    ("bbic_core.documents", "documents"),
)
HEADER = """\
# bbic_core: the public API

Generated from the docstrings by `scripts/api_reference.py`; do not edit by hand (a test fails when
this page is not current). What each module's `__all__` lists below is the public API: semantic
versioning (see [CHANGELOG.md](../CHANGELOG.md)) promises that a minor or patch release neither
removes a name listed here nor changes its meaning; a major release may. Everything else (other
modules of `bbic_core`, names beginning with `_`, `bbic_cli`, `pipelines`, `bbic_portal`) may change
in any release. The export contract has its own version, `bbic_core.contract.FORMAT_VERSION` (the
manifest's `format_version`), which `bbic spec` and `bbic validate --json` state.

`pip install bbic` installs every module below but `bbic_core.documents`, which needs
`pip install 'bbic[documents]'`.
"""


def _doc(obj: Any) -> str:
    """The object's own docstring (never one inherited from a base class such as pydantic's)."""
    own = obj.__dict__.get("__doc__") if isinstance(obj, type) else getattr(obj, "__doc__", None)
    return inspect.cleandoc(own) if isinstance(own, str) else ""


def _annotation(value: Any) -> str:
    if isinstance(value, str):
        return value
    return value.__name__ if isinstance(value, type) else repr(value).replace("typing.", "")


def _default(value: Any) -> str:
    if isinstance(value, Path):  # a path inside the package: as the package names it, on any machine
        package = ROOT / "bbic_core"
        shown = value.relative_to(package.parent) if value.is_relative_to(package) else value.name
        return f"Path('{shown}')"
    text = repr(value)
    return "…" if " at 0x" in text else text


def signature(fn: Any) -> str:
    """`(a: int, *, b: str = 'x') -> bool`, with the annotations as the source writes them."""
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return "(…)"
    parts: list[str] = []
    star_written = False
    for p in sig.parameters.values():
        if p.kind is p.KEYWORD_ONLY and not star_written:
            parts.append("*")
            star_written = True
        prefix = "*" if p.kind is p.VAR_POSITIONAL else "**" if p.kind is p.VAR_KEYWORD else ""
        star_written = star_written or p.kind is p.VAR_POSITIONAL
        text = prefix + p.name
        if p.annotation is not p.empty:
            text += f": {_annotation(p.annotation)}"
        if p.default is not p.empty:
            text += (" = " if p.annotation is not p.empty else "=") + _default(p.default)
        parts.append(text)
    returns = "" if sig.return_annotation is sig.empty else f" -> {_annotation(sig.return_annotation)}"
    return f"({', '.join(parts)}){returns}"


def _members(cls: type) -> list[str]:
    """The class's own public methods and properties, one line each."""
    lines: list[str] = []
    for name, member in cls.__dict__.items():
        if name.startswith("_") and name != "__init__":
            continue
        if isinstance(member, property):
            doc = _doc(member.fget).split("\n\n")[0].replace("\n", " ")
            lines.append(f"- `{name}` (property){': ' + doc if doc else ''}")
        elif isinstance(member, (staticmethod, classmethod)) or inspect.isfunction(member):
            fn = member.__func__ if isinstance(member, (staticmethod, classmethod)) else member
            if name == "__init__" and not _doc(fn):
                continue
            doc = _doc(fn).split("\n\n")[0].replace("\n", " ")
            lines.append(f"- `{name}{signature(fn)}`{': ' + doc if doc else ''}")
    return lines


def _value(obj: Any) -> str:
    if isinstance(obj, (str, int, float, bool)) and len(repr(obj)) <= 60:
        return f" = `{obj!r}`"
    return f" ({type(obj).__name__})"


def describe(name: str, obj: Any) -> list[str]:
    if isinstance(obj, type) and issubclass(obj, enum.Enum):
        lines = [f"### `{name}` (enum)", ""]
        if doc := _doc(obj):
            lines += [doc, ""]
        lines += ["Members: " + ", ".join(f"`{m.name}`" for m in obj), ""]
        return lines
    if isinstance(obj, type):
        bases = ", ".join(b.__name__ for b in obj.__bases__ if b is not object)
        lines = [f"### class `{name}`{f'({bases})' if bases else ''}", ""]
        if doc := _doc(obj):
            lines += [doc, ""]
        if members := _members(obj):
            lines += [*members, ""]
        return lines
    if callable(obj) and (inspect.isfunction(obj) or inspect.isbuiltin(obj)):
        lines = [f"### `{name}{signature(obj)}`", ""]
        if doc := _doc(obj):
            lines += [doc, ""]
        return lines
    return [f"### `{name}`{_value(obj)}", ""]


def module_section(module: ModuleType, extra: str) -> list[str]:
    names: list[str] = list(getattr(module, "__all__", []))
    needs = f" (needs `bbic[{extra}]`)" if extra else ""
    lines = [f"## `{module.__name__}`{needs}", ""]
    if doc := _doc(module):
        lines += [doc, ""]
    for name in names:
        if name == "__version__":
            lines += ["### `__version__`", "", "The installed distribution's version (`bbic`).", ""]
            continue
        lines += describe(name, getattr(module, name))
    return lines


def render() -> str:
    lines = [HEADER]
    for module_name, extra in PUBLIC:
        lines += module_section(importlib.import_module(module_name), extra)
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.rstrip("\n") + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        current = PAGE.read_text(encoding="utf-8") if PAGE.is_file() else ""
        if current != text:
            print(f"{PAGE.relative_to(ROOT)} is not current: run python scripts/api_reference.py",
                  file=sys.stderr)
            return 1
        return 0
    PAGE.write_text(text, encoding="utf-8")
    print(f"wrote {PAGE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main(sys.argv[1:]))
