"""Paraply users (`personal.csv`), their training (`utbildning.csv`) and who made each record.

Each district has a number of posts; a post is held by one person after another (turnover),
so that staff exist at every date of the window. Every id the register names gets a row in its
district. Training: most users are trained before they start, some late (they work untrained
for a while), some never: the licence report's C4 then has something to find.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from bbic_core.synth import frame as fr
from bbic_core.synth.register_copy import RegisterInfo
from bbic_core.synth.vdates import NULL_DAY, day, month_index, month_start

ROLES = ("HANDLAGGARE", "ARBETSLEDARE", "ENHETSCHEF", "OVRIG")
TRAININGS = ("GRUNDUTBILDNING", "SOS_GRUNDUTBILDNING", "UTBILDARUTBILDNING", "E_LEARNING")
_HANDLAGGARE, _ARBETSLEDARE, _ENHETSCHEF, _OVRIG = range(4)
I32 = npt.NDArray[np.int32]
_BBIC_START = day(dt.date(2008, 1, 15))  # Stockholm trained its staff in 2008
_OPEN = int(NULL_DAY)
_AKT_PER_CASEWORKER = 60  # aktualiseringar a year per post: about 700 posts for Stockholm


@dataclass
class Staff:
    ids: tuple[str, ...]
    district: npt.NDArray[np.int32]
    roll: npt.NDArray[np.int32]
    bbic: npt.NDArray[np.bool_]
    fran: npt.NDArray[np.int32]
    till: npt.NDArray[np.int32]  # NULL_DAY: still employed
    train_id: npt.NDArray[np.int32]  # utbildning rows: staff index
    train_kind: npt.NDArray[np.int32]
    train_day: npt.NDArray[np.int32]
    pool_first_month: int
    pool_months: int
    pool_starts: npt.NDArray[np.int64]
    pool_counts: npt.NDArray[np.int64]
    pool_members: npt.NDArray[np.int32]

    def pick(self, district: npt.NDArray[np.integer], days: npt.NDArray[np.integer],
             rng: np.random.Generator) -> npt.NDArray[np.int32]:
        """A case worker of the district employed through the record's month; -1 when none."""
        m = np.clip(month_index(days) - self.pool_first_month, 0, self.pool_months - 1)
        key = np.asarray(district, dtype=np.int64) * self.pool_months + m
        count = self.pool_counts[key]
        pos = self.pool_starts[key] + np.floor(rng.random(len(key)) * np.maximum(count, 1)).astype(np.int64)
        found = self.pool_members[np.minimum(pos, max(len(self.pool_members) - 1, 0))] if len(
            self.pool_members) else np.full(len(key), -1, np.int32)
        return np.where(count > 0, found, -1).astype(np.int32)

    def frame(self, districts: tuple[str, ...]) -> fr.Frame:
        order = np.lexsort((np.array(self.ids), self.district))
        ids = np.array(self.ids)[order]
        return fr.Frame(
            "personal.csv",
            {
                "handlaggare_id": fr.TextCol(pa.array(ids.tolist(), pa.string())),
                "stadsdel": fr.codes(districts, self.district[order]),
                "roll": fr.codes(ROLES, self.roll[order]),
                "bbic_anvandare": fr.flags(self.bbic[order]),
                "anstalld_fran": fr.DateCol(self.fran[order]),
                "anstalld_till": fr.DateCol(self.till[order]),
            },
            child=np.full(len(ids), -1, np.int64),
        )

    def utbildning_rows(self) -> list[tuple[str, str, str]]:
        rows = [(self.ids[i], TRAININGS[k], str(np.datetime64(int(d), "D")))
                for i, k, d in zip(self.train_id.tolist(), self.train_kind.tolist(), self.train_day.tolist(),
                                   strict=True)]
        rows.sort()
        return rows


