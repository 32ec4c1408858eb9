"""Audit of report 2 (klientgrupp) against reports.md on tiny snapshots.

P = 2025-H1 = [2025-01-01, 2025-06-30], A = t = 2025-06-15; reports for the district norr.
"""

from __future__ import annotations

from audit_db import Db, triple

from bbic_core import codes
from bbic_core.figures.figure import ReportKind
from bbic_core.register import Register

K = ReportKind.KLIENTGRUPP


def closed(db: Db, uid: str, child: str, inledd: str, avslutad: str | None = "2025-03-01",
           **more: object) -> None:
    db.add("utredning", utredning_id=uid, barn_id=child, inledd_datum=inledd, avslutad_datum=avslutad,
           resultat="INSATS" if avslutad else None, **more)


def test_b1_first_investigation_in_scope_and_age_at_its_inledd(register: Register) -> None:
    db = Db()
    db.add("barn", barn_id="k1", fodelsedatum_effektiv="2010-06-01", kon_effektiv="2")
    # soder's investigation began earlier (age 12) and closed in P, but norr's report describes the child
    # by its first investigation *in scope* closed in P: inledd 2025-01-10, age 14 (13-15)
    closed(db, "s1", "k1", "2023-05-01", "2025-02-01", stadsdel="soder")
    closed(db, "n1", "k1", "2025-01-10")
    # two investigations of k2 closed in P: the earlier inledd decides (age 17 on 2024-12-31; 18 on 01-02)
    db.add("barn", barn_id="k2", fodelsedatum_effektiv="2007-01-01", kon_effektiv=None)
    closed(db, "n2", "k2", "2025-01-02")
    closed(db, "n3", "k2", "2024-12-31")
    # closed before P: not investigated in P
    db.add("barn", barn_id="k3", fodelsedatum_effektiv="2015-01-01", kon_effektiv="1")
    closed(db, "n4", "k3", "2024-06-01", "2024-12-31")
    f = db.report(register, K)
    assert f[("B1.utredda_barn", "alder=ALL&kon=ALL")].value == "2"
    assert f[("B1.utredda_barn", "alder=13-15&kon=2")].value == "1"
    assert f[("B1.utredda_barn", "alder=16-17&kon=okant")].value == "1"
    assert f[("B1.utredda_barn", "alder=18-20&kon=ALL")].value == "0"
    assert f[("B1.utredda_barn", "alder=ALL&kon=1")].value == "0"


def test_b3_versions_and_not_assessed(register: Register) -> None:
    db = Db()
    closed(db, "u1", "k1", "2025-01-10")  # 2006
    closed(db, "u2", "k2", "2025-01-10")  # 2006
    closed(db, "u3", "k3", "2025-01-10", None, triangel_version="2016")  # open: 2016 is not listed
    closed(db, "u4", "k4", "2025-01-10", stadsdel="soder", triangel_version="2016")  # soder's
    db.add("utredning_bedomning", utredning_id="u1", omrade="BB_HALSA", bedomning="EJ_BEDOMT")
    db.add("utredning_bedomning", utredning_id="u2", omrade="BB_HALSA", bedomning="BEHOV")
    db.add("utredning_bedomning", utredning_id="u1", omrade="FM_BOENDE", bedomning="INGET_BEHOV")
    db.add("utredning_bedomning", utredning_id="u2", omrade="FM_BOENDE", bedomning="INGET_BEHOV")
    db.add("utredning_bedomning", utredning_id="u3", omrade="BU_HALSA", bedomning="BEHOV")
    db.add("utredning_bedomning", utredning_id="u4", omrade="BU_HALSA", bedomning="BEHOV")
    f = db.report(register, K)
    assert not [k for k in f if k[0].startswith("B3") and "version=2016" in k[1]]
    assert len([k for k in f if k[0] == "B3.behov"]) == len(codes.TRIANGEL_OMRADE_2006.values())
    # BB_HALSA: BEHOV of BEHOV + INGET_BEHOV = 1 of 1; u1's EJ_BEDOMT is "not assessed"
    assert triple(f[("B3.behov", "version=2006&omrade=BB_HALSA")]) == ("100.0", "1", "1")
    assert f[("B3.ej_bedomt", "version=2006&omrade=BB_HALSA")].value == "1"
    assert triple(f[("B3.behov", "version=2006&omrade=FM_BOENDE")]) == ("0.0", "0", "2")
    assert f[("B3.ej_bedomt", "version=2006&omrade=FM_BOENDE")].value == "0"
    # an area without rows: empty share, both investigations not assessed
    assert triple(f[("B3.behov", "version=2006&omrade=FF_STABILITET")]) == ("", "0", "0")
    assert f[("B3.ej_bedomt", "version=2006&omrade=FF_STABILITET")].value == "2"


