"""The case chain over time, vectorised: aktualisering → förhandsbedömning → utredning → insats
→ documents and reviews, grouped into episodes (one `arende` each).

An *episode* is a child's stretch of contact with one district: its first aktualisering opens
the case, later ones join it, and the case closes some weeks after its last activity once
nothing is pending. Some children come back in a later episode (possibly in another district).
Every step is computed for all episodes at once with numpy; the only Python loops run over
small counts (the rank of an aktualisering within its episode, review number, episode pass).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from bbic_core import codes
from bbic_core.synth.vdates import FAR_FUTURE, NULL_DAY, add_months, day

I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]
B = npt.NDArray[np.bool_]

AKT_TYP = tuple(codes.AKTUALISERING_TYP.values())  # ANSOKAN, ANMALAN, INFORMATION
ANMALARE = tuple(codes.ANMALARE.values())
ORSAK = tuple(codes.ORSAK.values())
FHB = tuple(codes.FHB_BESLUT.values())  # INLEDA, INTE_INLEDA, PAGAENDE
RESULTAT = tuple(codes.UTREDNING_RESULTAT.values())
INSATSTYP = tuple(codes.INSATSTYP.values())
LAGRUM = tuple(codes.LAGRUM.values())
DOKTYP = tuple(codes.DOKUMENT_TYP.values())
OMRADE = tuple(codes.TRIANGEL_OMRADE_ALLA.values())
BEDOMNING = tuple(codes.BEDOMNING.values())
VERSION = ("2006", "2016")

T_ANSOKAN, T_ANMALAN, T_INFORMATION = 0, 1, 2
F_INLEDA, F_INTE, F_PAGAENDE = 0, 1, 2
R_INSATS = RESULTAT.index("INSATS")
L_SOL, L_LVU2, L_LVU3, L_LVU23, L_LVU6 = (LAGRUM.index(c)
                                          for c in ("SOL", "LVU_2", "LVU_3", "LVU_2_3", "LVU_6"))
PLACEMENT = np.array([c in codes.PLACEMENT_TYPES for c in INSATSTYP])
D_GRUND, D_VARD, D_PLAC, D_GENOM, D_OVERV, D_OMPROV, D_UPPF, D_AVSL = (DOKTYP.index(c) for c in (
    "GRUNDUPPGIFTER", "VARDPLAN", "PLACERINGSINFORMATION", "GENOMFORANDEPLAN", "OVERVAGANDE", "OMPROVNING",
    "UPPFOLJNING", "AVSLUTNING"))
AREAS = (np.array([OMRADE.index(c) for c in codes.TRIANGEL_OMRADE_2006.values()]),
         np.array([OMRADE.index(c) for c in codes.TRIANGEL_OMRADE_2016.values()]))
_DUTY = np.array([c in codes.DUTY_TO_REPORT for c in ANMALARE])
_SEVERE = np.array([c in ("VALD_MOT_BARN", "SEXUELLA_OVERGREPP", "HEDERSRELATERAT", "BRISTANDE_OMSORG")
                    for c in ORSAK])
_V2016_FROM = day(dt.date(2016, 1, 1))
_V2016_ALL = day(dt.date(2017, 1, 1))
YEAR = 365
AKT_AGE_LIMIT = 19 * YEAR  # later events (at most about a year on) keep every age at 20 or less (V023)
EVENT_AGE_LIMIT = 20 * YEAR


def _p(weights: dict[str, float], labels: tuple[str, ...]) -> npt.NDArray[np.float64]:
    v = np.array([weights.get(c, 0.0) for c in labels], dtype=np.float64)
    share: npt.NDArray[np.float64] = v / v.sum()
    return share


_P_ANMALARE = _p({"POLIS": 24, "SKOLA": 20, "FORSKOLA": 6, "HALSO_SJUKVARD": 10, "BUP": 5, "SOCIALTJANST": 11,
                  "ANNAN_MYNDIGHET": 6, "FORALDER": 5, "ANHORIG": 4, "BARNET": 1.5, "PRIVATPERSON": 5.5,
                  "OVRIG": 2}, ANMALARE)
_P_ORSAK_ANMALAN = _p({"VALD_MOT_BARN": 14, "SEXUELLA_OVERGREPP": 3, "BEVITTNAT_VALD": 12,
                       "BRISTANDE_OMSORG": 15, "FORALDRARS_MISSBRUK": 8, "FORALDRARS_PSYKISKA_OHALSA": 7,
                       "KONFLIKT_I_FAMILJEN": 9,
                       "HEDERSRELATERAT": 2, "EGET_MISSBRUK": 5, "KRIMINALITET": 9,
                       "ANNAT_NEDBRYTANDE_BETEENDE": 5, "SKOLSVARIGHETER": 4, "PSYKISK_OHALSA_BARN": 5,
                       "ENSAMKOMMANDE": 1, "OVRIGT": 1}, ORSAK)
_P_ORSAK_ANSOKAN = _p({"ANSOKAN_OM_STOD": 60, "KONFLIKT_I_FAMILJEN": 10, "PSYKISK_OHALSA_BARN": 10,
                       "EGET_MISSBRUK": 5, "ENSAMKOMMANDE": 5, "SKOLSVARIGHETER": 5, "OVRIGT": 5}, ORSAK)
_P_OPEN = _p({"KONTAKTPERSON": 22, "KONTAKTFAMILJ": 15, "SARSKILT_KVALIFICERAD_KONTAKTPERSON": 5,
              "STRUKTURERAT_OPPENVARDSPROGRAM": 12, "FAMILJEBEHANDLING": 28, "PERSONLIGT_STOD": 8,
              "OVRIG_OPPENVARD": 10}, INSATSTYP)
_P_PLACE_YOUNG = _p({"FAMILJEHEM": 55, "NATVERKSHEM": 18, "JOURHEM": 22, "HVB": 5}, INSATSTYP)
_P_PLACE_TEEN = _p({"FAMILJEHEM": 28, "NATVERKSHEM": 8, "JOURHEM": 8, "HVB": 34, "SIS": 8, "STODBOENDE": 14},
                   INSATSTYP)


@dataclass
class Episodes:
    child: I64
    district: I32
    start: I32
    has_case: B = field(default_factory=lambda: np.zeros(0, bool))
    oppnat: I32 = field(default_factory=lambda: np.zeros(0, np.int32))
    avslutat: I32 = field(default_factory=lambda: np.zeros(0, np.int32))
    close_day: I32 = field(default_factory=lambda: np.zeros(0, np.int32))  # NULL_DAY: something pending


@dataclass
class Akts:
    ep: I64
    rank: I64
    typ: I32
    inkom: I32
    anmalare: I32
    anonym: I32  # -1 empty (= N), 0 N, 1 J
    orsak: I32
    skydd: I32
    fhb: I32
    beslut: I32  # -1 undecided
    bbic: B


@dataclass
class Invs:
    akt: I64  # the aktualisering (index into Akts) that led to it
    ep: I64
    inledd: I32
    plan: I32
    forlangd: I32
    avslutad: I32
    resultat: I32  # -1 open
    version: I32  # 0: 2006, 1: 2016
    bbic: B


@dataclass
class Interventions:
    ep: I64
    inv: I64  # -1: decided without a linked investigation
    typ: I32
    lagrum: I32
    beslut: I32
    start: I32  # NULL_DAY: = beslut
    slut: I32  # NULL_DAY: ongoing


@dataclass
class Docs:
    ep: I64
    ins: I64  # -1: none
    typ: I32
    datum: I32
    bbic: B


@dataclass
class World:
    birth: I32
    sex: npt.NDArray[np.int8]
    episodes: Episodes
    akts: Akts
    invs: Invs
    interventions: Interventions
    docs: Docs


def _concat(items: list[object], cls: type) -> object:  # dataclasses of arrays, field by field
    names = list(cls.__dataclass_fields__)  # type: ignore[attr-defined]
    return cls(**{n: np.concatenate([getattr(i, n) for i in items]) for n in names})


def _choice(rng: np.random.Generator, p: npt.NDArray[np.float64], n: int) -> I32:
    return np.searchsorted(np.cumsum(p), rng.random(n) * (1 - 1e-12), side="right").astype(np.int32)


def _lognormal_days(rng: np.random.Generator, median: float, sigma: float, n: int, lo: int, hi: int) -> I64:
    return np.clip(np.round(rng.lognormal(np.log(median), sigma, n)), lo, hi).astype(np.int64)


def _group_max(groups: I64, values: I64, n: int) -> I64:
    out = np.full(n, np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(out, groups, values)
    return out


def _akts(ep: Episodes, birth: I32, as_of: int, bbic_rate: npt.NDArray[np.float64],
          rng: np.random.Generator) -> Akts:
    n_ep = len(ep.child)
    k = 1 + np.minimum(rng.poisson(0.6, n_ep), 5)
    a_ep = np.repeat(np.arange(n_ep, dtype=np.int64), k)
    first = np.r_[0, np.cumsum(k)[:-1]]
    rank = np.arange(len(a_ep)) - first[a_ep]
    gap = np.where(rank == 0, 0, 1 + rng.exponential(110, len(a_ep)).astype(np.int64))
    cs = np.cumsum(gap)
    inkom = ep.start[a_ep].astype(np.int64) + cs - cs[first[a_ep]]
    keep = (inkom <= as_of) & ((inkom - birth[ep.child[a_ep]] < AKT_AGE_LIMIT) | (rank == 0))
    a_ep, rank, inkom = a_ep[keep], rank[keep], inkom[keep]
    n = len(a_ep)
    u = rng.random(n)
    typ = np.where(u < np.where(rank == 0, 0.10, 0.06), T_ANSOKAN,
                   np.where(u < 0.82, T_ANMALAN, T_INFORMATION)).astype(np.int32)
    anmalare = _choice(rng, _P_ANMALARE, n)
    info_reporter = rng.random(n) < 0.5
    with_reporter = (typ == T_ANMALAN) | ((typ == T_INFORMATION) & info_reporter)
    anmalare = np.where(with_reporter, anmalare, -1).astype(np.int32)
    non_duty = (anmalare >= 0) & ~_DUTY[np.maximum(anmalare, 0)]
    anon = non_duty & (typ == T_ANMALAN) & (rng.random(n) < 0.25)
    anonym = np.where(anon, 1, np.where(rng.random(n) < 0.3, -1, 0)).astype(np.int32)
    orsak = np.where(typ == T_ANSOKAN, _choice(rng, _P_ORSAK_ANSOKAN, n), _choice(rng, _P_ORSAK_ANMALAN, n))
    u = rng.random(n)
    skydd_delay = np.where(u < 0.66, 0, np.where(u < 0.88, 1, rng.integers(2, 8, n)))
    has_skydd = (typ == T_ANMALAN) | ((typ == T_INFORMATION) & (rng.random(n) < 0.4)) | (
        (typ == T_ANSOKAN) & (rng.random(n) < 0.08))
    skydd = np.where(has_skydd, np.minimum(inkom + skydd_delay, as_of), NULL_DAY)
    u = rng.random(n)
    delay = np.where(u < 0.85, rng.integers(0, 15, n), np.where(u < 0.97, rng.integers(15, 45, n),
                                                                 rng.integers(45, 150, n)))
    delay = np.where(typ == T_ANSOKAN, rng.integers(0, 8, n), delay)
    fhb = inkom + delay
    stuck = (typ != T_ANSOKAN) & (rng.random(n) < 0.004)
    fhb = np.where((fhb <= as_of) & ~stuck, fhb, NULL_DAY)
    bbic = rng.random(n) < bbic_rate[ep.district[a_ep]]
    return Akts(a_ep, rank, typ, inkom.astype(np.int32), anmalare, anonym, orsak.astype(np.int32),
                skydd.astype(np.int32), fhb.astype(np.int32), np.full(n, -1, np.int32), bbic)


def _decide(ep: Episodes, akts: Akts, as_of: int, rng: np.random.Generator) -> tuple[I64, I64]:
    """Pre-assessment decisions, rank by rank (an investigation in progress takes later reports in).

    Returns the aktualiseringar that open an investigation and each one's planned duration.
    """
    inv_until = np.full(len(ep.child), -1, dtype=np.int64)
    opened: list[I64] = [np.zeros(0, np.int64)]
    durations: list[I64] = [np.zeros(0, np.int64)]
    for r in range(int(akts.rank.max(initial=-1)) + 1):
        rows = np.nonzero(akts.rank == r)[0]
        e = akts.ep[rows]
        decided = akts.fhb[rows] != NULL_DAY
        typ = akts.typ[rows]
        inkom = akts.inkom[rows].astype(np.int64)
        ongoing = inv_until[e] >= inkom
        p_open = np.where(typ == T_INFORMATION, 0.22, np.where(_SEVERE[akts.orsak[rows]], 0.55, 0.30))
        opens = rng.random(len(rows)) < p_open
        beslut = np.where(typ == T_ANSOKAN, F_INLEDA,
                          np.where(ongoing, F_PAGAENDE, np.where(opens, F_INLEDA, F_INTE)))
        akts.beslut[rows] = np.where(decided, beslut, -1)
        new = rows[decided & (beslut == F_INLEDA)]
        dur = _lognormal_days(rng, 105, 0.38, len(new), 20, 330)
        end = akts.fhb[new].astype(np.int64) + dur
        end = np.where(end <= as_of, end, FAR_FUTURE)
        np.maximum.at(inv_until, akts.ep[new], end)
        opened.append(new)
        durations.append(dur)
    return np.concatenate(opened), np.concatenate(durations)


def _invs(ep: Episodes, akts: Akts, opened: I64, dur: I64, as_of: int, bbic_rate: npt.NDArray[np.float64],
          rng: np.random.Generator) -> Invs:
    n = len(opened)
    e = akts.ep[opened]
    inledd = akts.fhb[opened].astype(np.int64)
    raw_end = inledd + dur
    closed = raw_end <= as_of
    avslutad = np.where(closed, raw_end, NULL_DAY)
    plan = inledd + rng.integers(0, 22, n)
    plan = np.where((rng.random(n) < 0.95) & (plan <= as_of), plan, NULL_DAY)
    four = add_months(inledd, 4).astype(np.int64)
    over = raw_end > four
    extend = over & (rng.random(n) < 0.6) & (inledd + 100 <= as_of)
    forlangd = four + rng.integers(20, 100, n)
    forlangd = np.where(rng.random(n) < 0.8, np.maximum(forlangd, raw_end + rng.integers(0, 15, n)), forlangd)
    forlangd = np.where(extend, forlangd, NULL_DAY)
    resultat = _choice(rng, np.array([0.45, 0.43, 0.04, 0.08]), n)
    resultat = np.where(closed, resultat, -1).astype(np.int32)
    # 2006 triangle before 2016, 2016 after; during 2016 both occur, the 2016 share growing over the year.
    frac = (inledd - _V2016_FROM) / float(_V2016_ALL - _V2016_FROM)
    version = (rng.random(n) < np.clip(frac, 0.0, 1.0)).astype(np.int32)
    bbic = rng.random(n) < bbic_rate[ep.district[e]]
    return Invs(opened, e, inledd.astype(np.int32), plan.astype(np.int32), forlangd.astype(np.int32),
                avslutad.astype(np.int32), resultat, version, bbic)


def assessment_rows(version: I32, closed: B, rng: np.random.Generator) -> tuple[I64, I32, I32]:
    """Triangle assessments for investigations in the given order: (investigation, area, assessment).

    Closed investigations assess most areas of their version; ongoing ones some. Each has its own
    level of need, so that needs profiles differ between children.
    """
    n = len(version)
    n_areas = np.where(version == 1, len(AREAS[1]), len(AREAS[0]))
    inv = np.repeat(np.arange(n, dtype=np.int64), n_areas)
    pos = np.arange(len(inv)) - np.repeat(np.cumsum(n_areas) - n_areas, n_areas)
    v = version[inv]
    omrade = np.where(v == 1, AREAS[1][np.minimum(pos, len(AREAS[1]) - 1)], AREAS[0][pos % len(AREAS[0])])
    present = rng.random(len(inv), dtype=np.float32) < np.where(closed[inv], 0.94, 0.35)
    need = rng.beta(2.0, 3.0, n).astype(np.float32)[inv]
    u = rng.random(len(inv), dtype=np.float32)
    bedomning = np.where(u < 0.08, 2, np.where(u < 0.08 + 0.92 * need, 0, 1)).astype(np.int32)
    return inv[present], omrade[present].astype(np.int32), bedomning[present]


def _interventions(ep: Episodes, akts: Akts, invs: Invs, birth: I32, as_of: int,
                   rng: np.random.Generator) -> Interventions:
    base = np.nonzero(invs.resultat == R_INSATS)[0]
    count = 1 + (rng.random(len(base)) < 0.3)
    inv = np.repeat(base, count).astype(np.int64)
    nth = np.arange(len(inv)) - np.repeat(np.cumsum(count) - count, count)
    n = len(inv)
    e = invs.ep[inv]
    beslut = invs.avslutad[inv].astype(np.int64) + rng.integers(0, 12, n)
    age = beslut - birth[ep.child[e]]
    placed = rng.random(n) < np.where(nth == 0, 0.32, 0.08)
    place_typ = np.where(age < 12 * YEAR, _choice(rng, _P_PLACE_YOUNG, n), _choice(rng, _P_PLACE_TEEN, n))
    typ = np.where(placed, place_typ, _choice(rng, _P_OPEN, n)).astype(np.int32)
    u = rng.random(n)
    lagrum = np.where(u < 0.62, L_SOL, np.where(u < 0.82, L_LVU2, np.where(u < 0.92, L_LVU3, L_LVU23)))
    sis = typ == INSATSTYP.index("SIS")
    lagrum = np.where(sis, np.where(u < 0.1, L_SOL, np.where(u < 0.8, L_LVU3, L_LVU23)), lagrum)
    lagrum = np.where(PLACEMENT[typ], lagrum, L_SOL).astype(np.int32)
    link = np.where(rng.random(n) < 0.97, inv, -1)
    keep = (beslut <= as_of) & (age < EVENT_AGE_LIMIT)
    main = (e[keep], link[keep], typ[keep], lagrum[keep], beslut[keep])
    # Moves: some placements are followed by another one from the day the first ends (filled in below).
    # Immediate custody (LVU 6 §) during some investigations of severe reasons.
    severe = _SEVERE[akts.orsak[invs.akt]] & (rng.random(len(invs.ep)) < 0.08)
    cust = np.nonzero(severe)[0]
    c_beslut = np.minimum(invs.inledd[cust].astype(np.int64) + rng.integers(0, 3, len(cust)), as_of)
    c_typ = np.where(rng.random(len(cust)) < 0.6, INSATSTYP.index("JOURHEM"), INSATSTYP.index("HVB"))
    c_keep = (c_beslut - birth[ep.child[invs.ep[cust]]]) < EVENT_AGE_LIMIT
    ep_all = np.concatenate([main[0], invs.ep[cust][c_keep]])
    inv_all = np.concatenate([main[1], cust[c_keep]])
    typ_all = np.concatenate([main[2], c_typ[c_keep]]).astype(np.int32)
    lag_all = np.concatenate([main[3], np.full(int(c_keep.sum()), L_LVU6)]).astype(np.int32)
    bes_all = np.concatenate([main[4], c_beslut[c_keep]])
    ins = _timing(ep_all, inv_all, typ_all, lag_all, bes_all, as_of, rng)
    ended = (ins.slut != NULL_DAY) & (ins.slut <= as_of)
    movable = PLACEMENT[ins.typ] & (ins.lagrum != L_LVU6) & ended
    moved = np.nonzero(movable & (rng.random(len(ins.ep)) < 0.15))[0]
    m_beslut = ins.slut[moved].astype(np.int64)
    m_ok = (m_beslut - birth[ep.child[ins.ep[moved]]]) < EVENT_AGE_LIMIT
    moved = moved[m_ok]
    m_typ = np.where(ins.typ[moved] == INSATSTYP.index("JOURHEM"), INSATSTYP.index("FAMILJEHEM"),
                     _choice(rng, _P_PLACE_TEEN, len(moved))).astype(np.int32)
    nxt = _timing(ins.ep[moved], ins.inv[moved], m_typ, ins.lagrum[moved], ins.slut[moved].astype(np.int64),
                  as_of, rng, start_on_decision=True)
    out = _concat([ins, nxt], Interventions)
    assert isinstance(out, Interventions)
    return out


def _timing(e: I64, inv: I64, typ: I32, lagrum: I32, beslut: I64, as_of: int, rng: np.random.Generator,
            start_on_decision: bool = False) -> Interventions:
    n = len(e)
    u = rng.random(n)
    offset = np.where(u < 0.8, rng.integers(0, 15, n), rng.integers(-7, 0, n))
    start = np.where((rng.random(n) < 0.45) | start_on_decision, NULL_DAY, beslut + offset)
    eff = np.where(start == NULL_DAY, beslut, start)
    place = PLACEMENT[typ]
    dur = np.where(place, _lognormal_days(rng, 330, 0.9, n, 20, 3000),
                   _lognormal_days(rng, 220, 0.6, n, 30, 1500))
    dur = np.where(lagrum == L_LVU6, rng.integers(10, 45, n), dur)
    end = eff + dur
    planned = rng.random(n) < 0.25
    slut = np.where(end <= as_of, end, np.where(planned & (lagrum != L_LVU6), end, NULL_DAY))
    return Interventions(e, inv, typ, lagrum, beslut.astype(np.int32), start.astype(np.int32),
                         slut.astype(np.int32))


def _due_dates(start: I64, limit: I64) -> tuple[I64, I64, I64]:
    """Six-monthly due dates d_k = start + 6k months while d_k <= limit: (owner row, k, d_k)."""
    rows: list[I64] = [np.zeros(0, np.int64)]
    ks: list[I64] = [np.zeros(0, np.int64)]
    dues: list[I64] = [np.zeros(0, np.int64)]
    alive = np.arange(len(start), dtype=np.int64)
    k = 1
    while len(alive):
        d = add_months(start[alive], 6 * k).astype(np.int64)
        ok = d <= limit[alive]
        alive, d = alive[ok], d[ok]
        rows.append(alive)
        ks.append(np.full(len(alive), k, np.int64))
        dues.append(d)
        k += 1
    return np.concatenate(rows), np.concatenate(ks), np.concatenate(dues)


def _docs(ins: Interventions, as_of: int, bbic_rate: npt.NDArray[np.float64], district: I32,
          rng: np.random.Generator) -> Docs:
    n = len(ins.ep)
    idx = np.arange(n, dtype=np.int64)
    beslut = ins.beslut.astype(np.int64)
    eff = np.where(ins.start == NULL_DAY, beslut, ins.start.astype(np.int64))
    end = np.where(ins.slut == NULL_DAY, FAR_FUTURE, ins.slut.astype(np.int64))
    place = PLACEMENT[ins.typ]
    custody = ins.lagrum == L_LVU6
    parts: list[tuple[I64, I64, I64]] = []  # (intervention, type, date)

    def add(mask: B, typ: int, dates: I64, p: float | npt.NDArray[np.float64]) -> None:
        keep = mask & (rng.random(n) < p) & (dates <= as_of)
        parts.append((idx[keep], np.full(int(keep.sum()), typ, np.int64), dates[keep]))

    # Care plans and implementation plans: most soon after the decision, some late, some missing.
    late = rng.random(n) < 0.15
    vard = beslut + np.where(late, rng.integers(31, 150, n), rng.integers(-5, 25, n))
    add(place & ~custody, D_VARD, vard, 0.9)
    late = rng.random(n) < 0.2
    genom = eff + np.where(late, rng.integers(31, 120, n), rng.integers(0, 31, n))
    add(place & ~custody, D_GENOM, genom, 0.85)
    add(place, D_PLAC, eff + rng.integers(-3, 11, n), np.where(custody, 0.7, 0.9))
    # Reviews of placements (not immediate custody): every six months, most in time, some late, some missing.
    review = np.nonzero(place & ~custody)[0]
    owner, _k, due = _due_dates(eff[review], np.minimum(end[review], as_of))
    owner = review[owner]
    lag = ins.lagrum[owner]
    either = np.where(rng.random(len(owner)) < 0.5, D_OMPROV, D_OVERV)
    r_typ = np.where(lag == L_LVU3, D_OMPROV, np.where(lag == L_LVU23, either, D_OVERV))
    u = rng.random(len(owner))
    r_date = np.where(u < 0.86, due - rng.integers(0, 40, len(owner)), due + rng.integers(1, 60, len(owner)))
    r_keep = (u < 0.95) & (r_date <= as_of)
    parts.append((owner[r_keep], r_typ[r_keep].astype(np.int64), r_date[r_keep]))
    # Follow-up of open help, about every six months.
    open_help = np.nonzero(~place)[0]
    owner, _k, due = _due_dates(eff[open_help], np.minimum(end[open_help], as_of))
    owner = open_help[owner]
    f_date = due + rng.integers(-20, 21, len(owner))
    f_keep = (rng.random(len(owner)) < 0.75) & (f_date <= as_of)
    parts.append((owner[f_keep], np.full(int(f_keep.sum()), D_UPPF, np.int64), f_date[f_keep]))
    d_ins = np.concatenate([p[0] for p in parts])
    d_typ = np.concatenate([p[1] for p in parts]).astype(np.int32)
    d_date = np.concatenate([p[2] for p in parts]).astype(np.int32)
    d_ep = ins.ep[d_ins]
    bbic = rng.random(len(d_ins)) < bbic_rate[district[d_ep]]
    return Docs(d_ep, d_ins, d_typ, d_date, bbic)


def _close(ep: Episodes, akts: Akts, invs: Invs, ins: Interventions, docs: Docs, as_of: int,
           rng: np.random.Generator) -> None:
    n = len(ep.child)
    investigated = np.zeros(n, bool)
    investigated[akts.ep[(akts.beslut == F_INLEDA) | (akts.beslut == F_PAGAENDE)]] = True
    pending = np.zeros(n, bool)
    pending[akts.ep[akts.beslut < 0]] = True
    pending[invs.ep[invs.avslutad == NULL_DAY]] = True
    pending[ins.ep[(ins.slut == NULL_DAY) | (ins.slut > as_of)]] = True
    has_case = investigated | pending | (rng.random(n) < 0.35)
    last = _group_max(akts.ep, np.maximum.reduce([akts.inkom, akts.skydd, akts.fhb]).astype(np.int64), n)
    for g, v in ((invs.ep, np.maximum.reduce([invs.inledd, invs.plan, invs.avslutad])),
                 (ins.ep, np.maximum.reduce([ins.beslut, ins.start,
                                             np.where(ins.slut > as_of, NULL_DAY, ins.slut)])),
                 (docs.ep, docs.datum)):
        np.maximum.at(last, g, v.astype(np.int64))
    avslutat = last + rng.integers(0, 46, n)
    lingering = rng.random(n) < 0.04
    closed = has_case & ~pending & (avslutat <= as_of) & ~lingering
    first = akts.rank == 0
    oppnat = np.full(n, NULL_DAY, np.int32)
    oppnat[akts.ep[first]] = akts.inkom[first]
    ep.has_case = has_case
    ep.oppnat = np.where(has_case, oppnat, NULL_DAY).astype(np.int32)
    ep.avslutat = np.where(closed, avslutat, NULL_DAY).astype(np.int32)
    caseless_done = ~has_case & ~pending
    ep.close_day = np.where(closed, avslutat, np.where(caseless_done, last, NULL_DAY)).astype(np.int32)


def _case_docs(ep: Episodes, ins: Interventions, as_of: int, bbic_rate: npt.NDArray[np.float64],
               rng: np.random.Generator) -> Docs:
    n = len(ep.child)
    idx = np.arange(n, dtype=np.int64)
    ceiling = np.where(ep.avslutat == NULL_DAY, as_of, ep.avslutat).astype(np.int64)
    g_date = np.minimum(ep.oppnat.astype(np.int64) + rng.integers(0, 22, n), ceiling)
    g_keep = ep.has_case & (rng.random(n) < 0.9)
    a_keep = (ep.avslutat != NULL_DAY) & (rng.random(n) < 0.8)
    last_ins = np.full(n, -1, np.int64)
    np.maximum.at(last_ins, ins.ep, np.arange(len(ins.ep), dtype=np.int64))
    a_ins = np.where(rng.random(n) < 0.3, last_ins, -1)
    d_ep = np.concatenate([idx[g_keep], idx[a_keep]])
    d_ins = np.concatenate([np.full(int(g_keep.sum()), -1, np.int64), a_ins[a_keep]])
    d_typ = np.concatenate([np.full(int(g_keep.sum()), D_GRUND, np.int32),
                            np.full(int(a_keep.sum()), D_AVSL, np.int32)])
    d_date = np.concatenate([g_date[g_keep], ep.avslutat[a_keep].astype(np.int64)]).astype(np.int32)
    bbic = rng.random(len(d_ep)) < bbic_rate[ep.district[d_ep]]
    return Docs(d_ep, d_ins, d_typ, d_date, bbic)


@dataclass
class _Pass:
    ep: Episodes
    akts: Akts
    invs: Invs
    ins: Interventions
    docs: Docs


def _one_pass(ep: Episodes, birth: I32, as_of: int, bbic_rate: npt.NDArray[np.float64],
              rng: np.random.Generator) -> _Pass:
    akts = _akts(ep, birth, as_of, bbic_rate, rng)
    opened, dur = _decide(ep, akts, as_of, rng)
    invs = _invs(ep, akts, opened, dur, as_of, bbic_rate, rng)
    ins = _interventions(ep, akts, invs, birth, as_of, rng)
    docs = _docs(ins, as_of, bbic_rate, ep.district, rng)
    _close(ep, akts, invs, ins, docs, as_of, rng)
    case_docs = _case_docs(ep, ins, as_of, bbic_rate, rng)
    all_docs = _concat([docs, case_docs], Docs)
    assert isinstance(all_docs, Docs)
    return _Pass(ep, akts, invs, ins, all_docs)


def build_world(*, n_children: int, window_start: int, as_of: int, district_weights: npt.NDArray[np.float64],
                bbic_rate: npt.NDArray[np.float64], rng: np.random.Generator) -> World:
    """Children and their episodes over `[window_start, as_of]`."""
    n = n_children
    start = np.sort(rng.integers(window_start, as_of + 1, n)).astype(np.int32)
    u = rng.random(n)
    age_years = np.where(u < 0.28, rng.integers(0, 7, n), np.where(u < 0.58, rng.integers(7, 13, n),
                                                                    rng.integers(13, 18, n)))
    age_days = np.minimum(age_years * YEAR + rng.integers(0, YEAR, n), 18 * YEAR - 30)
    birth = (start - age_days).astype(np.int32)
    sex = np.where(rng.random(n) < 0.52, 1, 2).astype(np.int8)
    p_d = district_weights / district_weights.sum()
    district = _choice(rng, p_d, n)
    episodes = Episodes(np.arange(n, dtype=np.int64), district, start)
    passes: list[_Pass] = []
    for _ in range(3):
        if not len(episodes.child):
            break
        done = _one_pass(episodes, birth, as_of, bbic_rate, rng)
        passes.append(done)
        ep = done.ep
        again = np.nonzero((ep.close_day != NULL_DAY) & (rng.random(len(ep.child)) < 0.28))[0]
        nxt = ep.close_day[again].astype(np.int64) + 20 + rng.exponential(300, len(again)).astype(np.int64)
        child = ep.child[again]
        ok = (nxt <= as_of) & (nxt - birth[child] < 18 * YEAR + 180)
        moves = rng.random(len(again)) < 0.15
        new_district = np.where(moves, _choice(rng, p_d, len(again)), ep.district[again]).astype(np.int32)
        episodes = Episodes(child[ok], new_district[ok], nxt[ok].astype(np.int32))
    return _merge(birth, sex, passes)


def _merge(birth: I32, sex: npt.NDArray[np.int8], passes: list[_Pass]) -> World:
    """Concatenates the passes, re-basing each pass's internal indices."""
    eps: list[Episodes] = []
    akts: list[Akts] = []
    invs: list[Invs] = []
    inss: list[Interventions] = []
    docs: list[Docs] = []
    off_ep = off_akt = off_inv = off_ins = 0
    for p in passes:
        eps.append(p.ep)
        a = p.akts
        akts.append(Akts(a.ep + off_ep, a.rank, a.typ, a.inkom, a.anmalare, a.anonym, a.orsak, a.skydd, a.fhb,
                         a.beslut, a.bbic))
        v = p.invs
        invs.append(Invs(v.akt + off_akt, v.ep + off_ep, v.inledd, v.plan, v.forlangd, v.avslutad, v.resultat,
                         v.version, v.bbic))
        i = p.ins
        inss.append(Interventions(i.ep + off_ep, np.where(i.inv >= 0, i.inv + off_inv, -1), i.typ, i.lagrum,
                                  i.beslut, i.start, i.slut))
        d = p.docs
        docs.append(Docs(d.ep + off_ep, np.where(d.ins >= 0, d.ins + off_ins, -1), d.typ, d.datum, d.bbic))
        off_ep += len(p.ep.child)
        off_akt += len(a.ep)
        off_inv += len(v.ep)
        off_ins += len(i.ep)
    ep_all = Episodes(np.concatenate([e.child for e in eps]), np.concatenate([e.district for e in eps]),
                      np.concatenate([e.start for e in eps]))
    ep_all.has_case = np.concatenate([e.has_case for e in eps])
    ep_all.oppnat = np.concatenate([e.oppnat for e in eps])
    ep_all.avslutat = np.concatenate([e.avslutat for e in eps])
    ep_all.close_day = np.concatenate([e.close_day for e in eps])
    akts_all = _concat(list(akts), Akts)
    invs_all = _concat(list(invs), Invs)
    ins_all = _concat(list(inss), Interventions)
    docs_all = _concat(list(docs), Docs)
    assert isinstance(akts_all, Akts) and isinstance(invs_all, Invs)
    assert isinstance(ins_all, Interventions) and isinstance(docs_all, Docs)
    return World(birth, sex, ep_all, akts_all, invs_all, ins_all, docs_all)
