"""The register is parsed once per content and day in a process, though every stage of a night resolves it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from pipeline_helpers import Env

import bbic_core.register
from pipelines import registers
from pipelines.registers import resolve_register


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    seen: list[Path] = []
    real = bbic_core.register.load_register

    def counting(folder: Path, **kwargs: Any) -> Any:
        seen.append(folder)
        return real(folder, **kwargs)

    monkeypatch.setattr(bbic_core.register, "load_register", counting)
    monkeypatch.setattr(registers, "_PARSED", {})
    return seen


def test_the_same_register_is_parsed_once(env: Env, parses: list[Path]) -> None:
    first = resolve_register(env.register, env.data)
    again = resolve_register(env.register, env.data)
    assert parses == [env.register]
    assert again.register is first.register and again.fingerprint == first.fingerprint
    assert again.source == "current"


def test_a_changed_register_is_parsed_again(env: Env, parses: list[Path]) -> None:
    before = resolve_register(env.register, env.data)
    assert before.register is not None and before.register.utbildning == []
    (env.register / "utbildning.csv").write_text(
        "handlaggare_id;utbildning;genomford_datum\nH1;GRUNDUTBILDNING;2024-03-01\n", encoding="utf-8")
    after = resolve_register(env.register, env.data)
    assert len(parses) == 2 and after.fingerprint != before.fingerprint
    assert after.register is not None and [u.handlaggare_id for u in after.register.utbildning] == ["H1"]


def test_a_new_day_parses_again(env: Env, parses: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    resolve_register(env.register, env.data)
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    monkeypatch.setattr(registers, "dt", SimpleNamespace(date=SimpleNamespace(today=lambda: tomorrow)))
    resolve_register(env.register, env.data)
    assert parses == [env.register, env.register]  # bookings become trainings as days pass


def test_a_broken_register_is_read_every_time_and_the_last_good_copy_parsed_once(
    env: Env, parses: list[Path]
) -> None:
    resolve_register(env.register, env.data)
    (env.register / "organisation.yaml").write_text("municipality: [\n", encoding="utf-8")
    states = [resolve_register(env.register, env.data) for _ in range(2)]
    assert [s.source for s in states] == ["last_good", "last_good"]
    last = env.data / registers.LAST_GOOD
    assert parses == [env.register, env.register, last, env.register]
