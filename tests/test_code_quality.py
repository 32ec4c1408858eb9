"""The standards the project holds itself to: ruff clean everywhere, mypy --strict on bbic_core, layers."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=False)


def test_ruff_is_clean() -> None:
    proc = _run(str(BIN / "ruff"), "check", "--no-cache", ".")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_strict_on_bbic_core() -> None:
    proc = _run(str(BIN / "mypy"), "--strict", "bbic_core")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Success" in proc.stdout


# The library's layers, lowest first: a module may import from its own layer and those below, never from
# one above. Everything in bbic_core lies below the pipeline, the portal and the command line.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("bbic_core.codes", "bbic_core.dates", "bbic_core.checksums", "bbic_core.rules"),
    ("bbic_core.contract", "bbic_core.scopes"),
    ("bbic_core.personnummer", "bbic_core.pseudonym"),
    ("bbic_core.export_rows", "bbic_core.export_writer"),
    ("bbic_core.register",),
    ("bbic_core.validation", "bbic_core.specs", "bbic_core.synth"),
    ("bbic_core.figures", "bbic_core.snapshot"),
    ("bbic_core.documents",),
)
NEVER_IN_BBIC_CORE = ("pipelines", "bbic_portal", "bbic_cli", "dagster", "dagster_webserver")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(module: str, source: str, is_package: bool) -> set[str]:
    """Every module `source` imports, at any depth (lazy and TYPE_CHECKING imports count too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the importing module's package
                package = module.split(".")[: len(module.split(".")) - node.level + (1 if is_package else 0)]
                base = ".".join([*package, node.module] if node.module else package)
            else:
                base = node.module or ""
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)  # `from bbic_core import contract`
    return found


def _layer_of(module: str) -> int | None:
    for index, layer in enumerate(LAYERS):
        if any(module == name or module.startswith(name + ".") for name in layer):
            return index
    return None


def upward_imports(sources: dict[str, tuple[str, bool]]) -> list[str]:
    """`module -> imported` for every import of `sources` (module -> (source, is package)) that goes to a
    higher layer or out of the library into the pipeline, the portal, the command line or Dagster."""
    found = []
    for module, (source, is_package) in sorted(sources.items()):
        own = _layer_of(module)
        for target in sorted(_imported(module, source, is_package)):
            if target.split(".")[0] in NEVER_IN_BBIC_CORE:
                found.append(f"{module} -> {target}")
                continue
            theirs = _layer_of(target)
            if own is not None and theirs is not None and theirs > own:
                found.append(f"{module} -> {target}")
    return found


def _library_sources() -> dict[str, tuple[str, bool]]:
    return {_module_name(p): (p.read_text(encoding="utf-8"), p.name == "__init__.py")
            for p in (ROOT / "bbic_core").rglob("*.py")}


def test_every_library_module_has_a_layer() -> None:
    unplaced = [m for m in _library_sources() if m != "bbic_core" and _layer_of(m) is None]
    assert unplaced == [], "add these modules to LAYERS in tests/test_code_quality.py"


def test_no_library_module_imports_from_a_layer_above_it_nor_dagster() -> None:
    assert upward_imports(_library_sources()) == []


def test_the_layer_check_finds_an_upward_import() -> None:
    lazy_upward = "if TYPE_CHECKING:\n    from bbic_core.figures.figure import Figure\n"
    sources = {
        "bbic_core.register.organisation": (lazy_upward, False),
        "bbic_core.figures.store": ("def f() -> None:\n    from bbic_core import documents\n", False),
        "bbic_core.scopes": ("from bbic_core import codes, contract\n", False),
        "bbic_core.documents.pdf": ("import dagster as dg\nfrom ..figures import figure\n", False),
        "bbic_core.validation": ("from .rows import engine\nfrom . import refusal\n", True),
    }
    assert upward_imports(sources) == [
        "bbic_core.documents.pdf -> dagster",
        "bbic_core.figures.store -> bbic_core.documents",
        "bbic_core.register.organisation -> bbic_core.figures.figure",
        "bbic_core.register.organisation -> bbic_core.figures.figure.Figure",
    ]
    assert _imported("bbic_core.documents.pdf", "from ..figures import figure\n", False) == {
        "bbic_core.figures", "bbic_core.figures.figure"}
    assert _imported("bbic_core.validation", "from .rows import engine\n", True) == {
        "bbic_core.validation.rows", "bbic_core.validation.rows.engine"}
