"""bbic_core: the library of the Paraply BBIC export contract, its validation and the reports' figures.

Public modules (semantic versioning covers what their `__all__` lists, see docs/api.md):
`contract`, `codes`, `rules`, `models`, `personnummer`, `pseudonym`, `register`, `validation`,
`snapshot`, `figures`, `specs`, `synth`. `documents` needs the `bbic[documents]` extra.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("bbic")
except PackageNotFoundError:  # a source tree on sys.path without an installed distribution
    __version__ = "0+unknown"

__all__ = ["__version__"]
