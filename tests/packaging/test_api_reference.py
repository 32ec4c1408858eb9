"""docs/api.md is the page `scripts/api_reference.py` makes from the code as it is: it cannot drift."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("api_reference", ROOT / "scripts" / "api_reference.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_page_is_current() -> None:
    script = _script()
    assert (ROOT / "docs" / "api.md").read_text(encoding="utf-8") == script.render(), (
        "docs/api.md is not current: run python scripts/api_reference.py")


def test_every_public_name_has_its_entry_and_the_page_names_no_machine() -> None:
    script = _script()
    page = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    for module_name, _extra in script.PUBLIC:
        module = importlib.import_module(module_name)
        assert module.__all__, module_name
        section = page[page.index(f"## `{module_name}`"):]
        section = section[: section.find("\n## ", 3) if "\n## " in section[3:] else len(section)]
        for name in module.__all__:
            entry = rf"^### (class )?`{re.escape(name)}[`(]"
            assert re.search(entry, section, re.MULTILINE), (module_name, name)
    assert "0x" not in page and str(ROOT) not in page


def test_signature_shows_annotations_as_written() -> None:
    script = _script()

    def sample(path: Path, *, rows: int = 3, **extra: str) -> list[str]:
        return []

    assert script.signature(sample) == "(path: Path, *, rows: int = 3, **extra: str) -> list[str]"
