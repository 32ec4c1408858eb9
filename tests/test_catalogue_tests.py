"""Every rule, measure and licence requirement of the spec has a test named after it, and the code's
catalogues (`bbic_core.rules`, `bbic_core.figures.measures`) hold exactly the spec's ids.

A test is named after an id when the id, lower-cased, is a word of its name between underscores:
`test_v004w_…`, `test_a5_…`, `test_v034_and_v037_…`, `test_r4_…`. A measure's id is its prefix
(`A5` for `A5.utr_inom_4man`); `C.krav` is its requirements R1–R5.
"""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path

from bbic_core.figures.measures import KRAV, MEASURES
from bbic_core.rules import RULES

ROOT = Path(__file__).resolve().parent.parent
# The specs sit beside the repository (`../shared/spec`); BBIC_SPEC_DIR names another place.
SPEC_DIR = Path(os.environ.get("BBIC_SPEC_DIR") or ROOT.parent / "shared" / "spec")
# Rules the project added where the spec is silent (docs/decisions.md): V007, a personal number in an id.
RULES_BEYOND_THE_SPEC = frozenset({"V007"})
_MEASURE_ID = re.compile(r"(?<![\w.])([A-E][0-9]+\.[a-z][a-z0-9_]*|C\.krav)\b")
_RULE_ROW = re.compile(r"^\| ([XV][0-9]{3}W?) \|", re.MULTILINE)
_REQUIREMENT = re.compile(r"\*\*(R[0-9])\*\*")


def _spec(name: str) -> str:
    path = SPEC_DIR / name
    assert path.is_file(), f"the spec {name} is not at {SPEC_DIR} (set BBIC_SPEC_DIR)"
    return path.read_text(encoding="utf-8")


def suite_test_names() -> set[str]:
    """The name of every test function of the suite (module level, in classes, async or not)."""
    names: set[str] = set()
    for path in (ROOT / "tests").rglob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test_"):
                names.add(node.name)
    return names


def catalogue_ids() -> list[str]:
    """Every rule code, measure prefix and licence requirement of the code's catalogues."""
    rules = [r.code for r in RULES]
    measures = list(dict.fromkeys(m.id.split(".")[0] for m in MEASURES if not m.chart and m.id != "C.krav"))
    return [*rules, *measures, *KRAV]


def untested(ids: list[str], names: set[str]) -> list[str]:
    words = {word for name in names for word in name.removeprefix("test_").split("_")}
    return [i for i in ids if i.lower() not in words]


def test_every_rule_measure_and_requirement_has_a_test_named_after_it() -> None:
    assert untested(catalogue_ids(), suite_test_names()) == []


def test_a_name_counts_only_as_a_whole_word() -> None:
    names = {"test_a10_share", "test_v034_and_v037_on_anmalan", "test_v004w_copies", "test_x001"}
    assert untested(["A1", "A10", "V004", "V004W", "V037", "X001", "R4"], names) == ["A1", "V004", "R4"]


def test_the_rule_catalogue_holds_the_spec_s_rules() -> None:
    spec = _RULE_ROW.findall(_spec("paraply-export.md"))
    code = [r.code for r in RULES]
    assert [c for c in code if c not in RULES_BEYOND_THE_SPEC] == spec  # the same codes in the same order
    assert set(code) >= RULES_BEYOND_THE_SPEC


def test_the_measure_catalogue_holds_the_spec_s_measures_and_requirements() -> None:
    text = _spec("reports.md")
    spec = set(_MEASURE_ID.findall(text))
    assert {m.id for m in MEASURES if not m.chart} == spec
    assert sorted(KRAV) == sorted(set(_REQUIREMENT.findall(text))) == ["R1", "R2", "R3", "R4", "R5"]
