"""Audit of report 3 (licens) against reports.md and register.md on tiny snapshots.

D = A = 2025-06-15, W = [2024-06-16, 2025-06-15], D − 30 = 2025-05-16; the district is norr
(licence, BBIC-ansvarig and a trained trainer from the key test's register).
"""

from __future__ import annotations

import datetime as dt

from audit_db import KOMMUN, Db, d, triple

from bbic_core.figures.figure import ReportKind
from bbic_core.figures.licens import r5_status
from bbic_core.register import Register
from bbic_core.register.organisation import Utbildning

L = ReportKind.LICENS


def with_training(register: Register, *rows: tuple[str, str, str]) -> Register:
    extra = [Utbildning(handlaggare_id=h, utbildning=u,
                        genomford_datum=d(day)) for h, u, day in rows]
    return register.model_copy(update={"utbildning": [*register.utbildning, *extra]})


def test_c4_users_and_untrained_work(register: Register) -> None:
    reg = with_training(register, ("P1", "GRUNDUTBILDNING", "2025-06-15"), ("P2", "E_LEARNING", "2020-01-01"))
    db = Db()
    db.add("personal", handlaggare_id="P1", anstalld_fran="2025-06-15")  # employed from D: active
    db.add("personal", handlaggare_id="P2", anstalld_till="2025-06-15")  # until D: active
    db.add("personal", handlaggare_id="P3", anstalld_till="2025-06-14")  # left before D
    db.add("personal", handlaggare_id="P4", bbic_anvandare=False)  # no BBIC user
    db.add("personal", handlaggare_id="S7", stadsdel="soder")
    # P1 worked the day before the training (2025-06-14): untrained then
    db.add("aktualisering", aktualisering_id="a1", barn_id="k1", inkom_datum="2025-06-14",
           handlaggare_id="P1")
    # P4 (any bbic_anvandare) on W's first day
    db.add("utredning", utredning_id="u1", barn_id="k1", arende_id="AR", inledd_datum="2024-06-16",
           handlaggare_id="P4")
    # P3 only before W
    db.add("insats", insats_id="i1", barn_id="k1", beslut_datum="2024-06-15", handlaggare_id="P3")
    # P2 on a document of a soder intervention: the user belongs to norr (their personal row)
    db.add("insats", insats_id="i2", barn_id="k1", stadsdel="soder", beslut_datum="2024-01-01",
           handlaggare_id="S7")
    db.add("dokument", dokument_id="x1", barn_id="k1", insats_id="i2", typ="VARDPLAN", datum="2025-06-15",
           handlaggare_id="P2")
    f = db.report(reg, L)
    assert f[("C4.anvandare", "stadsdel=norr")].value == "2"  # P1, P2
    assert triple(f[("C4.anvandare_utbildade", "stadsdel=norr")]) == ("50.0", "1", "2")  # P1 on D
    assert f[("C4.utan_utbildning", "stadsdel=norr")].value == "3"
    assert [k[1] for k in f if k[0] == "C4.utan_utbildning"][1:] == [
        f"stadsdel=norr&handlaggare_id={user}" for user in ("P1", "P2", "P4")]
    # C7: one untrained active user (P2); ceil(1 / 2) = 1 group × 3 days
    assert f[("C7.utbildningsbehov", "stadsdel=norr")].value == "1"
    assert f[("C7.utbildningsbehov", "stadsdel=norr&uppgift=grupper")].value == "1"
    assert f[("C7.utbildningsbehov", "stadsdel=norr&uppgift=kursdagar")].value == "3"
    assert f[("C.krav", "stadsdel=norr&krav=R4")].value == "EJ_UPPFYLLT"