def make_staff(reg: RegisterInfo, weights: npt.NDArray[np.float64], akt_per_year: int, window_start: int,
               as_of: int, rng: np.random.Generator) -> Staff:
    n_d = len(reg.districts)
    share = weights / weights.sum()
    posts = np.maximum(6, np.ceil(share * akt_per_year / _AKT_PER_CASEWORKER)).astype(np.int64)
    post_district = np.repeat(np.arange(n_d), posts)
    n_posts = len(post_district)
    first_in_district = np.r_[0, np.cumsum(posts)[:-1]]
    post_role = np.where(rng.random(n_posts) < 0.10, _ARBETSLEDARE,
                         np.where(rng.random(n_posts) < 0.08, _OVRIG, _HANDLAGGARE))
    post_role[first_in_district] = _ENHETSCHEF
    # Chains of holders per post, from up to eight years before the window to the as-of date.
    start = window_start - rng.integers(0, 8 * 365, n_posts)
    p_post: list[npt.NDArray[np.int64]] = []
    p_from: list[npt.NDArray[np.int64]] = []
    p_to: list[npt.NDArray[np.int64]] = []
    alive = np.arange(n_posts)
    cur = start.astype(np.int64)
    while len(alive):
        length = 90 + rng.exponential(6 * 365, len(alive)).astype(np.int64)
        end = cur + length
        p_post.append(alive)
        p_from.append(cur)
        p_to.append(end)
        nxt = end + rng.integers(1, 60, len(alive))
        keep = nxt <= as_of - 30
        alive, cur = alive[keep], nxt[keep]
    post = np.concatenate(p_post)
    fran = np.concatenate(p_from)
    till = np.concatenate(p_to)
    # Who still works there: no end date, or (sometimes) a planned one after the as-of date.
    ongoing = till > as_of
    planned = ongoing & (rng.random(len(till)) < 0.08)
    till = np.where(ongoing & ~planned, NULL_DAY, till)
    district = post_district[post].astype(np.int32)
    roll = post_role[post].astype(np.int32)
    roles = [roll == _HANDLAGGARE, roll == _ARBETSLEDARE, roll == _ENHETSCHEF]
    bbic_p = np.select(roles, [0.96, 0.9, 0.5], 0.2)
    bbic = rng.random(len(post)) < bbic_p
    # Ids: the register's own people first, then xx0010 upwards in order of start date per district.
    order = np.lexsort((post, fran, district))
    district, roll, bbic, fran, till = district[order], roll[order], bbic[order], fran[order], till[order]
    rank = np.arange(len(district)) - np.searchsorted(district, district, side="left")
    prefixes = [reg.prefixes[c] for c in reg.districts]
    ids = [f"{prefixes[d]}{10 + r:04d}" for d, r in zip(district.tolist(), rank.tolist(), strict=True)]
    if rank.max(initial=0) + 10 > 9999:
        raise ValueError("more than 9,990 staff ids in one district")
    # The register's people: one row each, in the district that names them.
    reg_ids: list[str] = []
    reg_d: list[int] = []
    reg_roll: list[int] = []
    reg_from: list[int] = []
    reg_to: list[int] = []
    seen: dict[str, int] = {}
    for a in reg.appointments:
        if a.handlaggare_id in seen:
            i = seen[a.handlaggare_id]
            reg_from[i] = min(reg_from[i], a.start)
            reg_to[i] = _OPEN if a.end is None or reg_to[i] == _OPEN else max(reg_to[i], a.end)
            continue
        seen[a.handlaggare_id] = len(reg_ids)
        reg_ids.append(a.handlaggare_id)
        reg_d.append(reg.districts.index(a.district))
        reg_roll.append(_ARBETSLEDARE if a.role == "bbic_ansvarig" else _HANDLAGGARE)
        reg_from.append(a.start)
        reg_to.append(_OPEN if a.end is None else a.end)
    n_reg = len(reg_ids)
    # Employed some years before their first appointment, but never after the as-of date (V021).
    r_from = np.minimum(np.array(reg_from, np.int64) - rng.integers(200, 3000, n_reg), as_of - 30)
    r_to = np.array(reg_to, np.int64)
    r_to = np.where(r_to == _OPEN, NULL_DAY, r_to + rng.integers(0, 120, n_reg))
    all_ids = tuple(reg_ids + ids)
    s_district: I32 = np.concatenate([np.array(reg_d, np.int32), district]).astype(np.int32)
    s_roll: I32 = np.concatenate([np.array(reg_roll, np.int32), roll]).astype(np.int32)
    s_bbic = np.concatenate([np.ones(n_reg, bool), bbic])
    s_fran: I32 = np.concatenate([r_from, fran]).astype(np.int32)
    s_till: I32 = np.concatenate([r_to, till]).astype(np.int32)
    t_id, t_kind, t_day = _training(reg, all_ids, n_reg, s_bbic, s_fran, as_of, rng)
    pool = _pools(s_district, s_roll, s_fran, s_till, n_d, window_start, as_of)
    return Staff(all_ids, s_district, s_roll, s_bbic, s_fran, s_till, t_id, t_kind, t_day, *pool)


