"""Realistic figures for document tests: every measure of the three reports, made up per district
with a seeded random source and summed up to networks and the municipality, so that counts add
up across scopes as the real ones do (the disclosure tests rely on it).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Mapping, Sequence

from bbic_core import codes
from bbic_core.documents.document_context import DocumentContext
from bbic_core.figures.figure import Figure, ReportKind
from bbic_core.figures.format import share_value
from bbic_core.scopes import Period, Scope, ScopeLevel

AS_OF = dt.date(2025, 5, 31)
PERIOD = Period(dt.date(2025, 1, 1), dt.date(2025, 5, 31))
WINDOW = Period(dt.date(2024, 6, 1), dt.date(2025, 5, 31))
EXPORT_ID = "paraply-0180-20250531-0200"
MUNICIPALITY = Scope(ScopeLevel.MUNICIPALITY, "0180")
NETWORKS: Mapping[str, tuple[str, ...]] = {
    "vasterort": ("bromma", "rinkeby_kista"),
    "sydost": ("farsta", "skarpnack"),
}
NAMES: Mapping[str, str] = {
    "0180": "Stockholm",
    "vasterort": "Västerort",
    "sydost": "Sydost",
    "bromma": "Bromma",
    "rinkeby_kista": "Rinkeby-Kista",
    "farsta": "Farsta",
    "skarpnack": "Skarpnäck",
}
DISTRICTS = tuple(d for ds in NETWORKS.values() for d in ds)

# Raw cell: (value, numerator, denominator); counts have only a value, medians value and n.
Raw = dict[tuple[str, str], tuple[int | float | str, int | None, int | None]]


def scope_of(code: str) -> Scope:
    if code == MUNICIPALITY.code:
        return MUNICIPALITY
    if code in NETWORKS:
        return Scope(ScopeLevel.NETWORK, code)
    return Scope(ScopeLevel.DISTRICT, code)


def _one_dim(raw: Raw, measure: str, key: str, values: Sequence[str], rng: random.Random, hi: int,
             total: bool = True) -> None:
    counts = [rng.randint(0, hi) for _ in values]
    if total:
        raw[(measure, f"{key}=ALL")] = (sum(counts), None, None)
    for value, n in zip(values, counts, strict=True):
        raw[(measure, f"{key}={value}")] = (n, None, None)


def _cross(raw: Raw, measure: str, dims: Sequence[tuple[str, Sequence[str]]], rng: random.Random, hi: int,
           prefix: str = "") -> int:
    """A full cross-table with every margin (ALL), filled from random inner cells."""
    import itertools

    inner = {combo: rng.randint(0, hi) for combo in itertools.product(*(vals for _, vals in dims))}
    for pattern in itertools.product(*([*vals, "ALL"] for _, vals in dims)):
        total = sum(n for combo, n in inner.items()
                    if all(p in ("ALL", c) for p, c in zip(pattern, combo, strict=True)))
        breakdown = "&".join(f"{k}={v}" for (k, _), v in zip(dims, pattern, strict=True))
        raw[(measure, prefix + breakdown)] = (total, None, None)
    return sum(inner.values())


def _split(raw: Raw, measure: str, breakdowns: Sequence[str], total: int, rng: random.Random) -> None:
    """`total` spread at random over the breakdowns (a series that adds up to a report total)."""
    counts = [0] * len(breakdowns)
    for _ in range(total):
        counts[rng.randrange(len(breakdowns))] += 1
    for breakdown, n in zip(breakdowns, counts, strict=True):
        raw[(measure, breakdown)] = (n, None, None)


def _share(raw: Raw, measure: str, rng: random.Random, hi: int, breakdown: str = "ALL") -> None:
    den = rng.randint(0, hi)
    num = rng.randint(0, den)
    raw[(measure, breakdown)] = ("share", num, den)


def _median(raw: Raw, measure: str, rng: random.Random, hi: int) -> None:
    n = rng.randint(0, hi)
    raw[(measure, "ALL")] = (round(rng.uniform(3, 120) * 2) / 2 if n else "", None, n)


def verksamhet_raw(rng: random.Random) -> Raw:
    raw: Raw = {}
    _one_dim(raw, "A1.aktualiseringar", "typ", codes.AKTUALISERING_TYP.values(), rng, 60)
    _split(raw, "A1.aktualiseringar_manad", [f"manad=2025-{m:02d}" for m in range(1, 6)],
           int(raw[("A1.aktualiseringar", "typ=ALL")][0]), rng)
    raw[("A1.barn", "ALL")] = (rng.randint(20, 80), None, None)
    _share(raw, "A2.skydd_inom_1dag", rng, 50)
    _share(raw, "A3.fhb_inom_14d", rng, 60)
    _median(raw, "A3.fhb_median_dagar", rng, 60)
    _one_dim(raw, "A3.fhb_beslut", "beslut", codes.FHB_BESLUT.values(), rng, 20)
    raw[("A3.fhb_balans", "ALL")] = (rng.randint(0, 9), None, None)
    raw[("A4.utr_inledda", "ALL")] = (rng.randint(0, 40), None, None)
    _split(raw, "A4.utr_inledda_manad", [f"manad=2025-{m:02d}" for m in range(1, 6)],
           int(raw[("A4.utr_inledda", "ALL")][0]), rng)
    raw[("A4.utr_avslutade", "ALL")] = (rng.randint(0, 40), None, None)
    raw[("A4.utr_pagaende", "ALL")] = (rng.randint(0, 30), None, None)
    _median(raw, "A5.utr_median_dagar", rng, 40)
    _share(raw, "A5.utr_inom_4man", rng, 40)
    _share(raw, "A5.utr_inom_beslutad_tid", rng, 40)
    _share(raw, "A5.utr_forlangda", rng, 40)
    raw[("A5.utr_overtid", "ALL")] = (rng.randint(0, 6), None, None)
    _split(raw, "A5.utr_tid_fordelning", [f"manader={b}" for b in ("0", "1", "2", "3", "4", "5", "6+")],
           int(raw[("A4.utr_avslutade", "ALL")][0]), rng)
    _share(raw, "A6.utr_med_plan", rng, 40)
    _share(raw, "A6.utr_bbic", rng, 40)
    types = {t: rng.randint(0, 8) for t in codes.INSATSTYP.values()}
    placement = sum(n for t, n in types.items() if t in codes.PLACEMENT_TYPES)
    raw[("A7.insatser", "grupp=ALL")] = (sum(types.values()), None, None)
    raw[("A7.insatser", "grupp=PLACERING")] = (placement, None, None)
    raw[("A7.insatser", "grupp=OPPEN")] = (sum(types.values()) - placement, None, None)
    for t, n in types.items():
        raw[("A7.insatser", f"insatstyp={t}")] = (n, None, None)
    left = sum(types.values())
    grounds = codes.LAGRUM.values()
    for i, ground in enumerate(grounds):
        n = left if i == len(grounds) - 1 else rng.randint(0, left)
        left -= n
        raw[("A7.insatser", f"lagrum={ground}")] = (n, None, None)
    raw[("A8.placerade_barn", "ALL")] = (rng.randint(0, 25), None, None)
    for m in ("A8.vardplan", "A8.genomforandeplan", "A8.placeringsinformation", "A9.overvagande_i_tid",
              "A10.ateraktualiserade"):
        _share(raw, m, rng, 30)
    return raw


def klientgrupp_raw(rng: random.Random) -> Raw:
    raw: Raw = {}
    ages, sexes = codes.ALDERSGRUPP.values(), codes.KON_RAPPORT.values()
    _cross(raw, "B1.utredda_barn", [("alder", ages), ("kon", sexes)], rng, 6)
    _one_dim(raw, "B2.anmalare", "anmalare", [*codes.ANMALARE.values(), "SAKNAS"], rng, 12, total=False)
    _one_dim(raw, "B2.orsak", "orsak", codes.ORSAK.values(), rng, 10, total=False)
    for area in codes.TRIANGEL_OMRADE_2006.values():
        _share(raw, "B3.behov", rng, 20, f"version=2006&omrade={area}")
        raw[("B3.ej_bedomt", f"version=2006&omrade={area}")] = (rng.randint(0, 4), None, None)
    _cross(raw, "B4.barn_med_insats", [("grupp", ["ALL", "PLACERING", "OPPEN"][1:]), ("alder", ages),
                                       ("kon", sexes)], rng, 4)
    pairs = {("FAMILJEHEM", "SOL"): rng.randint(1, 9), ("HVB", "LVU_3"): rng.randint(1, 4),
             ("FAMILJEHEM", "LVU_2"): rng.randint(0, 6)}
    for (typ, ground), n in pairs.items():
        if n:
            raw[("B4.placeringar", f"insatstyp={typ}&lagrum={ground}")] = (n, None, None)
    raw[("B4.placeringar", "insatstyp=ALL&lagrum=ALL")] = (sum(pairs.values()), None, None)
    _one_dim(raw, "B5.utredningsresultat", "resultat", codes.UTREDNING_RESULTAT.values(), rng, 15,
             total=False)
    _share(raw, "B6.tidigare_aktualiserade", rng, 40)
    return raw


def _to_figures(raw: Raw, report: str, scope: Scope, period: Period) -> list[Figure]:
    figures = []
    for (measure, breakdown), (value, num, den) in raw.items():
        if value == "share":
            assert num is not None and den is not None
            figures.append(Figure(report, str(scope), period.start, period.end, AS_OF, measure, breakdown,
                                  share_value(num, den), str(num), str(den)))
        elif den is not None:
            text = "" if value == "" else f"{float(value):.1f}"
            figures.append(Figure(report, str(scope), period.start, period.end, AS_OF, measure, breakdown,
                                  text, "", str(den)))
        else:
            figures.append(Figure(report, str(scope), period.start, period.end, AS_OF, measure, breakdown,
                                  str(value)))
    return figures


def _sum(raws: Iterable[Raw]) -> Raw:
    total: Raw = {}
    for raw in raws:
        for key, (value, num, den) in raw.items():
            if key not in total:
                total[key] = (value, num, den)
                continue
            old_value, old_num, old_den = total[key]
            if value == "share":
                total[key] = ("share", (old_num or 0) + (num or 0), (old_den or 0) + (den or 0))
            elif den is not None:
                merged = value if old_value == "" else old_value
                total[key] = (merged, None, (old_den or 0) + den)
            else:
                assert isinstance(value, int) and isinstance(old_value, int)
                total[key] = (old_value + value, None, None)
    return total


def follow_up_figures(report: ReportKind, seed: int = 7,
                      scopes: Iterable[str] | None = None) -> list[Figure]:
    """Figures of `verksamhet` or `klientgrupp` for every district, network and the municipality."""
    make = verksamhet_raw if report == ReportKind.VERKSAMHET else klientgrupp_raw
    per_district = {d: make(random.Random(f"{seed}-{report}-{d}")) for d in DISTRICTS}
    per_scope: dict[str, Raw] = dict(per_district)
    for network, members in NETWORKS.items():
        per_scope[network] = _sum(per_district[d] for d in members)
    per_scope[MUNICIPALITY.code] = _sum(per_district.values())
    wanted = set(scopes) if scopes is not None else set(per_scope)
    figures = []
    for code, raw in per_scope.items():
        if code in wanted:
            figures.extend(_to_figures(raw, report.value, scope_of(code), PERIOD))
    return figures


def licence_figures(scope_code: str) -> list[Figure]:
    """The licence check of every district in the scope (C rows, `stadsdel=` first)."""
    scope = scope_of(scope_code)
    if scope.level == ScopeLevel.DISTRICT:
        members: Sequence[str] = (scope_code,)
    elif scope.level == ScopeLevel.NETWORK:
        members = NETWORKS[scope_code]
    else:
        members = DISTRICTS
    rows: list[tuple[str, str, str, str, str]] = []
    for i, d in enumerate(members):
        s = f"stadsdel={d}"
        trial = i % 2 == 1
        rows += [
            ("C1.licens", s, "PROVOLICENS" if trial else "LICENS", "", ""),
            ("C1.licens", f"{s}&uppgift=beviljad", "2024-09-01" if trial else "2010-06-01", "", ""),
        ]
        if trial:
            rows += [
                ("C1.provolicens_slut", s, "2026-09-01", "", ""),
                ("C1.provolicens_slut", f"{s}&uppgift=dagar_kvar", "458", "", ""),
                ("C1.provolicens_slut", f"{s}&uppgift=ansokan_licens", "N", "", ""),
                ("C1.provolicens_slut", f"{s}&uppgift=varning", "N", "", ""),
            ]
        users = 20 + 3 * i
        untrained = 2 if i == 1 else 0
        rows += [
            ("C2.bbic_ansvarig", s, "J", "", ""),
            ("C3.utbildare", s, "2", "", ""),
            ("C3.utbildare_utbildade", s, "2" if i != 2 else "0", "", ""),
            ("C4.anvandare", s, str(users), "", ""),
            ("C4.anvandare_utbildade", s, share_value(users - untrained, users), str(users - untrained),
             str(users)),
            ("C4.utan_utbildning", s, str(untrained), "", ""),
        ]
        rows += [("C4.utan_utbildning", f"{s}&handlaggare_id=RK{1000 + j}", "1", "", "")
                 for j in range(untrained)]
        documents = ("ANMALAN_ANSOKAN", "UTREDNING", "UTREDNINGSPLAN", "VARDPLAN", "GENOMFORANDEPLAN",
                     "OVERVAGANDE_OMPROVNING")
        for j, doc in enumerate(documents):
            den = 40 + 7 * j
            num = den - (j % 3) - (5 if i == 3 else 0)
            rows.append(("C5.formular", f"{s}&dokument={doc}", share_value(num, den), str(num), str(den)))
        rows += [
            ("C6.underlicenser", s, "1", "", ""),
            ("C6.underlicenser", f"{s}&enhet=Socialjouren {NAMES[d]}", "1", "", ""),
            ("C7.utbildningsbehov", s, str(untrained), "", ""),
            ("C7.utbildningsbehov", f"{s}&uppgift=grupper", "1" if untrained else "0", "", ""),
            ("C7.utbildningsbehov", f"{s}&uppgift=kursdagar", "3" if untrained else "0", "", ""),
        ]
        statuses = {"R1": "UPPFYLLT", "R2": "UPPFYLLT", "R3": "EJ_UPPFYLLT" if i == 2 else "UPPFYLLT",
                    "R4": "EJ_UPPFYLLT" if untrained else "UPPFYLLT",
                    "R5": "EJ_UPPFYLLT" if i == 3 else "UPPFYLLT"}
        overall = "EJ_UPPFYLLT" if "EJ_UPPFYLLT" in statuses.values() else "UPPFYLLT"
        rows += [("C.krav", f"{s}&krav={r}", v, "", "") for r, v in statuses.items()]
        rows.append(("C.krav", f"{s}&krav=ALL", overall, "", ""))
    return [Figure("licens", str(scope), WINDOW.start, WINDOW.end, AS_OF, m, b, v, n, dd)
            for m, b, v, n, dd in rows]


def context(report: ReportKind, scope_code: str, *, mode: str = "internal",
            names: Mapping[str, str] = NAMES) -> DocumentContext:
    return DocumentContext(
        report=report,
        scope=scope_of(scope_code),
        scope_name=names[scope_code],
        period=WINDOW if report == ReportKind.LICENS else PERIOD,
        as_of=AS_OF,
        export_id=EXPORT_ID,
        mode="published" if mode == "published" else "internal",
        quarantined_rows=3,
        period_name="Hittills i år" if report != ReportKind.LICENS else "",
        names=names,
    )
