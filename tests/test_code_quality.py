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
    ("bbic_core.personnummer", "bbic_core.personnummer_in_ids", "bbic_core.pseudonym"),
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


# The pipeline's asset modules share code through `pipelines/store/` and the other plain modules of
# `pipelines/`, never through each other: a module under `pipelines/defs/<a>/` may import from
# `pipelines/defs/<b>/` only the assets it depends on, and only `pipelines/definitions.py` (and the
# wiring modules directly in `pipelines/defs/`) reach into `pipelines/defs` from outside.
ASSET_DECORATORS = {"asset", "multi_asset", "graph_asset", "graph_multi_asset"}
DEFS_WIRING = "pipelines.definitions"


def _asset_names(source: str) -> set[str]:
    """The names of the functions `source` decorates as assets (`@dg.asset(...)`, `@asset`, ...)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef):
            for decorator in node.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
                if name in ASSET_DECORATORS:
                    names.add(node.name)
    return names


def _imports_of(module: str, source: str, is_package: bool) -> list[tuple[str, str | None]]:
    """(imported module, imported name or None for a whole module) for every import of `source`."""
    found: list[tuple[str, str | None]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend((alias.name, None) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = module.split(".")[: len(module.split(".")) - node.level + (1 if is_package else 0)]
                base = ".".join([*package, node.module] if node.module else package)
            else:
                base = node.module or ""
            found.extend((base, alias.name) for alias in node.names)
    return found


def _defs_package(module: str) -> str | None:
    """`b` for a module in `pipelines.defs.b` (the package itself or below it), else None."""
    parts = module.split(".")
    if parts[:2] != ["pipelines", "defs"] or len(parts) < 3:
        return None
    below = ROOT.joinpath(*parts[:3])
    return parts[2] if below.is_dir() else None


def defs_boundary_breaches(
    sources: dict[str, tuple[str, bool]], assets_of: dict[str, set[str]]
) -> list[str]:
    """`module -> imported` for every import across the asset packages that is not an asset, and every
    import of `pipelines.defs` from outside it but `pipelines.definitions`. `assets_of` maps a module of
    `pipelines.defs` to the assets it defines."""
    found = []
    for module, (source, is_package) in sorted(sources.items()):
        own = _defs_package(module)
        inside = module == "pipelines.defs" or module.startswith("pipelines.defs.")
        for base, name in _imports_of(module, source, is_package):
            target = base if name is None else f"{base}.{name}"
            if not (target == "pipelines.defs" or target.startswith("pipelines.defs.")):
                continue
            if not inside:
                if module != DEFS_WIRING:
                    found.append(f"{module} -> {target}")
                continue
            theirs = _defs_package(target)
            if own is None or theirs is None or theirs == own:
                continue  # the wiring modules in pipelines/defs, or a package's own modules
            if name is None or name not in assets_of.get(base, set()):
                found.append(f"{module} -> {target}")
    return found


def _pipeline_side_sources() -> dict[str, tuple[str, bool]]:
    return {_module_name(p): (p.read_text(encoding="utf-8"), p.name == "__init__.py")
            for folder in ("pipelines", "bbic_cli", "bbic_portal", "bbic_core")
            for p in (ROOT / folder).rglob("*.py")}


def test_asset_modules_import_only_each_others_assets() -> None:
    sources = _pipeline_side_sources()
    assets_of = {m: _asset_names(s) for m, (s, _) in sources.items() if m.startswith("pipelines.defs.")}
    assert defs_boundary_breaches(sources, assets_of) == []


def test_the_boundary_check_finds_a_helper_imported_across_asset_modules() -> None:
    sources = {
        "pipelines.defs.snapshot.assets": (
            "from pipelines.defs.validation.assets import validated_export, log_attempt\n"
            "from pipelines.defs.snapshot import checks\n", False),
        "pipelines.defs.reports.assets": ("import pipelines.defs.marts.assets\n", False),
        "pipelines.runner": ("def f() -> None:\n    from pipelines.defs.validation.assets import cause_of\n",
                             False),
        "pipelines.definitions": ("from pipelines.defs.validation import checks\n", False),
    }
    assets_of = {"pipelines.defs.validation.assets": _asset_names(
        "import dagster as dg\n@dg.asset(group_name='v')\ndef validated_export() -> None: ...\n"
        "def log_attempt() -> None: ...\n")}
    assert assets_of["pipelines.defs.validation.assets"] == {"validated_export"}
    assert defs_boundary_breaches(sources, assets_of) == [
        "pipelines.defs.reports.assets -> pipelines.defs.marts.assets",
        "pipelines.defs.snapshot.assets -> pipelines.defs.validation.assets.log_attempt",
        "pipelines.runner -> pipelines.defs.validation.assets.cause_of",
    ]
