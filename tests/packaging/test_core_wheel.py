"""The integrator's install: the wheel without extras in a fresh virtual environment holds the library,
not Dagster nor WeasyPrint, and there the README's example for IT suppliers runs as written."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
SECTION = "## For IT suppliers"
# Modules of the extras; none of them may be importable in the core's environment.
NOT_IN_CORE = ("dagster", "dagster_duckdb", "weasyprint", "xlsxwriter", "pygal", "starlette", "uvicorn")
# What `import` of the library's integrator modules must not load (jinja2 is installed for `bbic spec`'s
# data dictionary, but loaded only when one is written).
NOT_LOADED = ("jinja2", "weasyprint", "dagster", "xlsxwriter", "pygal", "bbic_core.documents", "pipelines")
LIBRARY = ("bbic_core", "bbic_core.contract", "bbic_core.codes", "bbic_core.rules", "bbic_core.export_rows",
           "bbic_core.personnummer", "bbic_core.pseudonym", "bbic_core.register", "bbic_core.validation",
           "bbic_core.figures", "bbic_core.synth", "bbic_core.specs", "bbic_core.snapshot")


def _uv() -> str:
    found = shutil.which("uv") or str(ROOT / ".tools" / "bin" / "uv")
    assert Path(found).is_file(), "uv is needed to build the wheel (make setup installs it in .tools/)"
    return found


def readme_example() -> str:
    """The first Python block of the README's section for IT suppliers."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index(SECTION):]
    section = section[: section.index("\n## ", len(SECTION))]
    match = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert match is not None, "the README's section for IT suppliers has no Python example"
    return match.group(1)


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture(scope="module")
def core_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the wheel installed without extras; its `bin` folder."""
    work = tmp_path_factory.mktemp("core-wheel")
    uv = _uv()
    built = _run([uv, "build", "--wheel", "--quiet", "--out-dir", str(work / "dist"), str(ROOT)], cwd=ROOT)
    assert built.returncode == 0, built.stderr
    (wheel,) = (work / "dist").glob("bbic-*.whl")
    made = _run([uv, "venv", "--quiet", "--python", sys.executable, str(work / "venv")], cwd=work)
    assert made.returncode == 0, made.stderr
    python = work / "venv" / "bin" / "python"
    installed = _run([uv, "pip", "install", "--quiet", "--python", str(python), str(wheel)], cwd=work)
    assert installed.returncode == 0, installed.stderr
    return python.parent


def _env(bin_dir: Path) -> dict[str, str]:
    # Nothing of the project's own environment: only the fresh one's interpreter and scripts.
    return {"PATH": f"{bin_dir}{os.pathsep}/usr/bin:/bin", "HOME": os.environ.get("HOME", "/tmp"),
            "LANG": "C.UTF-8", "PYTHONSAFEPATH": "1"}


def test_core_has_no_dagster_nor_weasyprint(core_venv: Path, tmp_path: Path) -> None:
    probe = (
        "import importlib.util, json, sys\n"
        f"missing = [m for m in {NOT_IN_CORE!r} if importlib.util.find_spec(m) is None]\n"
        f"for name in {LIBRARY!r}: __import__(name)\n"
        f"loaded = sorted(m for m in sys.modules if m.split('.')[0] in {NOT_LOADED!r} or "
        f"any(m == n or m.startswith(n + '.') for n in {NOT_LOADED!r}))\n"
        "import bbic_core\n"
        "print(json.dumps({'missing': missing, 'loaded': loaded, 'version': bbic_core.__version__,"
        " 'file': bbic_core.__file__}))\n"
    )
    done = _run([str(core_venv / "python"), "-c", probe], cwd=tmp_path, env=_env(core_venv))
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["missing"] == list(NOT_IN_CORE)
    assert found["loaded"] == []
    assert found["version"] == "0.2.0"
    assert str(core_venv.parent) in found["file"]  # the installed wheel, not the working tree


def test_documents_without_their_extra_name_the_install_line(core_venv: Path, tmp_path: Path) -> None:
    probe = (
        "try:\n    import bbic_core.documents\n"
        "except ImportError as exc:\n    print(type(exc).__name__, exc)\n"
    )
    done = _run([str(core_venv / "python"), "-c", probe], cwd=tmp_path, env=_env(core_venv))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ImportError bbic_core.documents needs the documents extra"), done.stdout
    assert "pip install 'bbic[documents]'" in done.stdout


@pytest.fixture(scope="module")
def lowest_venv(core_venv: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A second fresh environment with the lowest versions the wheel's metadata allows for each of the
    core's own dependencies (uv's `lowest-direct` applies to direct requirements only, so they are
    given as such), then the same wheel without resolving again; its `bin` folder."""
    work = tmp_path_factory.mktemp("core-lowest")
    (wheel,) = (core_venv.parent.parent / "dist").glob("bbic-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        (name,) = (n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = archive.read(name).decode("utf-8")
    core = [line.removeprefix("Requires-Dist: ") for line in metadata.splitlines()
            if line.startswith("Requires-Dist: ") and "extra ==" not in line]
    assert any(req.startswith("duckdb") for req in core), core
    (work / "core.txt").write_text("\n".join(core) + "\n", encoding="utf-8")
    uv = _uv()
    made = _run([uv, "venv", "--quiet", "--python", sys.executable, str(work / "venv")], cwd=work)
    assert made.returncode == 0, made.stderr
    python = work / "venv" / "bin" / "python"
    lowest = _run([uv, "pip", "install", "--quiet", "--resolution", "lowest-direct", "--python", str(python),
                   "-r", str(work / "core.txt")], cwd=work)
    assert lowest.returncode == 0, lowest.stderr
    installed = _run([uv, "pip", "install", "--quiet", "--no-deps", "--python", str(python), str(wheel)],
                     cwd=work)
    assert installed.returncode == 0, installed.stderr
    return python.parent


def test_readme_example_runs_on_the_lowest_versions_the_metadata_claims(lowest_venv: Path,
                                                                       tmp_path: Path) -> None:
    versions = _run([str(lowest_venv / "python"), "-c",
                     "import duckdb, pyarrow, pydantic; print(duckdb.__version__, pyarrow.__version__,"
                     " pydantic.__version__)"], cwd=tmp_path, env=_env(lowest_venv))
    assert versions.returncode == 0, versions.stderr
    duckdb_v, pyarrow_v, pydantic_v = versions.stdout.split()
    assert (duckdb_v.split(".")[:2], pyarrow_v.split(".")[0], pydantic_v.split(".")[:2]) == (
        ["1", "4"], "26", ["2", "14"]), versions.stdout  # the lower bounds of pyproject.toml
    example = tmp_path / "example.py"
    example.write_text(readme_example(), encoding="utf-8")
    done = _run([str(lowest_venv / "python"), str(example)], cwd=tmp_path, env=_env(lowest_venv))
    assert done.returncode == 0, done.stderr
    first, figure = done.stdout.splitlines()
    assert first == "accepted None" and int(figure) > 0


@pytest.fixture(scope="module")
def example_run(core_venv: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The README's example run once in the core's environment: its folder and what it printed."""
    work = tmp_path_factory.mktemp("readme-example")
    example = work / "example.py"
    example.write_text(readme_example(), encoding="utf-8")
    done = _run([str(core_venv / "python"), str(example)], cwd=work, env=_env(core_venv))
    assert done.returncode == 0, done.stderr
    return work, done.stdout


def test_readme_example_runs_in_the_core_alone(example_run: tuple[Path, str]) -> None:
    _work, printed = example_run
    first, figure = printed.splitlines()
    assert first == "accepted None"
    assert int(figure) > 0  # the demo export's aktualiseringar in the twelve months up to its as-of date


def test_light_commands_work_and_the_others_name_their_extra(core_venv: Path,
                                                             example_run: tuple[Path, str]) -> None:
    work, _printed = example_run  # the example's synthetic export, in demo/
    env = _env(core_venv)
    bbic = str(core_venv / "bbic")
    checked = _run([bbic, "validate", "demo/export", "--register", "demo/register", "--json"], cwd=work,
                   env=env)
    assert checked.returncode == 0, checked.stderr
    document = json.loads(checked.stdout)
    assert (document["format"], document["format_version"], document["outcome"]) == (
        "paraply-bbic-export", "1.0", "accepted")
    synth = _run([bbic, "synth", "--scale", "demo", "--seed", "2", "--out", "s"], cwd=work, env=env)
    assert synth.returncode == 0, synth.stderr
    assert (work / "s" / "export" / "manifest.json").is_file()
    spec = _run([bbic, "spec", "--out", "spec"], cwd=work, env=env)
    assert spec.returncode == 0, spec.stderr
    assert "format_version 1.0" in spec.stdout
    assert (work / "spec" / "data-dictionary.html").is_file()
    for args, extra in ((["report", "--scope", "kommun", "--out", "r"], "documents"), (["run"], "pipeline"),
                        (["rebuild"], "pipeline"), (["serve"], "portal"), (["users", "list"], "portal"),
                        (["audit"], "portal")):
        refused = _run([bbic, *args], cwd=work, env=env)
        assert refused.returncode == 1, (args, refused.stderr)
        assert refused.stdout == ""
        (line,) = refused.stderr.splitlines()  # one line, no traceback
        assert f"bbic[{extra}]" in line and "pip install" in line, line