def _training(reg: RegisterInfo, ids: tuple[str, ...], n_reg: int, bbic: npt.NDArray[np.bool_],
              fran: npt.NDArray[np.int32], as_of: int, rng: np.random.Generator
              ) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32], npt.NDArray[np.int32]]:
    n = len(ids)
    u = rng.random(n)
    # Basic training: most before they start with BBIC, some late, some never (R4 has cases).
    on_time = np.where(bbic, u < 0.85, u < 0.3)
    late = bbic & (u >= 0.85) & (u < 0.94)
    on_time[:n_reg] = True
    late[:n_reg] = False
    early_day = np.where(fran < _BBIC_START + 30,
                         _BBIC_START + rng.integers(0, 320, n),
                         fran - rng.integers(0, 45, n))
    late_day = np.maximum(fran, _BBIC_START + 45) + rng.integers(45, 400, n)
    basic_day = np.where(on_time, early_day, np.where(late, late_day, NULL_DAY))
    has_basic = (basic_day != NULL_DAY) & (basic_day <= as_of)
    kind = np.where(rng.random(n) < 0.12, 1, 0)
    idx = np.nonzero(has_basic)[0]
    t_id = [idx]
    t_kind = [kind[idx]]
    t_day = [basic_day[idx]]
    elearn_day = np.where(has_basic, basic_day, fran) + rng.integers(30, 700, n)
    el = (rng.random(n) < 0.12) & (elearn_day <= as_of)
    idx = np.nonzero(el)[0]
    t_id.append(idx)
    t_kind.append(np.full(len(idx), 3))
    t_day.append(elearn_day[idx])
    # Trainers: Socialstyrelsen's training of trainers before their appointment; one is left
    # untrained, in a district with a single trainer, so that R3 has a case to find.
    trainers = [a for a in reg.appointments if a.role == "lokala_utbildare"]
    per_district: dict[str, int] = {}
    for a in trainers:
        if a.end is None or a.end >= as_of:
            per_district[a.district] = per_district.get(a.district, 0) + 1
    singles = [a.handlaggare_id for a in trainers if per_district.get(a.district) == 1 and (
        a.end is None or a.end >= as_of)]
    untrained = singles[int(rng.integers(0, len(singles)))] if singles else None
    done: set[str] = set()
    for a in trainers:
        if a.handlaggare_id in done or a.handlaggare_id == untrained:
            continue
        done.add(a.handlaggare_id)
        when = min(a.start - int(rng.integers(20, 150)), as_of)
        t_id.append(np.array([ids.index(a.handlaggare_id)]))
        t_kind.append(np.array([2]))
        t_day.append(np.array([when]))
    return (np.concatenate(t_id).astype(np.int32), np.concatenate(t_kind).astype(np.int32),
            np.concatenate(t_day).astype(np.int32))


def _pools(district: npt.NDArray[np.int32], roll: npt.NDArray[np.int32], fran: npt.NDArray[np.int32],
           till: npt.NDArray[np.int32], n_d: int, window_start: int, as_of: int
           ) -> tuple[int, int, npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int32]]:
    first_month = int(month_index(np.array([window_start]))[0]) - 1
    last_month = int(month_index(np.array([as_of]))[0]) + 1
    n_months = last_month - first_month + 1
    works_cases = (roll == _HANDLAGGARE) | (roll == _ARBETSLEDARE)
    # Months fully inside the employment: a record is never made before the first day or after the last.
    m_from = month_index(fran) + (month_start(month_index(fran)) < fran)
    end = np.where(till == NULL_DAY, as_of + 400, till)
    m_to = month_index(end) - (month_start(month_index(end) + 1) - 1 > end)
    m_from = np.maximum(m_from, first_month)
    m_to = np.minimum(m_to, last_month)
    span = np.where(works_cases, np.maximum(m_to - m_from + 1, 0), 0)
    member = np.repeat(np.arange(len(fran), dtype=np.int32), span)
    offset = np.arange(len(member)) - np.repeat(np.cumsum(span) - span, span)
    month = np.repeat(m_from, span) + offset
    key = district[member].astype(np.int64) * n_months + (month - first_month)
    order = np.argsort(key, kind="stable")
    member, key = member[order], key[order]
    counts = np.bincount(key, minlength=n_d * n_months).astype(np.int64)
    starts = np.r_[0, np.cumsum(counts)[:-1]].astype(np.int64)
    return first_month, n_months, starts, counts, member
