"""`settings.mal`, `avvikelse_pp` and `avvikelse_andel` (register.md): defaults, overrides and errors
with file, line and key."""

from __future__ import annotations

from pathlib import Path

import pytest
from register_helpers import SMALL_YAML, line_of, write_register

from bbic_core.register import RegisterError, load_register
from bbic_core.register.targets import DEFAULT_TARGETS, Target


def _with_settings(extra: str) -> str:
    return SMALL_YAML + extra


def _error(tmp_path: Path, text: str) -> RegisterError:
    with pytest.raises(RegisterError) as caught:
        load_register(write_register(tmp_path, text))
    return caught.value


def test_defaults(tmp_path: Path) -> None:
    settings = load_register(write_register(tmp_path)).settings
    assert (settings.avvikelse_pp, settings.avvikelse_andel) == (15, 30)
    assert settings.targets == dict(DEFAULT_TARGETS)
    assert settings.targets["A5.utr_median_dagar"] == Target(mal=90, grans=120)
    assert "A10.ateraktualiserade" not in settings.targets  # lower is better, no target by default


def test_an_entry_replaces_its_default_only_and_null_removes_it(tmp_path: Path) -> None:
    text = _with_settings("""\
  avvikelse_pp: 10
  avvikelse_andel: 25.5
  mal:
    A5.utr_inom_4man: {mal: 85, grans: 70}
    A2.skydd_inom_1dag: null
    A10.ateraktualiserade: {mal: 10, grans: 20}
""")
    settings = load_register(write_register(tmp_path, text)).settings
    assert (settings.avvikelse_pp, settings.avvikelse_andel) == (10, 25.5)
    targets = settings.targets
    assert targets["A5.utr_inom_4man"] == Target(mal=85, grans=70)
    assert "A2.skydd_inom_1dag" not in targets
    assert targets["A10.ateraktualiserade"] == Target(mal=10, grans=20)
    assert targets["A3.fhb_inom_14d"] == DEFAULT_TARGETS["A3.fhb_inom_14d"]


@pytest.mark.parametrize(("line", "fragment", "key", "words"), [
    ("    A1.aktualiseringar: {mal: 10, grans: 5}", "A1.aktualiseringar", "settings.mal.A1.aktualiseringar",
     ("cannot have a target",)),
    ("    C.krav: {mal: 1, grans: 1}", "C.krav", "settings.mal.C.krav", ("cannot have a target",)),
    ("    A9.overvaganden: {mal: 95, grans: 80}", "A9.overvaganden", "settings.mal.A9.overvaganden",
     ("unknown indicator",)),
    ("    A2.skydd_inom_1dag: {mal: 120, grans: 80}", "A2.skydd", "settings.mal.A2.skydd_inom_1dag.mal",
     ("out of range", "0–100")),
    ("    A2.skydd_inom_1dag: {mal: 80, grans: 90}", "A2.skydd", "settings.mal.A2.skydd_inom_1dag.grans",
     ("higher is better",)),
    ("    A5.utr_median_dagar: {mal: 120, grans: 90}", "A5.utr_median",
     "settings.mal.A5.utr_median_dagar.grans", ("lower is better",)),
    ("    A2.skydd_inom_1dag: {mal: 95, grans: hög}", "A2.skydd", "settings.mal.A2.skydd_inom_1dag.grans",
     ("number",)),
    ("    A2.skydd_inom_1dag: {mal: 95, grans: 80, gron: 99}", "A2.skydd",
     "settings.mal.A2.skydd_inom_1dag.gron", ("unknown key",)),
])
def test_errors_name_file_line_and_key(tmp_path: Path, line: str, fragment: str, key: str,
                                       words: tuple[str, ...]) -> None:
    text = _with_settings("  mal:\n" + line + "\n")
    error = _error(tmp_path, text)
    assert (error.file, error.line, error.key) == ("organisation.yaml", line_of(text, fragment), key)
    for word in words:
        assert word in str(error)


def test_equal_mal_and_grans_is_allowed(tmp_path: Path) -> None:
    text = _with_settings("  mal:\n    A8.vardplan: {mal: 90, grans: 90}\n")
    assert load_register(write_register(tmp_path, text)).settings.targets["A8.vardplan"] == Target(mal=90,
                                                                                                   grans=90)
