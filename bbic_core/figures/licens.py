"""Report 3, licenskontroll: C1–C7 and C.krav per district, as of the check date `D` (reports.md).

Every row carries `stadsdel=<code>` first in its breakdown; a network's or the city's report is
one section per district, and its summary table is the C.krav rows of those districts. The
look-back window is `W = [D − 12 months + 1 day, D]`; only records dated on or before `D` count.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import duckdb

from bbic_core.figures import sql
from bbic_core.figures.builder import FigureList
from bbic_core.figures.figure import Figure
from bbic_core.figures.format import ALL, breakdown, free_name, share_at_least
from bbic_core.figures.measures import C5_DOKUMENT, KRAV
from bbic_core.figures.report_context import ReportContext
from bbic_core.figures.reviews import due_reviews
from bbic_core.register import Register

Mode = Literal["internal", "published"]
UPPFYLLT = "UPPFYLLT"
EJ_UPPFYLLT = "EJ_UPPFYLLT"
UNDERLAG_SAKNAS = "UNDERLAG_SAKNAS"


@dataclass(frozen=True, slots=True)
class DistrictData:
    """What the snapshot says about one district's licence requirements."""

    users: int = 0
    users_trained: int = 0
    untrained_ids: tuple[str, ...] = ()
    forms: Mapping[str, tuple[int, int]] | None = None  # C5 dokument → (numerator, denominator)


def overall(statuses: Sequence[str]) -> str:
    """C.krav ALL: EJ_UPPFYLLT if any is, else UNDERLAG_SAKNAS if any is, else UPPFYLLT."""
    if EJ_UPPFYLLT in statuses:
        return EJ_UPPFYLLT
    if UNDERLAG_SAKNAS in statuses:
        return UNDERLAG_SAKNAS
    return UPPFYLLT


def r4_status(users: int, users_trained: int, untrained_on_records: int) -> str:
    """R4: every active user trained and nobody worked untrained in W; no active users: no data."""
    if untrained_on_records > 0:
        return EJ_UPPFYLLT
    if users == 0:
        return UNDERLAG_SAKNAS
    return UPPFYLLT if users_trained == users else EJ_UPPFYLLT


def r5_status(forms: Mapping[str, tuple[int, int]], threshold: float) -> str:
    """R5: every share with data at least `formular_troskel` (exact fractions); none with data: no data."""
    with_data = [(num, den) for num, den in forms.values() if den > 0]
    if not with_data:
        return UNDERLAG_SAKNAS
    return UPPFYLLT if all(share_at_least(num, den, threshold) for num, den in with_data) else EJ_UPPFYLLT


def compute_licens(con: duckdb.DuckDBPyConnection, register: Register, ctx: ReportContext,
                   mode: Mode = "internal") -> FigureList:
    out = FigureList(ctx)
    for rows in compute_licens_sections(con, register, ctx, mode).values():
        out.figures.extend(rows)
    return out


def compute_licens_sections(con: duckdb.DuckDBPyConnection, register: Register, ctx: ReportContext,
                            mode: Mode = "internal") -> dict[str, list[Figure]]:
    """`compute_licens` cut into its districts' sections (district → its rows, in order). Every query
    groups by district and a section reads only its own district's rows, so a section is the same in
    any scope's check that holds the district (with that scope in its `scope` column): the city's
    check at D gives every network's and district's check at D."""
    data = _district_data(con, register, ctx)
    sections: dict[str, list[Figure]] = {}
    for district in ctx.districts:
        out = FigureList(ctx)
        _section(out, register, ctx, district, data.get(district, DistrictData()), mode)
        sections[district] = out.figures
    return sections


def _training_params(register: Register) -> dict[str, Any]:
    first = register.first_basic_training()
    ids = sorted(first)
    return {"bt_ids": ids, "bt_dates": [first[i] for i in ids]}


TRAINED_SQL = "(SELECT unnest($bt_ids::VARCHAR[]) AS handlaggare_id, unnest($bt_dates::DATE[]) AS first_date)"