def test_c5_populations(register: Register) -> None:
    db = Db()
    # ANMALAN_ANSOKAN: received in W; INFORMATION never
    db.add("aktualisering", aktualisering_id="a1", barn_id="k1", inkom_datum="2024-06-16")
    db.add("aktualisering", aktualisering_id="a2", barn_id="k1", typ="ANSOKAN", inkom_datum="2025-06-15",
           bbic_formular=False)
    db.add("aktualisering", aktualisering_id="a3", barn_id="k1", typ="INFORMATION", inkom_datum="2025-01-01")
    db.add("aktualisering", aktualisering_id="a4", barn_id="k1", inkom_datum="2024-06-15")  # before W
    # UTREDNING / UTREDNINGSPLAN: closed in W
    db.add("utredning", utredning_id="u1", barn_id="k1", inledd_datum="2024-03-01",
           avslutad_datum="2024-06-16",
           resultat="INSATS")
    db.add("utredning", utredning_id="u2", barn_id="k1", inledd_datum="2025-03-01",
           avslutad_datum="2025-06-15",
           resultat="INSATS", bbic_formular=False, utredningsplan_datum="2025-05-01")
    db.add("utredning", utredning_id="u3", barn_id="k1", inledd_datum="2024-03-01",
           avslutad_datum="2024-06-15",
           resultat="INSATS", utredningsplan_datum="2024-03-05")  # closed before W
    # VARDPLAN / GENOMFORANDEPLAN: placements started in W on or before D − 30
    db.add("insats", insats_id="q1", barn_id="k1", beslut_datum="2025-05-16")  # started on D − 30
    db.add("dokument", dokument_id="x1", barn_id="k1", insats_id="q1", typ="VARDPLAN", datum="2025-04-16")
    db.add("dokument", dokument_id="x2", barn_id="k1", insats_id="q1", typ="GENOMFORANDEPLAN",
           datum="2025-05-20", bbic_formular=False)  # not in the BBIC form
    db.add("insats", insats_id="q2", barn_id="k1", beslut_datum="2025-05-17")  # D − 29: too recent
    db.add("insats", insats_id="q3", barn_id="k1", beslut_datum="2024-06-10", start_datum="2024-06-16")
    db.add("dokument", dokument_id="x3", barn_id="k1", insats_id="q3", typ="VARDPLAN", datum="2025-06-15")
    db.add("dokument", dokument_id="x4", barn_id="k1", insats_id="q3", typ="GENOMFORANDEPLAN",
           datum="2024-05-10")  # beslut − 31 days
    db.add("insats", insats_id="q4", barn_id="k1", beslut_datum="2024-06-15")  # started before W
    db.add("insats", insats_id="q5", barn_id="k1", insatstyp="KONTAKTPERSON", beslut_datum="2025-01-01")
    # OVERVAGANDE_OMPROVNING: q3 due 2024-12-16 (in time, in the form; its d2 2025-06-16 is after D); q4
    # due 2024-12-15 (in time, not in the form) and 2025-06-15 = D (nothing in (d1, d2]); q1 due 2025-11-16
    db.add("dokument", dokument_id="x5", barn_id="k1", insats_id="q3", typ="OVERVAGANDE", datum="2024-12-16")
    db.add("dokument", dokument_id="x6", barn_id="k1", insats_id="q4", typ="OVERVAGANDE", datum="2024-12-01",
           bbic_formular=False)
    f = db.report(register, L)

    def c5(dokument: str) -> tuple[str, str, str]:
        return triple(f[("C5.formular", f"stadsdel=norr&dokument={dokument}")])

    assert c5("ANMALAN_ANSOKAN") == ("50.0", "1", "2")  # a1 of a1, a2
    assert c5("UTREDNING") == ("50.0", "1", "2")  # u1 of u1, u2
    assert c5("UTREDNINGSPLAN") == ("50.0", "1", "2")  # u2
    assert c5("VARDPLAN") == ("100.0", "2", "2")  # q1 (x1), q3 (x3)
    assert c5("GENOMFORANDEPLAN") == ("0.0", "0", "2")
    assert c5("OVERVAGANDE_OMPROVNING") == ("33.3", "1", "3")
    assert f[("C.krav", "stadsdel=norr&krav=R5")].value == "EJ_UPPFYLLT"


def test_c5_only_records_dated_on_or_before_d(register: Register) -> None:
    db = Db()
    # a past check date D = 2025-01-31: W = [2024-02-01, 2025-01-31], D − 30 = 2025-01-01
    db.add("insats", insats_id="q1", barn_id="k1", beslut_datum="2024-12-01")
    db.add("dokument", dokument_id="x1", barn_id="k1", insats_id="q1", typ="VARDPLAN", datum="2025-02-01")
    db.add("aktualisering", aktualisering_id="a1", barn_id="k1", inkom_datum="2025-02-01")
    f = db.report(register, L, as_of=dt.date(2025, 1, 31))
    assert triple(f[("C5.formular", "stadsdel=norr&dokument=VARDPLAN")]) == ("0.0", "0", "1")
    assert triple(f[("C5.formular", "stadsdel=norr&dokument=ANMALAN_ANSOKAN")]) == ("", "0", "0")
    assert {(x.period_from, x.period_to, x.as_of) for x in f.values()} == {
        (d("2024-02-01"), d("2025-01-31"), d("2025-01-31"))}


def test_r5_compares_exact_fractions() -> None:
    forms = {"UTREDNING": (8996, 10000), "VARDPLAN": (0, 0)}  # 89.96 %, written 90.0
    assert r5_status(forms, 90) == "EJ_UPPFYLLT"
    assert r5_status({"UTREDNING": (9, 10), "VARDPLAN": (0, 0)}, 90) == "UPPFYLLT"
    assert r5_status({"UTREDNING": (0, 0)}, 90) == "UNDERLAG_SAKNAS"


def test_the_city_licence_check_judges_the_districts_in_force_on_d(register: Register) -> None:
    # Decision (docs/decisions.md, "Figures audit"): ost was dissolved on 2020-12-31 (a merger). The city's
    # check as of D = 2025-06-15 holds the committees that exist on D, as a network's and a district's
    # check already do (register.md: districts in force on the last day, here D); ost's records still
    # count in the city's follow-up reports, which cover every district of the register.
    districts = [x.model_copy(update={"to": d("2020-12-31")}) if x.code == "ost" else x
                 for x in register.districts]
    reg = register.model_copy(update={"districts": districts})
    db = Db()
    db.add("aktualisering", aktualisering_id="a1", barn_id="k1", stadsdel="ost", inkom_datum="2025-01-10")
    licence = db.report(reg, L, scope=KOMMUN)
    assert {k[1].split("&")[0] for k in licence} == {"stadsdel=norr", "stadsdel=soder"}
    # a check as of 2020-06-30 (W = [2019-07-01, 2020-06-30]) still judges ost
    past = db.report(reg, L, scope=KOMMUN, as_of=d("2020-06-30"))
    assert ("C.krav", "stadsdel=ost&krav=ALL") in past
    follow_up = db.report(reg, ReportKind.VERKSAMHET, scope=KOMMUN)
    assert follow_up[("A1.aktualiseringar", "typ=ALL")].value == "1"
