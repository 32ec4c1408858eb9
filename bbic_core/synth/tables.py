"""From the generated world to the eight files: row order, ids and references.

Rows are ordered by their main date (as an export listing would be) and numbered in that order;
references are resolved through the same orders. `Tables.rows_of` keeps, for each file, which
world entity each row is, so that faults can pick rows by their meaning.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from bbic_core.synth import frame as fr
from bbic_core.synth import people
from bbic_core.synth.cases import (
    AKT_TYP,
    ANMALARE,
    BEDOMNING,
    DOKTYP,
    FHB,
    INSATSTYP,
    LAGRUM,
    OMRADE,
    ORSAK,
    RESULTAT,
    VERSION,
    World,
    assessment_rows,
)
from bbic_core.synth.staff import Staff
from bbic_core.synth.vdates import NULL_DAY

I64 = npt.NDArray[np.int64]
OTHER_MUNICIPALITIES = ("0114", "0123", "0160", "0162", "0163", "0184", "0186", "0191", "1480", "1280")


@dataclass
class Tables:
    frames: dict[str, fr.Frame]  # by table name, in contract order
    rows_of: dict[str, I64]  # table -> world index of each row (barn: child, arende: episode, …)
    arende_of_episode: I64  # episode -> arende row, -1 when the episode opened no case
    row_of: dict[str, I64]  # table -> row of each world index (inverse of rows_of)
    pnr_valid: npt.NDArray[np.bool_]  # barn row has a valid personnummer
    fodelse_shown: npt.NDArray[np.bool_]
    kon_shown: npt.NDArray[np.bool_]


def _inverse(order: I64, n: int) -> I64:
    inv = np.full(n, -1, np.int64)
    inv[order] = np.arange(len(order), dtype=np.int64)
    return inv


def build_tables(world: World, staff: Staff, districts: tuple[str, ...], municipality: str,
                 rng: np.random.Generator) -> Tables:
    frames: dict[str, fr.Frame] = {}
    rows_of: dict[str, I64] = {}
    row_of: dict[str, I64] = {}
    ep = world.episodes
    child_of_ep = ep.child
    handlaggare = staff.ids

    def hid(district: npt.NDArray[np.integer], days: npt.NDArray[np.integer]) -> fr.CodeCol:
        picked = staff.pick(district, days, rng)
        picked = np.where(rng.random(len(picked)) < 0.01, -1, picked)
        return fr.CodeCol(handlaggare, picked.astype(np.int32))

    # barn: one row per child, in order of first contact.
    n_c = len(world.birth)
    has_pnr = rng.random(n_c) < 0.988
    coord = has_pnr & (rng.random(n_c) < 0.02)
    dash = rng.random(n_c) < 0.08
    birth = people.unique_birth_days(world.birth, world.sex, coord)
    world.birth = birth
    numbers = people.make_numbers(birth, world.sex, coord, dash)
    pnr = pc.if_else(pa.array(has_pnr, pa.bool_()), numbers, pa.scalar(None, pa.string()))
    assert isinstance(pnr, pa.StringArray)
    fodelse_shown = ~has_pnr | (rng.random(n_c) < 0.35)
    kon_shown = rng.random(n_c) < 0.97
    u = rng.random(n_c)
    other = 1 + rng.integers(0, len(OTHER_MUNICIPALITIES), n_c)
    kommun = np.where(u < 0.93, 0, np.where(u < 0.98, other, -1))
    frames["barn"] = fr.Frame("barn.csv", {
        "barn_id": fr.IdCol("P", 8, np.arange(1, n_c + 1, dtype=np.int64)),
        "personnummer": fr.TextCol(pnr),
        "fodelsedatum": fr.DateCol(np.where(fodelse_shown, birth, NULL_DAY).astype(np.int32)),
        "kon": fr.codes(("1", "2"), np.where(kon_shown, world.sex.astype(np.int32) - 1, -1)),
        "folkbokford_kommun": fr.codes((municipality, *OTHER_MUNICIPALITIES), kommun),
    }, child=np.arange(n_c, dtype=np.int64))
    rows_of["barn"] = np.arange(n_c, dtype=np.int64)
    row_of["barn"] = rows_of["barn"]

    def barn(children: I64) -> fr.IdCol:
        return fr.IdCol("P", 8, children + 1)

    # arende: episodes that opened a case, by opening date.
    cases = np.nonzero(ep.has_case)[0]
    order = cases[np.lexsort((cases, ep.oppnat[cases]))]
    arende_of_episode = _inverse(order, len(ep.child))
    frames["arende"] = fr.Frame("arende.csv", {
        "arende_id": fr.IdCol("AR", 8, np.arange(1, len(order) + 1, dtype=np.int64)),
        "barn_id": barn(child_of_ep[order]),
        "stadsdel": fr.codes(districts, ep.district[order]),
        "oppnat_datum": fr.DateCol(ep.oppnat[order]),
        "avslutat_datum": fr.DateCol(ep.avslutat[order]),
    }, child=child_of_ep[order])
    rows_of["arende"], row_of["arende"] = order, arende_of_episode

    def arende(episodes: I64) -> fr.IdCol:
        rows = arende_of_episode[episodes]
        return fr.IdCol("AR", 8, np.where(rows >= 0, rows + 1, -1))

    # aktualisering
    a = world.akts
    order = np.lexsort((a.rank, a.ep, a.inkom))
    akt_row = _inverse(order, len(a.ep))
    e = a.ep[order]
    frames["aktualisering"] = fr.Frame("aktualisering.csv", {
        "aktualisering_id": fr.IdCol("AK", 9, np.arange(1, len(order) + 1, dtype=np.int64)),
        "barn_id": barn(child_of_ep[e]),
        "arende_id": arende(e),
        "stadsdel": fr.codes(districts, ep.district[e]),
        "typ": fr.codes(AKT_TYP, a.typ[order]),
        "inkom_datum": fr.DateCol(a.inkom[order]),
        "anmalare": fr.codes(ANMALARE, a.anmalare[order]),
        "anonym": fr.codes(("N", "J"), a.anonym[order]),
        "orsak": fr.codes(ORSAK, a.orsak[order]),
        "skyddsbedomning_datum": fr.DateCol(a.skydd[order]),
        "forhandsbedomning_datum": fr.DateCol(a.fhb[order]),
        "forhandsbedomning_beslut": fr.codes(FHB, a.beslut[order]),
        "bbic_formular": fr.flags(a.bbic[order]),
        "handlaggare_id": hid(ep.district[e], a.inkom[order]),
    }, child=child_of_ep[e])
    rows_of["aktualisering"], row_of["aktualisering"] = order, akt_row

    # utredning
    v = world.invs
    order = np.lexsort((akt_row[v.akt], v.inledd))
    inv_row = _inverse(order, len(v.ep))
    e = v.ep[order]
    version = v.version[order]
    version_written = np.where((version == 0) & (rng.random(len(order)) < 0.3), -1, version)
    frames["utredning"] = fr.Frame("utredning.csv", {
        "utredning_id": fr.IdCol("UT", 8, np.arange(1, len(order) + 1, dtype=np.int64)),
        "barn_id": barn(child_of_ep[e]),
        "arende_id": arende(e),
        "aktualisering_id": fr.IdCol("AK", 9, akt_row[v.akt[order]] + 1),
        "stadsdel": fr.codes(districts, ep.district[e]),
        "inledd_datum": fr.DateCol(v.inledd[order]),
        "utredningsplan_datum": fr.DateCol(v.plan[order]),
        "forlangd_till": fr.DateCol(v.forlangd[order]),
        "avslutad_datum": fr.DateCol(v.avslutad[order]),
        "resultat": fr.codes(RESULTAT, v.resultat[order]),
        "bbic_formular": fr.flags(v.bbic[order]),
        "triangel_version": fr.codes(VERSION, version_written),
        "handlaggare_id": hid(ep.district[e], v.inledd[order]),
    }, child=child_of_ep[e])
    rows_of["utredning"], row_of["utredning"] = order, inv_row

    # utredning_bedomning: made here, in file order (by investigation, then area), a slice at a time
    # because it is the largest file (about ten rows per investigation).
    closed = v.avslutad[order] != NULL_DAY
    child_of_inv = child_of_ep[e].astype(np.int32)
    parts: list[tuple[npt.NDArray[np.int32], npt.NDArray[np.int32], npt.NDArray[np.int32]]] = []
    for lo in range(0, len(order), 250_000):
        hi = min(len(order), lo + 250_000)
        inv_local, omrade, bedomning = assessment_rows(version[lo:hi], closed[lo:hi], rng)
        parts.append(((inv_local + lo).astype(np.int32), omrade, bedomning))
    s_inv = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, np.int32)
    frames["utredning_bedomning"] = fr.Frame("utredning_bedomning.csv", {
        "utredning_id": fr.IdCol("UT", 8, s_inv + 1),
        "omrade": fr.codes(OMRADE, np.concatenate([p[1] for p in parts]) if parts else s_inv),
        "bedomning": fr.codes(BEDOMNING, np.concatenate([p[2] for p in parts]) if parts else s_inv),
    }, child=child_of_inv[s_inv])
    del parts
    rows_of["utredning_bedomning"] = s_inv.astype(np.int64)  # the investigation row of each assessment
    row_of["utredning_bedomning"] = np.zeros(0, np.int64)

    # insats
    i = world.interventions
    order = np.lexsort((i.ep, i.beslut))
    ins_row = _inverse(order, len(i.ep))
    e = i.ep[order]
    inv = i.inv[order]
    frames["insats"] = fr.Frame("insats.csv", {
        "insats_id": fr.IdCol("IN", 8, np.arange(1, len(order) + 1, dtype=np.int64)),
        "barn_id": barn(child_of_ep[e]),
        "arende_id": arende(e),
        "utredning_id": fr.IdCol("UT", 8, np.where(inv >= 0, inv_row[np.maximum(inv, 0)] + 1, -1)),
        "stadsdel": fr.codes(districts, ep.district[e]),
        "insatstyp": fr.codes(INSATSTYP, i.typ[order]),
        "lagrum": fr.codes(LAGRUM, i.lagrum[order]),
        "beslut_datum": fr.DateCol(i.beslut[order]),
        "start_datum": fr.DateCol(i.start[order]),
        "slut_datum": fr.DateCol(i.slut[order]),
        "handlaggare_id": hid(ep.district[e], i.beslut[order]),
    }, child=child_of_ep[e])
    rows_of["insats"], row_of["insats"] = order, ins_row

    # dokument
    d = world.docs
    order = np.lexsort((d.typ, d.ep, d.datum))
    e = d.ep[order]
    ins = d.ins[order]
    frames["dokument"] = fr.Frame("dokument.csv", {
        "dokument_id": fr.IdCol("DK", 9, np.arange(1, len(order) + 1, dtype=np.int64)),
        "barn_id": barn(child_of_ep[e]),
        "insats_id": fr.IdCol("IN", 8, np.where(ins >= 0, ins_row[np.maximum(ins, 0)] + 1, -1)),
        "typ": fr.codes(DOKTYP, d.typ[order]),
        "datum": fr.DateCol(d.datum[order]),
        "bbic_formular": fr.flags(d.bbic[order]),
        "handlaggare_id": hid(ep.district[e], d.datum[order]),
    }, child=child_of_ep[e])
    rows_of["dokument"] = order
    row_of["dokument"] = _inverse(order, len(order))

    frames["personal"] = staff.frame(districts)
    rows_of["personal"] = np.arange(len(frames["personal"]), dtype=np.int64)
    row_of["personal"] = rows_of["personal"]
    pnr_valid = has_pnr
    return Tables(frames, rows_of, arende_of_episode, row_of, pnr_valid, fodelse_shown, kon_shown)
