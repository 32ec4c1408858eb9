"""The optional parts of the `bbic` distribution a command needs, and the one line it says when one is
missing.

`pip install bbic` holds the library and `bbic validate`, `bbic spec`, `bbic synth`; the documents,
the pipeline and the portal come as extras (`bbic[documents]`, `bbic[pipeline]`, `bbic[portal]`,
`bbic[all]`). A command that needs an extra checks for it before importing anything of it, so an
integrator's installation answers with the install line, never a traceback.
"""

from __future__ import annotations

import importlib.util

import typer

EXIT_USAGE = 1
# The modules whose presence shows that an extra is installed (an extra that implies another names
# that one's modules as well).
_DOCUMENTS = ("jinja2", "weasyprint", "xlsxwriter", "pygal")
MODULES_OF_EXTRA: dict[str, tuple[str, ...]] = {
    "documents": _DOCUMENTS,
    "pipeline": (*_DOCUMENTS, "dagster", "dagster_duckdb"),
    "portal": (*_DOCUMENTS, "starlette", "uvicorn", "argon2", "authlib", "httpx", "itsdangerous",
               "multipart"),
}


def missing_modules(extra: str) -> list[str]:
    return [name for name in MODULES_OF_EXTRA[extra] if importlib.util.find_spec(name) is None]


def require(extra: str, command: str) -> None:
    """Ends the command with exit code 1 and one line naming the extra when it is not installed."""
    if missing_modules(extra):
        typer.echo(
            f"bbic {command}: kommandot kräver tillägget bbic[{extra}], som inte är installerat: "
            f"pip install 'bbic[{extra}]'",
            err=True,
        )
        raise typer.Exit(EXIT_USAGE)
