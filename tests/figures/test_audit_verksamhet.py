"""Audit of report 1 (verksamhet) against reports.md, one boundary at a time, each on its own tiny snapshot.

P = 2025-H1 = [2025-01-01, 2025-06-30] and A = 2025-06-15 unless a test says otherwise, so
t = min(to, A) = 2025-06-15, t − 14 = 2025-06-01, t − 30 = 2025-05-16.
"""

from __future__ import annotations

import datetime as dt

from audit_db import Db, d, triple

from bbic_core.figures.figure import ReportKind
from bbic_core.register import Register
from bbic_core.scopes import Period

V = ReportKind.VERKSAMHET


def test_a2_protection_within_one_day(register: Register) -> None:
    db = Db()
    db.add("aktualisering", aktualisering_id="a1", barn_id="b1", inkom_datum="2025-02-01",
           skyddsbedomning_datum="2025-02-02")  # inkom + 1 day: within
    db.add("aktualisering", aktualisering_id="a2", barn_id="b2", inkom_datum="2025-02-01",
           skyddsbedomning_datum="2025-02-03")  # + 2 days: not within
    db.add("aktualisering", aktualisering_id="a3", barn_id="b3", inkom_datum="2025-02-01")  # missing
    db.add("aktualisering", aktualisering_id="a4", barn_id="b4", typ="INFORMATION", inkom_datum="2025-02-01",
           skyddsbedomning_datum="2025-02-01")  # not an ANMALAN
    db.add("aktualisering", aktualisering_id="a5", barn_id="b5", inkom_datum="2024-12-31",
           skyddsbedomning_datum="2024-12-31")  # before P
    db.add("aktualisering", aktualisering_id="a6", barn_id="b6", stadsdel="soder", inkom_datum="2025-02-01",
           skyddsbedomning_datum="2025-02-01")  # another district
    f = db.report(register, V)
    # 1 of the 3 ANMALAN of norr in P (a1; a2 late, a3 missing = not within)
    assert triple(f[("A2.skydd_inom_1dag", "ALL")]) == ("33.3", "1", "3")


def test_a3_pre_assessment_boundaries(register: Register) -> None:
    db = Db()
    decided = {"forhandsbedomning_beslut": "INLEDA"}
    db.add("aktualisering", aktualisering_id="f1", barn_id="b1", inkom_datum="2025-03-01",
           forhandsbedomning_datum="2025-03-15", **decided)  # 14 days: within
    db.add("aktualisering", aktualisering_id="f2", barn_id="b2", typ="INFORMATION", inkom_datum="2025-03-01",
           forhandsbedomning_datum="2025-03-16", forhandsbedomning_beslut="INTE_INLEDA")  # 15 days
    db.add("aktualisering", aktualisering_id="f3", barn_id="b3", inkom_datum="2025-06-01")
    # undecided, inkom + 14 = 2025-06-15 = A: not < A, so not yet in the denominator
    db.add("aktualisering", aktualisering_id="f4", barn_id="b4", inkom_datum="2025-05-31")
    # undecided, 2025-06-14 < A: counts against
    db.add("aktualisering", aktualisering_id="f5", barn_id="b5", typ="ANSOKAN", inkom_datum="2025-01-10",
           forhandsbedomning_datum="2025-01-11", **decided)  # an ansökan never counts in A3
    db.add("aktualisering", aktualisering_id="f6", barn_id="b6", typ="INFORMATION", inkom_datum="2024-11-01",
           forhandsbedomning_datum="2025-06-15", forhandsbedomning_beslut="PAGAENDE")
    # before P (not in A3); decided on t itself, so not in the balance
    db.add("aktualisering", aktualisering_id="f7", barn_id="b7", inkom_datum="2025-06-02")
    # undecided, after t − 14: neither in the balance nor (06-16 not < A) in the denominator
    f = db.report(register, V)
    # denominator: f1, f2 (decided) + f4; numerator f1
    assert triple(f[("A3.fhb_inom_14d", "ALL")]) == ("33.3", "1", "3")
    # median of 14 and 15 (even count): 14.5, n = 2
    assert triple(f[("A3.fhb_median_dagar", "ALL")]) == ("14.5", "", "2")
    assert f[("A3.fhb_beslut", "beslut=ALL")].value == "2"
    assert f[("A3.fhb_beslut", "beslut=INLEDA")].value == "1"
    assert f[("A3.fhb_beslut", "beslut=INTE_INLEDA")].value == "1"
    assert f[("A3.fhb_beslut", "beslut=PAGAENDE")].value == "0"
    # inkom ≤ t − 14 = 06-01 and no decision dated on or before t: f3 (exactly 06-01) and f4
    assert f[("A3.fhb_balans", "ALL")].value == "2"


