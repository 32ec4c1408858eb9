"""The validation asset parses an export's manifest once: the "loaded before" decision and the checks
share it (landing reads the manifest for its own purposes, before)."""

from __future__ import annotations

import inspect

import pytest
from pipeline_helpers import Env, cli_environment, make_export

from bbic_core.validation import reader
from pipelines.runner import run_nightly


def test_the_validation_step_parses_each_manifest_once(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    cli_environment(monkeypatch, env)
    real = reader.parse_manifest
    in_validation: list[bool] = []

    def counting(data: bytes) -> object:
        in_validation.append(any("defs/validation" in frame.filename for frame in inspect.stack()))
        return real(data)

    monkeypatch.setattr(reader, "parse_manifest", counting)
    make_export(env.inbox, "E1")
    make_export(env.inbox, "E2", created_at="2025-02-28T22:00:00+01:00")
    summary = run_nightly(env.resources(settle_seconds=0), reports=False)
    assert [(e.export_id, e.outcome) for e in summary.exports] == [("E1", "accepted"), ("E2", "accepted")]
    assert in_validation.count(True) == 2  # one parse per export in the validation step
