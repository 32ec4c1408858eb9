"""Audit of the due reviews (A9, C5 OVERVAGANDE_OMPROVNING): the SQL against a plain Python reading of
reports.md on random placements and documents, starts at month ends included.

reports.md: for each placement except `lagrum` = LVU_6, `d_k = start + 6k months` for k = 1, 2, … while
`d_k ≤` the earlier of `slut_datum` and A (D), `d_0 = start`; the review type is OVERVAGANDE for SOL and
LVU_2, OMPROVNING for LVU_3, either for LVU_2_3; `d_k` is made in time when a document of that type for
that `insats_id` is dated in `(d_{k−1}, d_k]`. C5 also asks for `bbic_formular` = J.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

import pytest
from audit_db import Db

from bbic_core.dates import add_months
from bbic_core.figures.reviews import due_reviews

REVIEW_TYPES = {"SOL": {"OVERVAGANDE"}, "LVU_2": {"OVERVAGANDE"}, "LVU_3": {"OMPROVNING"},
                "LVU_2_3": {"OVERVAGANDE", "OMPROVNING"}}
DISTRICTS = ("norr", "soder")


@dataclass(frozen=True)
class Placement:
    insats_id: str
    stadsdel: str
    insatstyp: str
    lagrum: str
    beslut: dt.date
    start: dt.date | None
    slut: dt.date | None


@dataclass(frozen=True)
class Doc:
    insats_id: str
    typ: str
    datum: dt.date
    form: bool


def reference(placements: list[Placement], docs: list[Doc], upper: dt.date, due_from: dt.date,
              due_to: dt.date, *, form_only: bool) -> dict[str, tuple[int, int]]:
    out: dict[str, list[int]] = {}
    for p in placements:
        if p.insatstyp == "KONTAKTPERSON" or p.lagrum == "LVU_6" or p.beslut > upper:
            continue
        start = p.start or p.beslut
        stop = min(p.slut or upper, upper)
        k = 1
        while (d_k := add_months(start, 6 * k)) <= stop:
            if due_from <= d_k <= due_to:
                d_prev = add_months(start, 6 * (k - 1))
                made = any(doc.insats_id == p.insats_id and d_prev < doc.datum <= d_k
                           and doc.typ in REVIEW_TYPES[p.lagrum] and (doc.form or not form_only)
                           for doc in docs)
                counts = out.setdefault(p.stadsdel, [0, 0])
                counts[0] += 1
                counts[1] += int(made)
            k += 1
    return {s: (n, m) for s, (n, m) in out.items()}


def random_day(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    if rng.random() < 0.3:  # month ends and leap days, where clamping matters
        year = rng.randint(first.year, last.year)
        month = rng.randint(1, 12)
        day = min(rng.choice((28, 29, 30, 31)), (dt.date(year + month // 12, month % 12 + 1, 1)
                                                 - dt.timedelta(days=1)).day)
        chosen = dt.date(year, month, day)
        return min(max(chosen, first), last)
    return first + dt.timedelta(days=rng.randint(0, (last - first).days))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_due_reviews_match_the_definition(seed: int) -> None:
    rng = random.Random(seed)
    a = dt.date(2025, 6, 15)
    db = Db(as_of=a)
    placements: list[Placement] = []
    docs: list[Doc] = []
    for i in range(250):
        beslut = random_day(rng, dt.date(2019, 1, 1), a)
        start = None if rng.random() < 0.3 else beslut + dt.timedelta(days=rng.randint(-7, 20))
        begins = start or beslut
        slut = None if rng.random() < 0.5 else begins + dt.timedelta(days=rng.randint(0, 2000))
        p = Placement(f"i{i}", rng.choice((*DISTRICTS, "ost")),
                      rng.choice(("HVB", "FAMILJEHEM", "KONTAKTPERSON")),
                      rng.choice(("SOL", "LVU_2", "LVU_3", "LVU_2_3", "LVU_6")), beslut, start, slut)
        placements.append(p)
        db.add("insats", insats_id=p.insats_id, barn_id="k", stadsdel=p.stadsdel, insatstyp=p.insatstyp,
               lagrum=p.lagrum, beslut_datum=p.beslut, start_datum=p.start, slut_datum=p.slut)
        for j in range(rng.randint(0, 6)):
            doc = Doc(p.insats_id, rng.choice(("OVERVAGANDE", "OMPROVNING", "VARDPLAN")),
                      random_day(rng, min(begins - dt.timedelta(days=40), a), a), rng.random() < 0.7)
            docs.append(doc)
            db.add("dokument", dokument_id=f"d{i}_{j}", barn_id="k", insats_id=doc.insats_id, typ=doc.typ,
                   datum=doc.datum, bbic_formular=doc.form)
    windows = [(a, dt.date(2025, 1, 1), a),  # A9 over 2025-H1
               (a, dt.date(2024, 6, 16), a),  # C5 over W
               (dt.date(2023, 8, 31), dt.date(2022, 9, 1), dt.date(2023, 8, 31)),  # a past D
               (a, dt.date(2021, 2, 28), dt.date(2021, 8, 31))]  # a past period
    checked = 0
    for upper, due_from, due_to in windows:
        for form_only in (False, True):
            expected = reference(placements, docs, upper, due_from, due_to, form_only=form_only)
            expected_in_scope = {s: v for s, v in expected.items() if s in DISTRICTS}
            got = due_reviews(db.con, DISTRICTS, upper, due_from, due_to, bbic_form_only=form_only)
            assert got == expected_in_scope, (upper, due_from, due_to, form_only)
            checked += sum(n for n, _ in expected_in_scope.values())
    assert checked > 100  # the random data does hold due reviews