def _district_data(con: duckdb.DuckDBPyConnection, register: Register,
                   ctx: ReportContext) -> dict[str, DistrictData]:
    params: dict[str, Any] = {**ctx.params(), **_training_params(register)}
    users = {s: (int(n), int(trained)) for s, n, trained in sql.rows(con, f"""
        SELECT p.stadsdel, count(*), count(*) FILTER (WHERE t.first_date <= $d)
          FROM personal p LEFT JOIN {TRAINED_SQL} t ON t.handlaggare_id = p.handlaggare_id
         WHERE {sql.in_scope('p.stadsdel')} AND p.bbic_anvandare
           AND p.anstalld_fran <= $d AND (p.anstalld_till IS NULL OR p.anstalld_till >= $d)
         GROUP BY p.stadsdel
    """, params)}
    # C4.utan_utbildning: users (any bbic_anvandare) named on a record dated in W on a day without basic
    # training; the user belongs to the district of their personal row, whatever the record's district
    untrained: dict[str, list[str]] = {}
    for s, user in sql.rows(con, f"""
        SELECT DISTINCT p.stadsdel, r.handlaggare_id
          FROM ({sql.user_records_sql()}) r JOIN personal p ON p.handlaggare_id = r.handlaggare_id
               LEFT JOIN {TRAINED_SQL} t ON t.handlaggare_id = r.handlaggare_id
         WHERE {sql.in_scope('p.stadsdel')} AND (t.first_date IS NULL OR t.first_date > r.datum)
         ORDER BY 1, 2
    """, params):
        untrained.setdefault(s, []).append(user)
    forms = _forms(con, params, ctx)
    return {
        s: DistrictData(users=users.get(s, (0, 0))[0], users_trained=users.get(s, (0, 0))[1],
                        untrained_ids=tuple(untrained.get(s, ())), forms=forms.get(s, {}))
        for s in ctx.districts
    }


def _forms(con: duckdb.DuckDBPyConnection, params: dict[str, Any],
           ctx: ReportContext) -> dict[str, dict[str, tuple[int, int]]]:
    """C5.formular per district: dokument → (in the BBIC form, base)."""
    forms: dict[str, dict[str, tuple[int, int]]] = {s: {} for s in ctx.districts}
    for s, num, den in sql.rows(con, f"""
        SELECT stadsdel, count(*) FILTER (WHERE bbic_formular), count(*) FROM aktualisering
         WHERE {sql.in_scope()} AND typ IN ('ANMALAN', 'ANSOKAN') AND inkom_datum BETWEEN $w_from AND $d
         GROUP BY stadsdel
    """, params):
        forms[s]["ANMALAN_ANSOKAN"] = (int(num), int(den))
    for s, bbic, plan, den in sql.rows(con, f"""
        SELECT stadsdel, count(*) FILTER (WHERE bbic_formular),
               count(*) FILTER (WHERE utredningsplan_datum <= $d), count(*)
          FROM utredning
         WHERE {sql.in_scope()} AND avslutad_datum BETWEEN $w_from AND $d AND inledd_datum <= $d
         GROUP BY stadsdel
    """, params):
        forms[s]["UTREDNING"] = (int(bbic), int(den))
        forms[s]["UTREDNINGSPLAN"] = (int(plan), int(den))
    # placements started in W on or before D − 30, with the document in the BBIC form dated
    # from beslut_datum − 30 days to D
    for s, vardplan, genomforandeplan, den in sql.rows(con, f"""
        WITH p AS (
            SELECT insats_id, stadsdel, beslut_datum FROM insats
             WHERE {sql.in_scope()} AND {sql.placement_sql()} AND beslut_datum <= $d
               AND coalesce(start_datum, beslut_datum) BETWEEN $w_from AND $d - 30
        ),
        found AS (
            SELECT p.insats_id, bool_or(doc.typ = 'VARDPLAN') AS vp,
                   bool_or(doc.typ = 'GENOMFORANDEPLAN') AS gp
              FROM p JOIN dokument doc ON doc.insats_id = p.insats_id
             WHERE doc.bbic_formular AND doc.typ IN ('VARDPLAN', 'GENOMFORANDEPLAN')
               AND doc.datum BETWEEN p.beslut_datum - 30 AND $d
             GROUP BY p.insats_id
        )
        SELECT p.stadsdel, count(*) FILTER (WHERE f.vp), count(*) FILTER (WHERE f.gp), count(*)
          FROM p LEFT JOIN found f ON f.insats_id = p.insats_id
         GROUP BY p.stadsdel
    """, params):
        forms[s]["VARDPLAN"] = (int(vardplan), int(den))
        forms[s]["GENOMFORANDEPLAN"] = (int(genomforandeplan), int(den))
    reviews = due_reviews(con, ctx.districts, ctx.as_of, ctx.period.start, ctx.period.end,
                          bbic_form_only=True)
    for s, (n_due, n_in_time) in reviews.items():
        forms[s]["OVERVAGANDE_OMPROVNING"] = (n_in_time, n_due)
    return forms