def test_a3_decided_after_t_is_decided_but_still_in_the_balance_at_t(register: Register) -> None:
    q1 = Period(d("2025-01-01"), d("2025-03-31"))  # t = 2025-03-31, t − 14 = 2025-03-17
    db = Db()
    db.add("aktualisering", aktualisering_id="g1", barn_id="b1", inkom_datum="2025-03-01",
           forhandsbedomning_datum="2025-04-10", forhandsbedomning_beslut="INLEDA")
    f = db.report(register, V, q1)
    # "Decided" = set in the export: decided in 40 days, not within
    assert triple(f[("A3.fhb_inom_14d", "ALL")]) == ("0.0", "0", "1")
    # no decision dated on or before t = 03-31, received on or before 03-17: waiting at t
    assert f[("A3.fhb_balans", "ALL")].value == "1"


def test_a4_a5_investigation_boundaries(register: Register) -> None:
    db = Db()
    # closed on t, inledd + 4 months = 2025-06-15 exactly: within; 120 days
    db.add("utredning", utredning_id="u1", barn_id="b1", inledd_datum="2025-02-15",
           avslutad_datum="2025-06-15",
           resultat="INSATS")
    # closed in P after the 4 months (2025-04-01) with an extension to a date before them: forlangd_till
    # counts only when later than inledd + 4 months; 130 days
    db.add("utredning", utredning_id="u6", barn_id="b6", inledd_datum="2024-12-01",
           forlangd_till="2025-03-15",
           avslutad_datum="2025-04-10", resultat="INSATS")
    db.add("utredning", utredning_id="u2", barn_id="b2", inledd_datum="2025-02-15")  # t = inledd + 4 months
    db.add("utredning", utredning_id="u3", barn_id="b3", inledd_datum="2025-02-14")  # t > 06-14: over time
    db.add("utredning", utredning_id="u4", barn_id="b4", inledd_datum="2025-02-01",
           forlangd_till="2025-06-15")
    # extended to t itself: not over time (forlangd_till < t is false)
    db.add("utredning", utredning_id="u5", barn_id="b5", inledd_datum="2025-02-01",
           forlangd_till="2025-06-14")
    # extension ran out the day before t: over time
    db.add("utredning", utredning_id="u7", barn_id="b7", inledd_datum="2024-01-10",
           avslutad_datum="2024-12-31",
           resultat="INSATS")  # closed before P
    f = db.report(register, V)
    assert f[("A4.utr_inledda", "ALL")].value == "5"  # u1–u5 (u6, u7 began before P)
    assert f[("A4.utr_avslutade", "ALL")].value == "2"  # u1, u6
    assert f[("A4.utr_pagaende", "ALL")].value == "4"  # u2–u5; u1 closed on t is not ongoing
    assert triple(f[("A5.utr_median_dagar", "ALL")]) == ("125.0", "", "2")  # (120 + 130) / 2
    assert triple(f[("A5.utr_inom_4man", "ALL")]) == ("50.0", "1", "2")
    assert triple(f[("A5.utr_inom_beslutad_tid", "ALL")]) == ("50.0", "1", "2")
    assert triple(f[("A5.utr_forlangda", "ALL")]) == ("50.0", "1", "2")
    assert f[("A5.utr_overtid", "ALL")].value == "2"  # u3, u5


