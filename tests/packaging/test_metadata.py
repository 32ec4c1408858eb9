"""The distribution's metadata: the core's dependencies are light, the extras imply what they need, and
the command line's check for an extra looks for modules that extra installs."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import metadata, version
from pathlib import Path

import bbic_core
from bbic_cli.extras import MODULES_OF_EXTRA

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
HEAVY = ("dagster", "weasyprint", "xlsxwriter", "pygal", "starlette", "uvicorn", "argon2-cffi", "authlib")
# The module each distribution of an extra is imported as (where the names differ).
MODULE_OF = {"argon2-cffi": "argon2", "python-multipart": "multipart", "dagster-duckdb": "dagster_duckdb"}


def _name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9_.\-]+", requirement)
    assert match is not None, requirement
    return match.group(0).lower()


def test_core_dependencies_are_light_and_python_is_not_capped() -> None:
    core = {_name(r) for r in PROJECT["dependencies"]}
    assert not core & set(HEAVY)
    assert PROJECT["requires-python"] == ">=3.11"
    assert version("bbic") == PROJECT["version"] == bbic_core.__version__


def test_extras_imply_the_documents_and_all_holds_every_extra() -> None:
    extras = PROJECT["optional-dependencies"]
    assert set(extras) == {"documents", "pipeline", "portal", "all"}
    assert "bbic[documents]" in extras["pipeline"] and "bbic[documents]" in extras["portal"]
    assert extras["all"] == ["bbic[documents,pipeline,portal]"]
    assert set(metadata("bbic").get_all("Provides-Extra") or []) == set(extras)


def test_the_command_lines_extra_check_names_modules_the_extra_installs() -> None:
    extras = PROJECT["optional-dependencies"]
    for extra, modules in MODULES_OF_EXTRA.items():
        names = {_name(r) for r in extras[extra] if not r.startswith("bbic[")}
        if "bbic[documents]" in extras[extra]:
            names |= {_name(r) for r in extras["documents"]}
        installed = {MODULE_OF.get(n, n.replace("-", "_")) for n in names}
        assert set(modules) <= installed, (extra, set(modules) - installed)
