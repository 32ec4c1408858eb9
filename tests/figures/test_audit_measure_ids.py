"""Audit of the measures and licence requirements that the key test covers only among many others: each
on its own tiny snapshot (audit_db.py), each expected value counted by hand from reports.md.

Reports 1 and 2: district norr, P = 2025-H1, A = 2025-06-15. Report 3: D = A = 2025-06-15,
W = [2024-06-16, 2025-06-15], over a register of four districts written below.
"""

from __future__ import annotations

import datetime as dt

import pytest
from audit_db import Db, triple

from bbic_core.figures.figure import Figure, ReportKind
from bbic_core.register import Register, load_register
from bbic_core.scopes import Period, Scope, ScopeLevel

V, L = ReportKind.VERKSAMHET, ReportKind.LICENS
KOMMUN = Scope(ScopeLevel.MUNICIPALITY, "0999")
D = dt.date(2025, 6, 15)

# lic: a licence, an appointment, one trained trainer in force (L2 starts after D, L3 ended before it).
# prov: a trial licence (24 months from 2024-06-01: ends 2026-06-01) whose application is dated D.
# prov2: a trial licence ending 2025-09-01, no application. ingen: only a licence granted after D.
ORGANISATION = """\
municipality: {code: "0999", name: Testkommun}
networks: []
districts:
  - code: lic
    name: Lic
    bbic_ansvarig: [{handlaggare_id: L1, from: 2020-01-01, to: null}]
    lokala_utbildare:
      - {handlaggare_id: L1, from: 2020-01-01}
      - {handlaggare_id: L2, from: 2025-06-16}
      - {handlaggare_id: L3, from: 2019-01-01, to: 2025-06-14}
    licenser: [{typ: LICENS, beviljad: 2018-03-01}]
  - code: prov
    name: Prov
    bbic_ansvarig: [{handlaggare_id: P1, from: 2025-06-15}]
    lokala_utbildare: []
    licenser: [{typ: PROVOLICENS, beviljad: 2024-06-01, ansokan_licens: 2025-06-15}]
  - code: prov2
    name: Prov2
    bbic_ansvarig: [{handlaggare_id: Q1, from: 2020-01-01, to: 2025-06-15}]
    lokala_utbildare: [{handlaggare_id: Q1, from: 2020-01-01}]
    licenser: [{typ: PROVOLICENS, beviljad: 2023-09-01}]
  - code: ingen
    name: Ingen
    bbic_ansvarig: [{handlaggare_id: I1, from: 2020-01-01, to: 2025-06-14}]
    lokala_utbildare: [{handlaggare_id: I1, from: 2020-01-01}]
    licenser: [{typ: LICENS, beviljad: 2025-06-16}]
underlicenser:
  - {enhet: Akuten, huvudman: lic, from: 2025-06-15}
  - {enhet: Stadens jour, huvudman: "0999", from: 2020-01-01, to: 2025-06-15}
  - {enhet: Senare, huvudman: lic, from: 2025-06-16}
  - {enhet: Slutad, huvudman: prov, from: 2020-01-01, to: 2025-06-14}
  - {enhet: Provhemmet, huvudman: prov, from: 2020-01-01}
settings:
  provolicens_manader: 24
  grupp_storlek: 2
  kursdagar: 3
  formular_troskel: 90
  varning_dagar: 90
"""
UTBILDNING = """\
handlaggare_id;utbildning;genomford_datum
L1;UTBILDARUTBILDNING;2025-06-15
L3;UTBILDARUTBILDNING;2019-01-01
U5;E_LEARNING;2020-01-01
U6;GRUNDUTBILDNING;2025-06-15
U7;SOS_GRUNDUTBILDNING;2020-01-01
P1;GRUNDUTBILDNING;2024-01-01
Q1;GRUNDUTBILDNING;2025-03-01
I1;GRUNDUTBILDNING;2010-01-01
"""


@pytest.fixture(scope="module")
def licence_register(tmp_path_factory: pytest.TempPathFactory) -> Register:
    folder = tmp_path_factory.mktemp("register")
    (folder / "organisation.yaml").write_text(ORGANISATION, encoding="utf-8")
    (folder / "utbildning.csv").write_text(UTBILDNING, encoding="utf-8")
    return load_register(folder, today=D)


