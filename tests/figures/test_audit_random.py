"""Audit by a second reading: the report SQL against plain Python written from reports.md sentence by
sentence, on random snapshots (two districts in scope and out of it, dates around every boundary).

Covered: A3 (all four), A4, A5 (all five), A8, A10, B1 (first investigation, age at its inledd), B6
(the lead aktualisering). The Python is deliberately naive (loops over every row) so that it reads like
the spec, not like the SQL.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction

import pytest
from audit_db import Db, triple

from bbic_core.dates import add_months
from bbic_core.figures.figure import ReportKind
from bbic_core.figures.format import decimal_one, share_value
from bbic_core.register import Register
from bbic_core.scopes import Period

A = dt.date(2025, 6, 15)
DAY = dt.timedelta(days=1)


@dataclass
class Akt:
    id: str
    barn: str
    stadsdel: str
    typ: str
    inkom: dt.date
    fhb: dt.date | None


@dataclass
class Utr:
    id: str
    barn: str
    stadsdel: str
    akt: str | None
    inledd: dt.date
    forlangd: dt.date | None
    avslutad: dt.date | None


@dataclass
class Ins:
    id: str
    barn: str
    stadsdel: str
    typ: str
    beslut: dt.date
    start: dt.date | None
    slut: dt.date | None


@dataclass
class Dok:
    insats: str
    typ: str
    datum: dt.date


def day(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randint(0, max(0, (last - first).days)))


def build(seed: int) -> tuple[Db, list[Akt], list[Utr], list[Ins], list[Dok], dict[str, dt.date]]:
    rng = random.Random(seed)
    db = Db(as_of=A)
    children = [f"k{i}" for i in range(40)]
    births = {c: day(rng, dt.date(2004, 1, 1), dt.date(2025, 1, 1)) for c in children}
    for c in children:
        db.add("barn", barn_id=c, fodelsedatum_effektiv=births[c], kon_effektiv=rng.choice(("1", "2", None)))
    akts: list[Akt] = []
    for i in range(160):
        inkom = day(rng, dt.date(2023, 6, 1), A)
        wait = dt.timedelta(days=rng.choice((0, 13, 14, 15, 30)))
        fhb = None if rng.random() < 0.3 else min(A, inkom + wait)
        # several on one day for the same child now and then (B6's ties)
        a = Akt(f"a{i:03d}", rng.choice(children), rng.choice(("norr", "soder")),
                rng.choice(("ANMALAN", "INFORMATION", "ANSOKAN")), inkom, fhb)
        if akts and rng.random() < 0.15:
            a.barn, a.inkom = akts[-1].barn, akts[-1].inkom
            a.fhb = None if a.fhb is None else max(a.fhb, a.inkom)
        akts.append(a)
        db.add("aktualisering", aktualisering_id=a.id, barn_id=a.barn, stadsdel=a.stadsdel, typ=a.typ,
               inkom_datum=a.inkom, forhandsbedomning_datum=a.fhb,
               forhandsbedomning_beslut=None if a.fhb is None else "INLEDA")
    utrs: list[Utr] = []
    for i in range(120):
        inledd = day(rng, dt.date(2023, 6, 1), A)
        led = [a for a in akts if a.inkom <= inledd]
        u = Utr(f"u{i:03d}", rng.choice(children), rng.choice(("norr", "soder")), None, inledd,
                None if rng.random() < 0.7 else inledd + dt.timedelta(days=rng.randint(100, 200)),
                None if rng.random() < 0.25 else min(A, inledd + dt.timedelta(days=rng.randint(0, 200))))
        if led and rng.random() < 0.5:
            lead = rng.choice(led)
            u.barn, u.akt = lead.barn, lead.id
        if utrs and rng.random() < 0.1:  # same child, same inledd: the smaller id is the first
            u.barn, u.inledd = utrs[-1].barn, utrs[-1].inledd
            u.avslutad = None if u.avslutad is None else max(u.avslutad, u.inledd)
            u.forlangd = None if u.forlangd is None else max(u.forlangd, u.inledd + DAY)
        utrs.append(u)
        db.add("utredning", utredning_id=u.id, barn_id=u.barn, stadsdel=u.stadsdel, aktualisering_id=u.akt,
               inledd_datum=u.inledd, forlangd_till=u.forlangd, avslutad_datum=u.avslutad,
               resultat=None if u.avslutad is None else "INSATS")
    inss: list[Ins] = []
    doks: list[Dok] = []
    for i in range(80):
        beslut = day(rng, dt.date(2023, 6, 1), A)
        start = None if rng.random() < 0.4 else beslut + dt.timedelta(days=rng.randint(-7, 40))
        begins = start or beslut
        n = Ins(f"i{i:03d}", rng.choice(children), rng.choice(("norr", "soder")),
                rng.choice(("HVB", "FAMILJEHEM", "KONTAKTPERSON")), beslut, start,
                None if rng.random() < 0.5 else begins + dt.timedelta(days=rng.randint(0, 500)))
        inss.append(n)
        db.add("insats", insats_id=n.id, barn_id=n.barn, stadsdel=n.stadsdel, insatstyp=n.typ,
               beslut_datum=beslut,
               start_datum=start, slut_datum=n.slut)
        for j in range(rng.randint(0, 3)):
            doc = Dok(n.id, rng.choice(("VARDPLAN", "GENOMFORANDEPLAN", "PLACERINGSINFORMATION")),
                      min(A, beslut + dt.timedelta(days=rng.randint(-35, 200))))
            doks.append(doc)
            db.add("dokument", dokument_id=f"d{i}_{j}", barn_id=n.barn, insats_id=n.id, typ=doc.typ,
                   datum=doc.datum)
    return db, akts, utrs, inss, doks, births


def share(num: int, den: int) -> tuple[str, str, str]:
    return (share_value(num, den), str(num), str(den))


def median(values: list[int]) -> tuple[str, str, str]:
    if not values:
        return ("", "", "0")
    s = sorted(values)
    mid = len(s) // 2
    m = Fraction(s[mid]) if len(s) % 2 else Fraction(s[mid - 1] + s[mid], 2)
    return (decimal_one(m), "", str(len(s)))


def age(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def band(years: int) -> str:
    for upper, name in ((6, "0-6"), (12, "7-12"), (15, "13-15"), (17, "16-17"), (20, "18-20")):
        if years <= upper:
            return name
    return "21+"


PERIODS = [Period(dt.date(2025, 1, 1), dt.date(2025, 6, 30)),
           Period(dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
           Period(dt.date(2024, 9, 1), dt.date(2024, 12, 31))]


@pytest.mark.parametrize("seed", [11, 12, 13, 14])
def test_verksamhet_and_klientgrupp_match_a_naive_reading(register: Register, seed: int) -> None:
    db, akts, utrs, inss, doks, births = build(seed)
    for p in PERIODS:
        t = min(p.end, A)

        def in_p(x: dt.date | None, p: Period = p) -> bool:
            return x is not None and p.start <= x <= p.end

        f = db.report(register, ReportKind.VERKSAMHET, p)
        # A3
        base = [a for a in akts
                if a.stadsdel == "norr" and a.typ in ("ANMALAN", "INFORMATION") and in_p(a.inkom)]
        decided = [a for a in base if a.fhb is not None]
        days = [(a.fhb - a.inkom).days for a in decided if a.fhb is not None]
        waiting = [a for a in base if a.fhb is None and a.inkom + dt.timedelta(days=14) < A]
        assert triple(f[("A3.fhb_inom_14d", "ALL")]) == share(sum(d <= 14 for d in days),
                                                              len(decided) + len(waiting))
        assert triple(f[("A3.fhb_median_dagar", "ALL")]) == median(days)
        assert f[("A3.fhb_beslut", "beslut=ALL")].value == str(len(decided))
        balans = [a for a in akts if a.stadsdel == "norr" and a.typ in ("ANMALAN", "INFORMATION")
                  and a.inkom <= t - dt.timedelta(days=14) and (a.fhb is None or a.fhb > t)]
        assert f[("A3.fhb_balans", "ALL")].value == str(len(balans))
        # A4, A5
        norr_u = [u for u in utrs if u.stadsdel == "norr"]
        closed = [u for u in norr_u if in_p(u.avslutad)]
        ongoing = [u for u in norr_u if u.inledd <= t and (u.avslutad is None or u.avslutad > t)]
        assert f[("A4.utr_pagaende", "ALL")].value == str(len(ongoing))
        assert triple(f[("A5.utr_median_dagar", "ALL")]) == median(
            [(u.avslutad - u.inledd).days for u in closed if u.avslutad])
        within = [u for u in closed if u.avslutad and u.avslutad <= add_months(u.inledd, 4)]
        assert triple(f[("A5.utr_inom_4man", "ALL")]) == share(len(within), len(closed))
        decided_time = [u for u in closed if u.avslutad
                        and u.avslutad <= max(add_months(u.inledd, 4), u.forlangd or add_months(u.inledd, 4))]
        assert triple(f[("A5.utr_inom_beslutad_tid", "ALL")]) == share(len(decided_time), len(closed))
        assert triple(f[("A5.utr_forlangda", "ALL")]) == share(sum(u.forlangd is not None for u in closed),
                                                               len(closed))
        overtid = [u for u in ongoing
                   if t > add_months(u.inledd, 4) and (u.forlangd is None or u.forlangd < t)]
        assert f[("A5.utr_overtid", "ALL")].value == str(len(overtid))
        # A8
        active = [n for n in inss if n.stadsdel == "norr" and n.typ != "KONTAKTPERSON"
                  and (n.start or n.beslut) <= t and (n.slut is None or n.slut >= p.start)]
        assert f[("A8.placerade_barn", "ALL")].value == str(len({n.barn for n in active}))
        a8 = [n for n in active if (n.start or n.beslut) <= t - dt.timedelta(days=30)]
        for typ, measure in (("VARDPLAN", "A8.vardplan"), ("GENOMFORANDEPLAN", "A8.genomforandeplan"),
                             ("PLACERINGSINFORMATION", "A8.placeringsinformation")):
            with_doc = [n for n in a8
                        if any(dok.insats == n.id and dok.typ == typ
                               and n.beslut - dt.timedelta(days=30) <= dok.datum <= t for dok in doks)]
            assert triple(f[(measure, "ALL")]) == share(len(with_doc), len(a8)), measure
        # A10
        in_period = [a for a in akts if a.stadsdel == "norr" and in_p(a.inkom)]
        again = [a for a in in_period if any(u.barn == a.barn and u.avslutad is not None
                                             and a.inkom - dt.timedelta(days=365) <= u.avslutad < a.inkom
                                             for u in utrs)]
        assert triple(f[("A10.ateraktualiserade", "ALL")]) == share(len(again), len(in_period))

        # B1, B6
        k = db.report(register, ReportKind.KLIENTGRUPP, p)
        first: dict[str, Utr] = {}
        for u in sorted(closed, key=lambda u: (u.inledd, u.id)):
            first.setdefault(u.barn, u)
        bands = Counter(band(age(births[c], u.inledd)) for c, u in first.items())
        for name in ("0-6", "7-12", "13-15", "16-17", "18-20", "21+"):
            assert k[("B1.utredda_barn", f"alder={name}&kon=ALL")].value == str(bands[name]), name
        earlier = 0
        for c, u in first.items():
            mine = [a for a in akts if a.barn == c]
            if u.akt is not None:
                led = {u.akt}
            else:
                before = [a.inkom for a in mine if a.inkom <= u.inledd]
                led = {a.id for a in mine if before and a.inkom == max(before)}
            earlier += any(a.inkom < u.inledd and a.id not in led for a in mine)
        assert triple(k[("B6.tidigare_aktualiserade", "ALL")]) == share(earlier, len(first))