def test_b4_children_with_help_age_at_t(register: Register) -> None:
    db = Db()
    # 18 on t = 2025-06-15 exactly; placement and open help: counted once in ALL and once in each group
    db.add("barn", barn_id="k1", fodelsedatum_effektiv="2007-06-15", kon_effektiv="1")
    db.add("insats", insats_id="i1", barn_id="k1", beslut_datum="2025-01-01")
    db.add("insats", insats_id="i2", barn_id="k1", insatstyp="KONTAKTPERSON", beslut_datum="2024-01-01")
    # 17 on t (18 only on 06-16); placement starting after t: not active; LVU_6 placement active
    db.add("barn", barn_id="k2", fodelsedatum_effektiv="2007-06-16", kon_effektiv="2")
    db.add("insats", insats_id="i3", barn_id="k2", beslut_datum="2025-06-10", start_datum="2025-06-20")
    db.add("insats", insats_id="i4", barn_id="k2", insatstyp="SIS", lagrum="LVU_6", beslut_datum="2025-06-01",
           slut_datum="2025-06-05")
    f = db.report(register, K)
    assert f[("B4.barn_med_insats", "grupp=ALL&alder=ALL&kon=ALL")].value == "2"
    assert f[("B4.barn_med_insats", "grupp=ALL&alder=18-20&kon=1")].value == "1"
    assert f[("B4.barn_med_insats", "grupp=ALL&alder=16-17&kon=2")].value == "1"
    assert f[("B4.barn_med_insats", "grupp=PLACERING&alder=ALL&kon=ALL")].value == "2"
    assert f[("B4.barn_med_insats", "grupp=OPPEN&alder=ALL&kon=ALL")].value == "1"
    # placements active in P: i1, i4 (i3 starts after t)
    assert f[("B4.placeringar", "insatstyp=ALL&lagrum=ALL")].value == "2"
    assert f[("B4.placeringar", "insatstyp=FAMILJEHEM&lagrum=SOL")].value == "1"
    assert f[("B4.placeringar", "insatstyp=SIS&lagrum=LVU_6")].value == "1"
    assert [k for k in f if k[0] == "B4.placeringar"] == [
        ("B4.placeringar", "insatstyp=ALL&lagrum=ALL"), ("B4.placeringar", "insatstyp=FAMILJEHEM&lagrum=SOL"),
        ("B4.placeringar", "insatstyp=SIS&lagrum=LVU_6")]


def test_b6_the_lead_aktualisering(register: Register) -> None:
    db = Db()

    def akt(aid: str, child: str, inkom: str, stadsdel: str = "norr") -> None:
        db.add("aktualisering", aktualisering_id=aid, barn_id=child, inkom_datum=inkom, stadsdel=stadsdel)

    # k1: no aktualisering_id; the latest on or before inledd is 2025-01-05, shared by a2 and a3 (both
    # excluded); a1 is earlier: yes
    closed(db, "u1", "k1", "2025-01-10")
    akt("a1", "k1", "2024-12-01")
    akt("a2", "k1", "2025-01-05")
    akt("a3", "k1", "2025-01-05")
    # k2: led by b2; b1 received the same day is another one, before inledd: yes
    closed(db, "u2", "k2", "2025-01-10", aktualisering_id="b2")
    akt("b1", "k2", "2025-01-05")
    akt("b2", "k2", "2025-01-05")
    # k3: no aktualisering_id, two on the lead date and nothing earlier: no
    closed(db, "u3", "k3", "2025-01-10")
    akt("c1", "k3", "2025-01-10")
    akt("c2", "k3", "2025-01-10")
    # k4: nothing received before inledd (only after): no
    closed(db, "u4", "k4", "2025-01-10")
    akt("e1", "k4", "2025-01-20")
    # k5: led by f2; f1 in soder earlier (history counts in every district): yes
    closed(db, "u5", "k5", "2025-01-10", aktualisering_id="f2")
    akt("f1", "k5", "2024-05-01", "soder")
    akt("f2", "k5", "2025-01-09")
    # k6: led by g1; g2 received on inledd itself is not before it: no
    closed(db, "u6", "k6", "2025-01-10", aktualisering_id="g1")
    akt("g1", "k6", "2025-01-08")
    akt("g2", "k6", "2025-01-10")
    for child in ("k1", "k2", "k3", "k4", "k5", "k6"):
        db.add("barn", barn_id=child)
    f = db.report(register, K)
    assert triple(f[("B6.tidigare_aktualiserade", "ALL")]) == ("50.0", "3", "6")  # k1, k2, k5


def test_b2_and_b5_list_every_code(register: Register) -> None:
    db = Db()
    db.add("aktualisering", aktualisering_id="a1", barn_id="k1", inkom_datum="2025-02-01", anmalare=None)
    db.add("aktualisering", aktualisering_id="a2", barn_id="k1", typ="INFORMATION", inkom_datum="2025-02-01",
           anmalare="POLIS")  # not an ANMALAN: not in B2.anmalare, in B2.orsak
    f = db.report(register, K)
    assert f[("B2.anmalare", "anmalare=SAKNAS")].value == "1"
    assert f[("B2.anmalare", "anmalare=POLIS")].value == "0"
    assert f[("B2.orsak", "orsak=OVRIGT")].value == "2"
    assert {k[1] for k in f if k[0] == "B5.utredningsresultat"} == {
        f"resultat={c}" for c in codes.UTREDNING_RESULTAT.values()}


def test_b1_smallest_id_is_the_text_order(register: Register) -> None:
    # Decision (docs/decisions.md, "Figures audit"): "then smallest id" is the ids' text order, as ids are
    # compared exactly (an IT supplier's ORDER BY gives the same), so "U10" < "U9". Both began on
    # 2025-01-10 and closed in P. U10 was led by a1 (2025-01-05): the child's other aktualisering a2 was
    # received on inledd itself, not before it → no. Had U9 (led by a2) been taken, a1 is earlier → yes.
    db = Db()
    db.add("barn", barn_id="k1")
    db.add("aktualisering", aktualisering_id="a1", barn_id="k1", inkom_datum="2025-01-05")
    db.add("aktualisering", aktualisering_id="a2", barn_id="k1", inkom_datum="2025-01-10")
    closed(db, "U10", "k1", "2025-01-10", aktualisering_id="a1")
    closed(db, "U9", "k1", "2025-01-10", aktualisering_id="a2")
    f = db.report(register, K)
    assert triple(f[("B6.tidigare_aktualiserade", "ALL")]) == ("0.0", "0", "1")
