"""Writes the schemas and the data dictionary to a folder."""

from __future__ import annotations

from pathlib import Path

from bbic_core import contract
from bbic_core.specs import dictionary, json_schema

SCHEMA_DIR = "schemas"


def spec_texts() -> dict[str, str]:
    """Every spec file's path under the output folder → its text."""
    schemas = json_schema.all_schemas()
    texts = {f"{SCHEMA_DIR}/{name}": json_schema.dumps(schema) for name, schema in schemas.items()}
    texts["data-dictionary.md"] = dictionary.markdown()
    texts["data-dictionary.html"] = dictionary.html()
    return texts


SPEC_FILES: tuple[str, ...] = (
    *(f"{SCHEMA_DIR}/{spec.table}.schema.json" for spec in contract.FILES),
    f"{SCHEMA_DIR}/manifest.schema.json",
    f"{SCHEMA_DIR}/organisation.schema.json",
    f"{SCHEMA_DIR}/utbildning.schema.json",
    "data-dictionary.md",
    "data-dictionary.html",
)


def write_specs(out: Path) -> list[Path]:
    """Writes every spec file under `out` (UTF-8, LF line ends) and returns their paths in order."""
    written: list[Path] = []
    for rel, text in spec_texts().items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
        written.append(path)
    return written