@pytest.fixture(scope="module")
def licence_figures(licence_register: Register) -> dict[tuple[str, str], Figure]:
    db = Db()
    # lic: U1–U4 have no training, U5 only e-learning, U6 basic training on D, U7 the SOS course;
    # U8 is no BBIC user, U9 left the day before D: 7 active users, 5 of them untrained
    for user in ("U1", "U2", "U3", "U4", "U5", "U6", "U7"):
        db.add("personal", handlaggare_id=user, stadsdel="lic")
    db.add("personal", handlaggare_id="U8", stadsdel="lic", bbic_anvandare=False)
    db.add("personal", handlaggare_id="U9", stadsdel="lic", anstalld_till="2025-06-14")
    # prov: its one user is trained and never worked untrained
    db.add("personal", handlaggare_id="P1", stadsdel="prov")
    # prov2: its one user, trained 2025-03-01, received an aktualisering in W before that
    db.add("personal", handlaggare_id="Q1", stadsdel="prov2")
    db.add("aktualisering", aktualisering_id="q1", barn_id="k1", stadsdel="prov2", inkom_datum="2025-02-01",
           handlaggare_id="Q1")
    return db.report(licence_register, L, scope=KOMMUN)


def _value(figures: dict[tuple[str, str], Figure], measure: str, breakdown: str) -> str:
    return figures[(measure, breakdown)].value


# ---- report 1 -------------------------------------------------------------------------------------


def test_a1_aktualiseringar_by_type_and_distinct_children(register: Register) -> None:
    db = Db()
    db.add("aktualisering", aktualisering_id="a1", barn_id="k1", typ="ANMALAN", inkom_datum="2025-01-01")
    db.add("aktualisering", aktualisering_id="a2", barn_id="k1", typ="ANSOKAN", inkom_datum="2025-06-15")
    db.add("aktualisering", aktualisering_id="a3", barn_id="k2", typ="INFORMATION", inkom_datum="2025-03-03")
    db.add("aktualisering", aktualisering_id="a4", barn_id="k2", typ="ANMALAN", inkom_datum="2025-03-04")
    db.add("aktualisering", aktualisering_id="a5", barn_id="k3", typ="ANMALAN", inkom_datum="2024-12-31")
    db.add("aktualisering", aktualisering_id="a6", barn_id="k4", typ="ANMALAN", inkom_datum="2025-02-02",
           stadsdel="soder")
    f = db.report(register, V)
    # in P and in norr: a1–a4 (a5 the day before P, a6 in soder)
    assert _value(f, "A1.aktualiseringar", "typ=ALL") == "4"
    assert _value(f, "A1.aktualiseringar", "typ=ANMALAN") == "2"
    assert _value(f, "A1.aktualiseringar", "typ=ANSOKAN") == "1"
    assert _value(f, "A1.aktualiseringar", "typ=INFORMATION") == "1"
    assert _value(f, "A1.barn", "ALL") == "2"  # k1 (twice) and k2 (twice)


def test_a6_plan_and_bbic_form_over_investigations_closed_in_p(register: Register) -> None:
    db = Db()
    db.add("utredning", utredning_id="u1", barn_id="k1", inledd_datum="2025-01-10",
           avslutad_datum="2025-03-01",
           utredningsplan_datum="2025-01-20", bbic_formular=True)
    db.add("utredning", utredning_id="u2", barn_id="k2", inledd_datum="2025-02-01",
           avslutad_datum="2025-06-15",
           bbic_formular=False)
    db.add("utredning", utredning_id="u3", barn_id="k3", inledd_datum="2024-12-01",
           avslutad_datum="2025-01-01",
           utredningsplan_datum="2024-12-05", bbic_formular=False)
    # not closed in P: closed the day before, still open, or in soder
    db.add("utredning", utredning_id="u4", barn_id="k4", inledd_datum="2024-10-01",
           avslutad_datum="2024-12-31",
           utredningsplan_datum="2024-10-05", bbic_formular=True)
    db.add("utredning", utredning_id="u5", barn_id="k5", inledd_datum="2025-05-01",
           utredningsplan_datum="2025-05-05", bbic_formular=True)
    db.add("utredning", utredning_id="u6", barn_id="k6", inledd_datum="2025-01-01",
           avslutad_datum="2025-02-01",
           utredningsplan_datum="2025-01-05", stadsdel="soder")
    f = db.report(register, V)
    assert triple(f[("A6.utr_med_plan", "ALL")]) == ("66.7", "2", "3")  # u1, u3 of u1–u3
    assert triple(f[("A6.utr_bbic", "ALL")]) == ("33.3", "1", "3")  # u1