def _section(out: FigureList, register: Register, ctx: ReportContext, district: str, data: DistrictData,
             mode: Mode) -> None:
    d = ctx.as_of
    settings = register.settings
    here = ("stadsdel", district)
    krav: dict[str, str] = {}

    # C1.licens
    licence = register.licence_at(district, d)
    out.value("C1.licens", breakdown(here), licence.typ)
    out.value("C1.licens", breakdown(here, ("uppgift", "beviljad")), licence.beviljad)
    krav["R1"] = UPPFYLLT if licence.typ != "INGEN" else EJ_UPPFYLLT
    # C1.provolicens_slut: only for a trial licence
    if licence.typ == "PROVOLICENS" and licence.end is not None:
        days_left = (licence.end - d).days
        applied = licence.application_sent(d)
        out.value("C1.provolicens_slut", breakdown(here), licence.end)
        out.count("C1.provolicens_slut", breakdown(here, ("uppgift", "dagar_kvar")), days_left)
        out.value("C1.provolicens_slut", breakdown(here, ("uppgift", "ansokan_licens")), applied)
        out.value("C1.provolicens_slut", breakdown(here, ("uppgift", "varning")),
                  days_left <= settings.varning_dagar and not applied)

    # C2.bbic_ansvarig
    appointed = bool(register.bbic_ansvarig_at(district, d))
    out.value("C2.bbic_ansvarig", breakdown(here), appointed)
    krav["R2"] = UPPFYLLT if appointed else EJ_UPPFYLLT

    # C3.utbildare, C3.utbildare_utbildade
    trainers = register.lokala_utbildare_at(district, d)
    trained_trainers = sum(1 for t in trainers if register.is_trained_trainer(t, d))
    out.count("C3.utbildare", breakdown(here), len(trainers))
    out.count("C3.utbildare_utbildade", breakdown(here), trained_trainers)
    krav["R3"] = UPPFYLLT if trained_trainers >= 1 else EJ_UPPFYLLT

    # C4.anvandare, C4.anvandare_utbildade, C4.utan_utbildning
    out.count("C4.anvandare", breakdown(here), data.users)
    out.share("C4.anvandare_utbildade", breakdown(here), data.users_trained, data.users)
    out.count("C4.utan_utbildning", breakdown(here), len(data.untrained_ids))
    if mode == "internal":  # the published licence check lists no user ids
        for user in data.untrained_ids:
            out.count("C4.utan_utbildning", breakdown(here, ("handlaggare_id", free_name(user))), 1)
    krav["R4"] = r4_status(data.users, data.users_trained, len(data.untrained_ids))

    # C5.formular
    forms = data.forms or {}
    for dokument in C5_DOKUMENT:
        num, den = forms.get(dokument, (0, 0))
        out.share("C5.formular", breakdown(here, ("dokument", dokument)), num, den)
    krav["R5"] = r5_status({k: forms.get(k, (0, 0)) for k in C5_DOKUMENT}, settings.formular_troskel)

    # C6.underlicenser: huvudman the district or the municipality
    subs = register.underlicenser_at({district, register.municipality.code}, d)
    out.count("C6.underlicenser", breakdown(here), len(subs))
    for sub in subs:
        out.count("C6.underlicenser", breakdown(here, ("enhet", free_name(sub.enhet))), 1)

    # C7.utbildningsbehov
    need = data.users - data.users_trained
    groups = math.ceil(need / settings.grupp_storlek)
    out.count("C7.utbildningsbehov", breakdown(here), need)
    out.count("C7.utbildningsbehov", breakdown(here, ("uppgift", "grupper")), groups)
    out.count("C7.utbildningsbehov", breakdown(here, ("uppgift", "kursdagar")), groups * settings.kursdagar)

    # C.krav
    for code in KRAV:
        out.value("C.krav", breakdown(here, ("krav", code)), krav[code])
    out.value("C.krav", breakdown(here, ("krav", ALL)), overall([krav[code] for code in KRAV]))
