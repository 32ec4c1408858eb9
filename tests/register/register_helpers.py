"""Shared helpers for the register tests: a small register in YAML and a writer for register folders."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

TODAY = dt.date(2026, 11, 25)

# A small register; tests replace single lines and look up line numbers by content.
SMALL_YAML = """\
municipality: {code: "0180", name: Stockholm}
networks:
  - {code: vasterort, name: Västerort, districts: [bromma, spanga]}
districts:
  - code: bromma
    name: Bromma
    bbic_ansvarig:
      - {handlaggare_id: BR0001, from: 2008-03-01, to: 2015-08-31}
      - {handlaggare_id: BR0002, from: 2015-09-01}
    lokala_utbildare:
      - {handlaggare_id: BR0003, from: 2008-02-01, to: null}
    licenser:
      - {typ: PROVOLICENS, beviljad: 2008-10-31, ansokan_licens: 2010-01-20}
      - {typ: LICENS, beviljad: 2011-01-15, to: 2020-06-30}
  - code: spanga
    name: Spånga
    from: 2007-01-01
    to: 2019-12-31
underlicenser:
  - {enhet: Socialjouren, huvudman: "0180", from: 2008-09-01, to: null}
  - {enhet: Hemmet, huvudman: bromma, from: 2009-01-01, to: 2012-12-31}
settings:
  provolicens_manader: 16
"""


def line_of(text: str, fragment: str) -> int:
    """The 1-based line of the only line holding `fragment`."""
    hits = [n for n, line in enumerate(text.splitlines(), start=1) if fragment in line]
    assert len(hits) == 1, (fragment, hits)
    return hits[0]


def write_register(folder: Path, organisation: str = SMALL_YAML, utbildning: bytes | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "organisation.yaml").write_text(organisation, encoding="utf-8")
    if utbildning is not None:
        (folder / "utbildning.csv").write_bytes(utbildning)
    return folder