# ---- report 3 -------------------------------------------------------------------------------------


def test_c1_licence_in_force_and_trial_licence_end(licence_figures: dict[tuple[str, str], Figure]) -> None:
    f = licence_figures
    assert _value(f, "C1.licens", "stadsdel=lic") == "LICENS"
    assert _value(f, "C1.licens", "stadsdel=lic&uppgift=beviljad") == "2018-03-01"
    assert _value(f, "C1.licens", "stadsdel=ingen") == "INGEN"  # granted the day after D
    # prov: 2024-06-01 + 24 months = 2026-06-01, 351 days after D; the application dated D counts
    assert _value(f, "C1.licens", "stadsdel=prov") == "PROVOLICENS"
    assert _value(f, "C1.provolicens_slut", "stadsdel=prov") == "2026-06-01"
    assert _value(f, "C1.provolicens_slut", "stadsdel=prov&uppgift=dagar_kvar") == "351"
    assert _value(f, "C1.provolicens_slut", "stadsdel=prov&uppgift=ansokan_licens") == "J"
    assert _value(f, "C1.provolicens_slut", "stadsdel=prov&uppgift=varning") == "N"
    # prov2: ends 2025-09-01, 78 days (15 + 31 + 31 + 1) ≤ 90 with no application: a warning
    assert _value(f, "C1.provolicens_slut", "stadsdel=prov2") == "2025-09-01"
    assert _value(f, "C1.provolicens_slut", "stadsdel=prov2&uppgift=dagar_kvar") == "78"
    assert _value(f, "C1.provolicens_slut", "stadsdel=prov2&uppgift=ansokan_licens") == "N"
    assert _value(f, "C1.provolicens_slut", "stadsdel=prov2&uppgift=varning") == "J"
    # a full licence has no trial licence end
    assert not [k for k in f if k[0] == "C1.provolicens_slut" and k[1].startswith("stadsdel=lic")]


def test_c2_an_appointment_in_force_on_d(licence_figures: dict[tuple[str, str], Figure]) -> None:
    f = licence_figures
    assert _value(f, "C2.bbic_ansvarig", "stadsdel=lic") == "J"  # since 2020, open-ended
    assert _value(f, "C2.bbic_ansvarig", "stadsdel=prov") == "J"  # from D
    assert _value(f, "C2.bbic_ansvarig", "stadsdel=prov2") == "J"  # until D
    assert _value(f, "C2.bbic_ansvarig", "stadsdel=ingen") == "N"  # ended the day before D


def test_c3_trainers_in_force_and_those_trained_on_d(licence_figures: dict[tuple[str, str], Figure]) -> None:
    f = licence_figures
    # lic: L1 only (L2 starts after D, L3 ended before it); L1's training of trainers is dated D
    def trainers(district: str) -> tuple[str, str]:
        here = f"stadsdel={district}"
        return _value(f, "C3.utbildare", here), _value(f, "C3.utbildare_utbildade", here)

    assert trainers("lic") == ("1", "1")
    assert trainers("prov") == ("0", "0")
    assert trainers("ingen") == ("1", "0")  # I1 has basic training only


def test_c6_sub_licences_of_the_district_or_the_municipality_in_force_on_d(
        licence_figures: dict[tuple[str, str], Figure]) -> None:
    f = licence_figures
    units = {k[1]: v.value for k, v in f.items() if k[0] == "C6.underlicenser"}
    # lic: Akuten (from D) and the city's Stadens jour (until D); Senare starts after D
    assert units["stadsdel=lic"] == "2"
    assert {k for k in units if k.startswith("stadsdel=lic&")} == {
        "stadsdel=lic&enhet=Akuten", "stadsdel=lic&enhet=Stadens jour"}
    # prov: Provhemmet and Stadens jour (Slutad ended the day before D)
    assert units["stadsdel=prov"] == "2"
    assert {k for k in units if k.startswith("stadsdel=prov&")} == {
        "stadsdel=prov&enhet=Provhemmet", "stadsdel=prov&enhet=Stadens jour"}
    assert units["stadsdel=ingen"] == "1"  # the city's unit only


