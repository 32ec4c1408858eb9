"""Fixtures of the pipeline tests: a temporary deployment (inbox, archive, register, data, reports)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pipeline_helpers import Env, make_env


@pytest.fixture
def env(tmp_path: Path) -> Env:
    return make_env(tmp_path)