def test_a8_placement_plan_boundaries(register: Register) -> None:
    db = Db()
    # started exactly t − 30: in the base; VARDPLAN exactly beslut − 30 days
    db.add("insats", insats_id="p1", barn_id="c1", beslut_datum="2025-05-10", start_datum="2025-05-16")
    db.add("dokument", dokument_id="d1", barn_id="c1", insats_id="p1", typ="VARDPLAN", datum="2025-04-10")
    db.add("dokument", dokument_id="d2", barn_id="c1", insats_id="p1", typ="GENOMFORANDEPLAN",
           datum="2025-05-20", bbic_formular=False)  # whatever bbic_formular
    # started t − 29: active (placerade_barn) but not in the base
    db.add("insats", insats_id="p2", barn_id="c2", beslut_datum="2025-05-17", start_datum="2025-05-17")
    db.add("dokument", dokument_id="d3", barn_id="c2", insats_id="p2", typ="VARDPLAN", datum="2025-05-17")
    # no start_datum: starts on beslut_datum; VARDPLAN beslut − 31 days (too early), plan dated on t
    db.add("insats", insats_id="p3", barn_id="c3", beslut_datum="2025-01-01")
    db.add("dokument", dokument_id="d4", barn_id="c3", insats_id="p3", typ="VARDPLAN", datum="2024-12-01")
    db.add("dokument", dokument_id="d5", barn_id="c3", insats_id="p3", typ="GENOMFORANDEPLAN",
           datum="2025-06-15")
    # ended the day before P: not active
    db.add("insats", insats_id="p4", barn_id="c4", beslut_datum="2024-01-01", start_datum="2024-01-01",
           slut_datum="2024-12-31")
    db.add("dokument", dokument_id="d6", barn_id="c4", insats_id="p4", typ="VARDPLAN", datum="2024-01-01")
    # ended on P's first day: active, in the base (the same child as p1)
    db.add("insats", insats_id="p5", barn_id="c1", beslut_datum="2024-01-01", start_datum="2024-01-01",
           slut_datum="2025-01-01")
    db.add("dokument", dokument_id="d7", barn_id="c1", insats_id="p5", typ="PLACERINGSINFORMATION",
           datum="2024-01-01", bbic_formular=False)
    # open help and another district's placement: never in A8
    db.add("insats", insats_id="p6", barn_id="c6", insatstyp="KONTAKTPERSON", beslut_datum="2025-01-01")
    db.add("insats", insats_id="p7", barn_id="c7", stadsdel="soder", beslut_datum="2025-01-01")
    f = db.report(register, V)
    assert f[("A8.placerade_barn", "ALL")].value == "3"  # c1 (p1, p5), c2, c3
    # base p1, p3, p5
    assert triple(f[("A8.vardplan", "ALL")]) == ("33.3", "1", "3")  # p1
    assert triple(f[("A8.genomforandeplan", "ALL")]) == ("66.7", "2", "3")  # p1, p3
    assert triple(f[("A8.placeringsinformation", "ALL")]) == ("33.3", "1", "3")  # p5


def test_a8_documents_after_t_do_not_count(register: Register) -> None:
    q1 = Period(d("2025-01-01"), d("2025-03-31"))  # t = 03-31, t − 30 = 03-01
    db = Db()
    db.add("insats", insats_id="p1", barn_id="c1", beslut_datum="2025-02-01")
    db.add("dokument", dokument_id="d1", barn_id="c1", insats_id="p1", typ="VARDPLAN", datum="2025-03-31")
    db.add("insats", insats_id="p2", barn_id="c2", beslut_datum="2025-02-01")
    db.add("dokument", dokument_id="d2", barn_id="c2", insats_id="p2", typ="VARDPLAN", datum="2025-04-01")
    f = db.report(register, V, q1)
    assert triple(f[("A8.vardplan", "ALL")]) == ("50.0", "1", "2")  # d2 is dated after t


