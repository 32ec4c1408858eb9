"""Demo-scale exports shared by the synth tests (each is generated once per test session)."""

from __future__ import annotations

import pytest

from bbic_core.synth.generate import SynthResult, generate


@pytest.fixture(scope="session")
def demo_clean(tmp_path_factory: pytest.TempPathFactory) -> SynthResult:
    return generate(tmp_path_factory.mktemp("synth") / "clean", scale="demo", seed=11)


@pytest.fixture(scope="session")
def demo_faults(tmp_path_factory: pytest.TempPathFactory) -> SynthResult:
    return generate(tmp_path_factory.mktemp("synth") / "faults", scale="demo", seed=12, faults=0.01)


@pytest.fixture(scope="session")
def demo_faults_cp1252(tmp_path_factory: pytest.TempPathFactory) -> SynthResult:
    return generate(tmp_path_factory.mktemp("synth") / "cp1252", scale="demo", seed=13, faults=0.01,
                    encoding="windows-1252")