def test_c7_training_need_in_groups_and_course_days(licence_figures: dict[tuple[str, str], Figure]) -> None:
    f = licence_figures
    # lic: U1–U5 untrained among the 7 active users; ceil(5 / 2) = 3 groups × 3 days = 9
    assert _value(f, "C7.utbildningsbehov", "stadsdel=lic") == "5"
    assert _value(f, "C7.utbildningsbehov", "stadsdel=lic&uppgift=grupper") == "3"
    assert _value(f, "C7.utbildningsbehov", "stadsdel=lic&uppgift=kursdagar") == "9"
    assert triple(f[("C4.anvandare_utbildade", "stadsdel=lic")]) == ("28.6", "2", "7")  # U6, U7
    # prov: its one user is trained
    assert [_value(f, "C7.utbildningsbehov", f"stadsdel=prov{u}") for u in ("", "&uppgift=grupper",
                                                                           "&uppgift=kursdagar")] == ["0"] * 3


def test_r1_a_licence_or_trial_licence_in_force(licence_figures: dict[tuple[str, str], Figure]) -> None:
    f = licence_figures
    assert [_value(f, "C.krav", f"stadsdel={s}&krav=R1") for s in ("lic", "prov", "prov2", "ingen")] == [
        "UPPFYLLT", "UPPFYLLT", "UPPFYLLT", "EJ_UPPFYLLT"]


def test_r2_a_bbic_ansvarig_appointed(licence_figures: dict[tuple[str, str], Figure]) -> None:
    f = licence_figures
    assert [_value(f, "C.krav", f"stadsdel={s}&krav=R2") for s in ("lic", "prov", "prov2", "ingen")] == [
        "UPPFYLLT", "UPPFYLLT", "UPPFYLLT", "EJ_UPPFYLLT"]


def test_r3_at_least_one_trained_trainer(licence_figures: dict[tuple[str, str], Figure]) -> None:
    f = licence_figures
    # prov has no trainer, prov2's Q1 and ingen's I1 have basic training only
    assert [_value(f, "C.krav", f"stadsdel={s}&krav=R3") for s in ("lic", "prov", "prov2", "ingen")] == [
        "UPPFYLLT", "EJ_UPPFYLLT", "EJ_UPPFYLLT", "EJ_UPPFYLLT"]


def test_r4_every_user_trained_and_no_untrained_work(licence_figures: dict[tuple[str, str], Figure]) -> None:
    f = licence_figures
    # lic: 2 of 7 trained; prov: 1 of 1; prov2: 1 of 1 but Q1 worked in W before the training;
    # ingen: no active users
    assert triple(f[("C4.anvandare_utbildade", "stadsdel=prov2")]) == ("100.0", "1", "1")
    assert _value(f, "C4.utan_utbildning", "stadsdel=prov2") == "1"
    assert [_value(f, "C.krav", f"stadsdel={s}&krav=R4") for s in ("lic", "prov", "prov2", "ingen")] == [
        "EJ_UPPFYLLT", "UPPFYLLT", "EJ_UPPFYLLT", "UNDERLAG_SAKNAS"]


# ---- report 5 -------------------------------------------------------------------------------------


def test_e2_records_in_the_year_naming_an_unknown_user(register: Register) -> None:
    db = Db()
    db.add("personal", handlaggare_id="N1")
    db.add("aktualisering", aktualisering_id="a1", barn_id="k1", inkom_datum="2025-02-01",
           handlaggare_id="X1")
    db.add("utredning", utredning_id="u1", barn_id="k1", inledd_datum="2025-01-01", handlaggare_id="X2")
    db.add("insats", insats_id="i1", barn_id="k1", beslut_datum="2025-06-15", handlaggare_id="X1")
    # not counted: a known user, a record of the year before, a record of soder
    db.add("aktualisering", aktualisering_id="a2", barn_id="k1", inkom_datum="2025-03-01",
           handlaggare_id="N1")
    db.add("insats", insats_id="i2", barn_id="k1", beslut_datum="2024-12-31", handlaggare_id="X1")
    db.add("aktualisering", aktualisering_id="a3", barn_id="k2", inkom_datum="2025-03-01", stadsdel="soder",
           handlaggare_id="X3")
    year = Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    f = db.report(register, ReportKind.ARSRAPPORT, period=year)
    assert _value(f, "E2.okand_handlaggare", "ALL") == "3"  # a1, u1, i1