def test_a9_review_due_dates_and_windows(register: Register) -> None:
    db = Db()
    # SOL from 2024-08-31: d1 = 2025-02-28 (clamped); its review on d1 itself is in time
    db.add("insats", insats_id="r1", barn_id="c1", beslut_datum="2024-08-31")
    db.add("dokument", dokument_id="x1", barn_id="c1", insats_id="r1", typ="OVERVAGANDE", datum="2025-02-28")
    # LVU_3 from 2024-03-31: d1 = 2024-09-30 (before P), d2 = start + 12 months = 2025-03-31 (not
    # d1 + 6 months = 2025-03-30); OMPROVNING on 2025-03-31 is in (d1, d2]
    db.add("insats", insats_id="r2", barn_id="c2", insatstyp="HVB", lagrum="LVU_3", beslut_datum="2024-03-31")
    db.add("dokument", dokument_id="x2", barn_id="c2", insats_id="r2", typ="OMPROVNING", datum="2025-03-31")
    # LVU_6: no reviews at all
    db.add("insats", insats_id="r3", barn_id="c3", insatstyp="SIS", lagrum="LVU_6", beslut_datum="2024-10-01")
    # LVU_2 ending on its due date 2025-01-01 (d_k ≤ slut_datum): due; an OMPROVNING is the wrong type
    db.add("insats", insats_id="r4", barn_id="c4", insatstyp="HVB", lagrum="LVU_2", beslut_datum="2024-07-01",
           slut_datum="2025-01-01")
    db.add("dokument", dokument_id="x4", barn_id="c4", insats_id="r4", typ="OMPROVNING", datum="2024-12-01")
    # LVU_2_3 due on A itself (2025-06-15 ≤ A): either type
    db.add("insats", insats_id="r5", barn_id="c5", insatstyp="HVB", lagrum="LVU_2_3",
           beslut_datum="2024-12-15")
    db.add("dokument", dokument_id="x5", barn_id="c5", insats_id="r5", typ="OMPROVNING", datum="2025-06-15")
    # SOL from 2024-10-20: a document on d0 = start is outside (d0, d1]
    db.add("insats", insats_id="r6", barn_id="c6", beslut_datum="2024-10-20")
    db.add("dokument", dokument_id="x6", barn_id="c6", insats_id="r6", typ="OVERVAGANDE", datum="2024-10-20")
    # open help is no placement; a placement ending the day before its due date has none
    db.add("insats", insats_id="r7", barn_id="c7", insatstyp="KONTAKTPERSON", beslut_datum="2024-07-01")
    db.add("insats", insats_id="r8", barn_id="c8", beslut_datum="2024-07-01", slut_datum="2024-12-31")
    f = db.report(register, V)
    # due in P: r1 d1, r2 d2, r4 d1, r5 d1, r6 d1; in time r1, r2, r5
    assert triple(f[("A9.overvagande_i_tid", "ALL")]) == ("60.0", "3", "5")


def test_a10_reactualised_within_365_days(register: Register) -> None:
    db = Db()
    # 2024-03-01 = 2025-03-01 − 365 days (2024 is a leap year, 2024-02-29 is 366 days before)
    db.add("aktualisering", aktualisering_id="x1", barn_id="c1", inkom_datum="2025-03-01")
    db.add("utredning", utredning_id="u1", barn_id="c1", stadsdel="soder", inledd_datum="2024-01-01",
           avslutad_datum="2024-03-01", resultat="INSATS")  # any district
    db.add("aktualisering", aktualisering_id="x2", barn_id="c2", inkom_datum="2025-03-01")
    db.add("utredning", utredning_id="u2", barn_id="c2", inledd_datum="2024-01-01",
           avslutad_datum="2024-02-29",
           resultat="INSATS")  # 366 days before
    db.add("aktualisering", aktualisering_id="x3", barn_id="c3", inkom_datum="2025-03-01")
    db.add("utredning", utredning_id="u3", barn_id="c3", inledd_datum="2025-01-01",
           avslutad_datum="2025-03-01",
           resultat="INSATS")  # closed the same day: not before inkom
    db.add("aktualisering", aktualisering_id="x4", barn_id="c1", stadsdel="soder", inkom_datum="2025-03-01")
    f = db.report(register, V)
    assert triple(f[("A10.ateraktualiserade", "ALL")]) == ("33.3", "1", "3")


def test_a7_counts_by_decision_date(register: Register) -> None:
    db = Db()
    db.add("insats", insats_id="i1", barn_id="c1", beslut_datum="2025-01-01", start_datum="2024-12-20")
    db.add("insats", insats_id="i2", barn_id="c2", insatstyp="KONTAKTPERSON", beslut_datum="2025-06-15")
    db.add("insats", insats_id="i3", barn_id="c3", beslut_datum="2024-12-31", start_datum="2025-01-05")
    f = db.report(register, V)
    assert f[("A7.insatser", "grupp=ALL")].value == "2"  # i1, i2; i3 decided before P
    assert f[("A7.insatser", "grupp=PLACERING")].value == "1"
    assert f[("A7.insatser", "grupp=OPPEN")].value == "1"
    assert f[("A7.insatser", "lagrum=SOL")].value == "2"
    assert f[("A7.insatser", "lagrum=LVU_6")].value == "0"


def test_nothing_at_all_gives_zeros_and_empty_shares(register: Register) -> None:
    f = Db().report(register, V, as_of=dt.date(2025, 6, 15))
    assert triple(f[("A2.skydd_inom_1dag", "ALL")]) == ("", "0", "0")
    assert triple(f[("A5.utr_median_dagar", "ALL")]) == ("", "", "0")
    assert f[("A1.aktualiseringar", "typ=ALL")].value == "0"
    assert triple(f[("A9.overvagande_i_tid", "ALL")]) == ("", "0", "0")
