"""THE KEY TEST: every measure id and breakdown of the three reports over the hand-made snapshot of
figures_fixture.py, each expected value written by hand with its reasoning.

Period P = 2025-H1 = [2025-01-01, 2025-06-30], A = 2025-06-15, so t = 2025-06-15 and t − 14 =
2025-06-01, t − 30 = 2025-05-16. Reports 1 and 2 are made for the district `norr` (soder's rows
must stay out, except a child's history in A10 and B6). Report 3 is made for the whole
municipality (norr, soder, ost) as of D = A, window W = [2024-06-16, 2025-06-15].

Rows not written out explicitly are the zeros (counts) or empty shares of the codes where nothing
counts; `grid` below lists those keys from the code lists, never from the implementation.
"""

from __future__ import annotations

import datetime as dt
import itertools

import duckdb
import pytest
from figures_fixture import A

from bbic_core import codes
from bbic_core.figures import MEASURES, compute_report
from bbic_core.figures.figure import Figure, ReportKind
from bbic_core.figures.format import parse_breakdown
from bbic_core.register import Register
from bbic_core.scopes import Period, Scope, ScopeLevel

P = Period(dt.date(2025, 1, 1), dt.date(2025, 6, 30))
W = Period(dt.date(2024, 6, 16), dt.date(2025, 6, 15))
NORR = Scope(ScopeLevel.DISTRICT, "norr")
KOMMUN = Scope(ScopeLevel.MUNICIPALITY, "0999")

Row = tuple[str, str, str]  # value, numerator, denominator
Expected = dict[tuple[str, str], Row]

def count(n: int) -> Row:
    return (str(n), "", "")


def share(value: str, num: int, den: int) -> Row:
    return (value, str(num), str(den))


def median(value: str, n: int) -> Row:
    return (value, "", str(n))


def code(value: str) -> Row:
    return (value, "", "")


def grid(measure: str, keys: list[str], values: list[list[str]], zero: Row) -> Expected:
    """Every combination of the dimensions' values, each `zero` (overridden by the explicit rows)."""
    return {(measure, "&".join(f"{k}={v}" for k, v in zip(keys, combo, strict=True))): zero
            for combo in itertools.product(*values)}


def as_dict(figures: list[Figure]) -> Expected:
    out: Expected = {}
    for f in figures:
        key = (f.measure, f.breakdown)
        assert key not in out, f"duplicate figure {key}"
        out[key] = (f.value, f.numerator, f.denominator)
    return out


def assert_figures(actual: Expected, expected: Expected) -> None:
    missing = sorted(set(expected) - set(actual))
    extra = sorted(set(actual) - set(expected))
    assert not missing, f"missing: {missing}"
    assert not extra, f"unexpected: {extra}"
    wrong = {k: (actual[k], expected[k]) for k in expected if actual[k] != expected[k]}
    assert not wrong, f"(actual, expected): {wrong}"


ZERO = count(0)
EMPTY_SHARE = share("", 0, 0)
MONTHS = ["2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06"]  # months of P up to t


def expected_verksamhet() -> Expected:
    e: Expected = {}
    # A1: norr aktualiseringar received in P: AK1, AK2, AK4 (ANMALAN), AK3, AK8, AK9 (INFORMATION),
    # AK5 (ANSOKAN). AK6 and AK12 are before P; AK7, AK10, AK13 are soder's.
    e[("A1.aktualiseringar", "typ=ALL")] = count(7)
    e[("A1.aktualiseringar", "typ=ANSOKAN")] = count(1)
    e[("A1.aktualiseringar", "typ=ANMALAN")] = count(3)
    e[("A1.aktualiseringar", "typ=INFORMATION")] = count(3)
    # A1.barn: K1 (AK1), K2 (AK2), K3 (AK3, AK8, AK9), K4 (AK4), K5 (AK5)
    e[("A1.barn", "ALL")] = count(5)
    # A1.aktualiseringar_manad: January AK1, AK2, AK5; March AK8, AK9; May AK4; June AK3
    e |= grid("A1.aktualiseringar_manad", ["manad"], [MONTHS], ZERO)
    e[("A1.aktualiseringar_manad", "manad=2025-01")] = count(3)
    e[("A1.aktualiseringar_manad", "manad=2025-03")] = count(2)
    e[("A1.aktualiseringar_manad", "manad=2025-05")] = count(1)
    e[("A1.aktualiseringar_manad", "manad=2025-06")] = count(1)
    # A2: ANMALAN in P: AK1 (protection next day: within), AK2 (after 2 days), AK4 (missing = not within)
    e[("A2.skydd_inom_1dag", "ALL")] = share("33.3", 1, 3)
    # A3: ANMALAN + INFORMATION in P. Decided: AK1 10 days, AK2 19, AK8 14 (exactly 14: within), AK9 21.
    # Undecided: AK4 (05-20 + 14 = 06-03 < A: counts against), AK3 (06-05 + 14 = 06-19 ≥ A: too young).
    # AK5 is an ansökan and never counts.
    e[("A3.fhb_inom_14d", "ALL")] = share("40.0", 2, 5)
    # median of 10, 14, 19, 21 (even count): (14 + 19) / 2
    e[("A3.fhb_median_dagar", "ALL")] = median("16.5", 4)
    # decisions of the four decided: INLEDA AK1, AK2, AK9; PAGAENDE AK8
    e[("A3.fhb_beslut", "beslut=ALL")] = count(4)
    e[("A3.fhb_beslut", "beslut=INLEDA")] = count(3)
    e[("A3.fhb_beslut", "beslut=INTE_INLEDA")] = count(0)
    e[("A3.fhb_beslut", "beslut=PAGAENDE")] = count(1)
    # received on or before t − 14 = 06-01 without a decision by t: AK4 (05-20) and AK6 (2024-12-01,
    # outside P but still waiting); AK3 (06-05) is too recent
    e[("A3.fhb_balans", "ALL")] = count(2)
    # A4: inledd in P: U2, U9 (Jan), U1, U10 (Feb), U3 (Mar), U13 (Apr), U11 (Jun); U4, U5 began in 2024
    e[("A4.utr_inledda", "ALL")] = count(7)
    e |= grid("A4.utr_inledda_manad", ["manad"], [MONTHS], ZERO)
    e[("A4.utr_inledda_manad", "manad=2025-01")] = count(2)
    e[("A4.utr_inledda_manad", "manad=2025-02")] = count(2)
    e[("A4.utr_inledda_manad", "manad=2025-03")] = count(1)
    e[("A4.utr_inledda_manad", "manad=2025-04")] = count(1)
    e[("A4.utr_inledda_manad", "manad=2025-06")] = count(1)
    # closed in P: U1 (06-10), U2 (05-15), U3 (04-30), U4 (02-28), U5 (03-01), U13 (04-25)
    e[("A4.utr_avslutade", "ALL")] = count(6)
    # open at t: U9, U10, U11
    e[("A4.utr_pagaende", "ALL")] = count(3)
    # A5: days 102 (U1), 115 (U2), 49 (U3), 120 (U4), 121 (U5), 24 (U13); sorted 24 49 102 115 120 121:
    # median (102 + 115) / 2
    e[("A5.utr_median_dagar", "ALL")] = median("108.5", 6)
    # within inledd + 4 months: all but U5 (2024-10-31 + 4 months = 2025-02-28 < 2025-03-01); U4 closed on
    # 2025-02-28 is within. 5/6 = 83.33…
    e[("A5.utr_inom_4man", "ALL")] = share("83.3", 5, 6)
    # U5 was extended to 2025-03-15, so all six are within the decided time
    e[("A5.utr_inom_beslutad_tid", "ALL")] = share("100.0", 6, 6)
    # extended: U5 only; 1/6 = 16.66… → 16.7
    e[("A5.utr_forlangda", "ALL")] = share("16.7", 1, 6)
    # open at t past 4 months: U9 (deadline 05-15, not extended); U10 is past 06-01 but extended to 07-01;
    # U11 started in June
    e[("A5.utr_overtid", "ALL")] = count(1)
    # whole months: U13 0 (24 days), U3 1 (03-12 → 04-30), U1 3 (05-28 ≤ 06-10 < 06-28), U2 3,
    # U4 4 (2025-02-28 = inledd + 4 months exactly), U5 4
    e |= grid("A5.utr_tid_fordelning", ["manader"], [["0", "1", "2", "3", "4", "5", "6+"]], ZERO)
    e[("A5.utr_tid_fordelning", "manader=0")] = count(1)
    e[("A5.utr_tid_fordelning", "manader=1")] = count(1)
    e[("A5.utr_tid_fordelning", "manader=3")] = count(2)
    e[("A5.utr_tid_fordelning", "manader=4")] = count(2)
    # A6: plan set on U1, U2, U4, U13 (not U3, U5); BBIC form on all but U5
    e[("A6.utr_med_plan", "ALL")] = share("66.7", 4, 6)
    e[("A6.utr_bbic", "ALL")] = share("83.3", 5, 6)
    # A7: decided in P: I5 KONTAKTPERSON SOL, I6 FAMILJEBEHANDLING SOL (open); I7 NATVERKSHEM SOL,
    # I10 SIS LVU_2 (placements). Every other intervention was decided before P.
    e[("A7.insatser", "grupp=ALL")] = count(4)
    e[("A7.insatser", "grupp=PLACERING")] = count(2)
    e[("A7.insatser", "grupp=OPPEN")] = count(2)
    e |= grid("A7.insatser", ["insatstyp"], [codes.INSATSTYP.values()], ZERO)
    e[("A7.insatser", "insatstyp=NATVERKSHEM")] = count(1)
    e[("A7.insatser", "insatstyp=SIS")] = count(1)
    e[("A7.insatser", "insatstyp=KONTAKTPERSON")] = count(1)
    e[("A7.insatser", "insatstyp=FAMILJEBEHANDLING")] = count(1)
    e |= grid("A7.insatser", ["lagrum"], [codes.LAGRUM.values()], ZERO)
    e[("A7.insatser", "lagrum=SOL")] = count(3)
    e[("A7.insatser", "lagrum=LVU_2")] = count(1)
    # A8: placements active in P: I1 (K1), I2 (K2), I3 and I4 (K4), I7 (K5), I10 (K2); I8 ended 2024-12-31
    e[("A8.placerade_barn", "ALL")] = count(4)
    # base: started on or before t − 30 = 05-16: I1, I2, I3, I4 (I7 06-01 and I10 05-20 are too recent).
    # VARDPLAN from beslut − 30 days: I1 (D4 on exactly 2024-05-21), I2 (D5 on exactly 2024-08-01, form N
    # does not matter); I3's D6 is 2024-08-31, one day before 2024-09-01
    e[("A8.vardplan", "ALL")] = share("50.0", 2, 4)
    # GENOMFORANDEPLAN: I1 (D7), I3 (D8), I2 (D9, form N); not I4
    e[("A8.genomforandeplan", "ALL")] = share("75.0", 3, 4)
    # PLACERINGSINFORMATION: I4 (D10)
    e[("A8.placeringsinformation", "ALL")] = share("25.0", 1, 4)
    # A9: due in P: I1 d1 = 2025-01-01 (D1 OVERVAGANDE 2024-12-20: in time); I2 (LVU_3) d1 = 2024-08-31 +
    # 6 months = 2025-02-28 (D2 OMPROVNING 03-05 is late, D3 is an OVERVAGANDE: wrong type); I4 (LVU_2_3)
    # d1 = 2025-03-15 (D11 OMPROVNING on the due date: in time). I3 is LVU_6: excluded (its d1 2025-04-01
    # would be in P). I8's due dates stop at its end 2024-12-31.
    e[("A9.overvagande_i_tid", "ALL")] = share("66.7", 2, 3)
    # A10: of the 7 aktualiseringar in P, the child had an investigation (any district) closed in
    # [inkom − 365 days, inkom): AK2 (U8 soder closed 2024-01-06 = 2025-01-05 − 365 days), AK3 (U3 closed
    # 2025-04-30 < 06-05), AK4 (U4 2025-02-28, and U6 soder 2024-09-01). Not AK1, AK5, AK8, AK9 (closed
    # only after). 3/7 = 42.857…
    e[("A10.ateraktualiserade", "ALL")] = share("42.9", 3, 7)
    return e


AGE = ["ALL", *codes.ALDERSGRUPP.values()]
SEX = ["ALL", *codes.KON_RAPPORT.values()]


def expected_klientgrupp() -> Expected:
    e: Expected = {}
    # Investigated children (closed in P in norr): K1 (U1), K2 (U2), K3 (U3), K4 (U4 and U5: both began
    # 2024-10-31, U4 is the first by id), K5 (U13). Age at inledd of the first:
    #   K1 born 2012-02-29, on 2025-02-28 still 12 (13 only on 1 March): 7-12, girl
    #   K2 (samordningsnummer, born 2008-03-05) on 2025-01-20: 16: 16-17, boy
    #   K3 born 2020-06-01 on 2025-03-12: 4: 0-6, sex unknown
    #   K4 born 2007-01-10 on 2024-10-31: 17: 16-17, boy
    #   K5 born 2025-05-01 on 2025-04-01: −1 → 0-6, girl
    e |= grid("B1.utredda_barn", ["alder", "kon"], [AGE, SEX], ZERO)
    e[("B1.utredda_barn", "alder=ALL&kon=ALL")] = count(5)
    e[("B1.utredda_barn", "alder=0-6&kon=ALL")] = count(2)  # K3, K5
    e[("B1.utredda_barn", "alder=7-12&kon=ALL")] = count(1)  # K1
    e[("B1.utredda_barn", "alder=16-17&kon=ALL")] = count(2)  # K2, K4
    e[("B1.utredda_barn", "alder=ALL&kon=1")] = count(2)  # K2, K4
    e[("B1.utredda_barn", "alder=ALL&kon=2")] = count(2)  # K1, K5
    e[("B1.utredda_barn", "alder=ALL&kon=okant")] = count(1)  # K3
    e[("B1.utredda_barn", "alder=0-6&kon=2")] = count(1)  # K5
    e[("B1.utredda_barn", "alder=0-6&kon=okant")] = count(1)  # K3
    e[("B1.utredda_barn", "alder=7-12&kon=2")] = count(1)  # K1
    e[("B1.utredda_barn", "alder=16-17&kon=1")] = count(2)  # K2, K4
    # B2.anmalare: ANMALAN in P: AK1 SKOLA, AK2 missing (SAKNAS), AK4 POLIS
    e |= grid("B2.anmalare", ["anmalare"], [[*codes.ANMALARE.values(), "SAKNAS"]], ZERO)
    e[("B2.anmalare", "anmalare=SKOLA")] = count(1)
    e[("B2.anmalare", "anmalare=POLIS")] = count(1)
    e[("B2.anmalare", "anmalare=SAKNAS")] = count(1)
    # B2.orsak over all 7: AK1 BRISTANDE_OMSORG, AK2 KRIMINALITET, AK3 and AK9 OVRIGT, AK4 EGET_MISSBRUK,
    # AK5 ANSOKAN_OM_STOD, AK8 KONFLIKT_I_FAMILJEN
    e |= grid("B2.orsak", ["orsak"], [codes.ORSAK.values()], ZERO)
    e[("B2.orsak", "orsak=BRISTANDE_OMSORG")] = count(1)
    e[("B2.orsak", "orsak=KRIMINALITET")] = count(1)
    e[("B2.orsak", "orsak=OVRIGT")] = count(2)
    e[("B2.orsak", "orsak=EGET_MISSBRUK")] = count(1)
    e[("B2.orsak", "orsak=ANSOKAN_OM_STOD")] = count(1)
    e[("B2.orsak", "orsak=KONFLIKT_I_FAMILJEN")] = count(1)
    # B3: closed in P, version 2006: U3, U4, U5 (n = 3); version 2016: U1, U2, U13 (n = 3).
    # Areas with no assessment: share empty, all 3 not assessed.
    e |= grid("B3.behov", ["version", "omrade"], [["2006"], codes.TRIANGEL_OMRADE_2006.values()], EMPTY_SHARE)
    e |= grid("B3.behov", ["version", "omrade"], [["2016"], codes.TRIANGEL_OMRADE_2016.values()], EMPTY_SHARE)
    e |= grid("B3.ej_bedomt", ["version", "omrade"], [["2006"], codes.TRIANGEL_OMRADE_2006.values()],
        count(3))
    e |= grid("B3.ej_bedomt", ["version", "omrade"], [["2016"], codes.TRIANGEL_OMRADE_2016.values()],
        count(3))
    # 2006 BB_HALSA: U3 BEHOV, U4 INGET_BEHOV, U5 no row
    e[("B3.behov", "version=2006&omrade=BB_HALSA")] = share("50.0", 1, 2)
    e[("B3.ej_bedomt", "version=2006&omrade=BB_HALSA")] = count(1)
    # 2006 FF_GRUNDLAGGANDE_OMSORG: U3 and U4 BEHOV, U5 no row
    e[("B3.behov", "version=2006&omrade=FF_GRUNDLAGGANDE_OMSORG")] = share("100.0", 2, 2)
    e[("B3.ej_bedomt", "version=2006&omrade=FF_GRUNDLAGGANDE_OMSORG")] = count(1)
    # 2016 BU_HALSA: U1 and U2 BEHOV, U13 INGET_BEHOV
    e[("B3.behov", "version=2016&omrade=BU_HALSA")] = share("66.7", 2, 3)
    e[("B3.ej_bedomt", "version=2016&omrade=BU_HALSA")] = count(0)
    # 2016 BU_UTBILDNING: U1 INGET_BEHOV, U2 BEHOV, U13 no row
    e[("B3.behov", "version=2016&omrade=BU_UTBILDNING")] = share("50.0", 1, 2)
    e[("B3.ej_bedomt", "version=2016&omrade=BU_UTBILDNING")] = count(1)
    # 2016 FF_SAKERHET: U1 BEHOV (U11's row does not count: still open)
    e[("B3.behov", "version=2016&omrade=FF_SAKERHET")] = share("100.0", 1, 1)
    e[("B3.ej_bedomt", "version=2016&omrade=FF_SAKERHET")] = count(2)
    # 2016 FM_BOENDE: U1 EJ_BEDOMT, U2 and U13 no row: share empty, 3 not assessed (the default above)
    # B4: interventions active in P (start ≤ t, not ended before 2025-01-01): K1 (I1 placement, I5 open),
    # K2 (I2, I10 placements), K3 (I6 open; I8 ended 2024-12-31), K4 (I3, I4 placements), K5 (I7
    # placement, started 06-01 ≤ t). Age at t = 2025-06-15: K1 13 (13-15, girl), K2 17 (16-17, boy),
    # K3 5 (0-6, unknown), K4 18 (18-20, boy), K5 0 (0-6, girl).
    e |= grid("B4.barn_med_insats", ["grupp", "alder", "kon"], [["ALL", "PLACERING", "OPPEN"], AGE, SEX],
        ZERO)
    for key, n in {
        "grupp=ALL&alder=ALL&kon=ALL": 5,
        "grupp=ALL&alder=0-6&kon=ALL": 2,  # K3, K5
        "grupp=ALL&alder=13-15&kon=ALL": 1,  # K1
        "grupp=ALL&alder=16-17&kon=ALL": 1,  # K2
        "grupp=ALL&alder=18-20&kon=ALL": 1,  # K4
        "grupp=ALL&alder=ALL&kon=1": 2,  # K2, K4
        "grupp=ALL&alder=ALL&kon=2": 2,  # K1, K5
        "grupp=ALL&alder=ALL&kon=okant": 1,  # K3
        "grupp=ALL&alder=0-6&kon=2": 1,
        "grupp=ALL&alder=0-6&kon=okant": 1,
        "grupp=ALL&alder=13-15&kon=2": 1,
        "grupp=ALL&alder=16-17&kon=1": 1,
        "grupp=ALL&alder=18-20&kon=1": 1,
        # placed: K1, K2, K4, K5
        "grupp=PLACERING&alder=ALL&kon=ALL": 4,
        "grupp=PLACERING&alder=0-6&kon=ALL": 1,
        "grupp=PLACERING&alder=13-15&kon=ALL": 1,
        "grupp=PLACERING&alder=16-17&kon=ALL": 1,
        "grupp=PLACERING&alder=18-20&kon=ALL": 1,
        "grupp=PLACERING&alder=ALL&kon=1": 2,
        "grupp=PLACERING&alder=ALL&kon=2": 2,
        "grupp=PLACERING&alder=0-6&kon=2": 1,
        "grupp=PLACERING&alder=13-15&kon=2": 1,
        "grupp=PLACERING&alder=16-17&kon=1": 1,
        "grupp=PLACERING&alder=18-20&kon=1": 1,
        # open help: K1 (I5), K3 (I6)
        "grupp=OPPEN&alder=ALL&kon=ALL": 2,
        "grupp=OPPEN&alder=0-6&kon=ALL": 1,
        "grupp=OPPEN&alder=13-15&kon=ALL": 1,
        "grupp=OPPEN&alder=ALL&kon=2": 1,
        "grupp=OPPEN&alder=ALL&kon=okant": 1,
        "grupp=OPPEN&alder=0-6&kon=okant": 1,
        "grupp=OPPEN&alder=13-15&kon=2": 1,
    }.items():
        e[("B4.barn_med_insats", key)] = count(n)
    # B4.placeringar: the six active placements, only the pairs that occur
    e[("B4.placeringar", "insatstyp=ALL&lagrum=ALL")] = count(6)
    e[("B4.placeringar", "insatstyp=FAMILJEHEM&lagrum=SOL")] = count(1)  # I1
    e[("B4.placeringar", "insatstyp=NATVERKSHEM&lagrum=SOL")] = count(1)  # I7
    e[("B4.placeringar", "insatstyp=JOURHEM&lagrum=LVU_2_3")] = count(1)  # I4
    e[("B4.placeringar", "insatstyp=HVB&lagrum=LVU_3")] = count(1)  # I2
    e[("B4.placeringar", "insatstyp=SIS&lagrum=LVU_2")] = count(1)  # I10
    e[("B4.placeringar", "insatstyp=SIS&lagrum=LVU_6")] = count(1)  # I3
    # B5: U1, U2 INSATS; U4, U13 INGEN_INSATS; U5 OVERFORD; U3 AVSLUTAD_OVRIGT
    e[("B5.utredningsresultat", "resultat=INSATS")] = count(2)
    e[("B5.utredningsresultat", "resultat=INGEN_INSATS")] = count(2)
    e[("B5.utredningsresultat", "resultat=OVERFORD")] = count(1)
    e[("B5.utredningsresultat", "resultat=AVSLUTAD_OVRIGT")] = count(1)
    # B6: K1 yes (U1 came from AK1; AK6 2024-12-01 is earlier). K2 yes (U2 has no aktualisering_id: the
    # latest on or before 2025-01-20 is AK2; AK7 in soder is earlier: history counts in every district).
    # K3 no (no aktualisering_id; AK8 and AK9 share the latest date: both excluded). K4 yes (first = U4
    # from AK12; AK13, soder, same day, is another one; had U5 been taken, both would be excluded).
    # K5 no (AK5 is the latest before U13, nothing earlier). 3/5
    e[("B6.tidigare_aktualiserade", "ALL")] = share("60.0", 3, 5)
    return e


def expected_licens() -> Expected:
    e: Expected = {}
    # ---- norr -------------------------------------------------------------------------------------
    # LICENS granted 2021-09-01 (it ended the trial licence): no provolicens_slut rows
    e[("C1.licens", "stadsdel=norr")] = code("LICENS")
    e[("C1.licens", "stadsdel=norr&uppgift=beviljad")] = code("2021-09-01")
    e[("C2.bbic_ansvarig", "stadsdel=norr")] = code("J")  # N1 since 2020
    # trainers N1 (trained 2019-09-01) and N2 (no training of trainers)
    e[("C3.utbildare", "stadsdel=norr")] = count(2)
    e[("C3.utbildare_utbildade", "stadsdel=norr")] = count(1)
    # active BBIC users on D: N1, N2, N3, N4 (N5 is no BBIC user and left 2024-12-31);
    # trained on D: N1, N2 (SOS_GRUNDUTBILDNING), N3 (2025-03-01); N4 never
    e[("C4.anvandare", "stadsdel=norr")] = count(4)
    e[("C4.anvandare_utbildade", "stadsdel=norr")] = share("75.0", 3, 4)
    # worked in W untrained: N3 (AK1 2025-01-10 and I5 2025-02-01, before 2025-03-01), N4 (U9), N5 (AK6:
    # any bbic_anvandare); X9 (AK4, D15) is unknown and belongs to no district
    e[("C4.utan_utbildning", "stadsdel=norr")] = count(3)
    e[("C4.utan_utbildning", "stadsdel=norr&handlaggare_id=N3")] = count(1)
    e[("C4.utan_utbildning", "stadsdel=norr&handlaggare_id=N4")] = count(1)
    e[("C4.utan_utbildning", "stadsdel=norr&handlaggare_id=N5")] = count(1)
    # ANMALAN/ANSOKAN received in W: AK1 J, AK2 N, AK4 J, AK5 J, AK6 N, AK12 J
    e[("C5.formular", "stadsdel=norr&dokument=ANMALAN_ANSOKAN")] = share("66.7", 4, 6)
    # closed in W: U1, U2, U3, U4, U13 in the form, U5 not
    e[("C5.formular", "stadsdel=norr&dokument=UTREDNING")] = share("83.3", 5, 6)
    # plan: U1, U2, U4, U13
    e[("C5.formular", "stadsdel=norr&dokument=UTREDNINGSPLAN")] = share("66.7", 4, 6)
    # placements started in W on or before D − 30 = 05-16: I1, I2, I3, I4. VARDPLAN in the form dated from
    # beslut − 30 days: I1 (D4) only (D5 not in the form, D6 too early)
    e[("C5.formular", "stadsdel=norr&dokument=VARDPLAN")] = share("25.0", 1, 4)
    # GENOMFORANDEPLAN in the form: I1 (D7), I3 (D8); D9 (I2) not in the form
    e[("C5.formular", "stadsdel=norr&dokument=GENOMFORANDEPLAN")] = share("50.0", 2, 4)
    # reviews due in W: I1 2025-01-01 (D1, form J: yes), I2 2025-02-28 (late), I4 2025-03-15 (in time but
    # D11 not in the form), I8 2024-07-01 (D12 2024-06-20, form J: yes); I3 is LVU_6
    e[("C5.formular", "stadsdel=norr&dokument=OVERVAGANDE_OMPROVNING")] = share("50.0", 2, 4)
    # sub-licences of norr or the municipality in force: "Jour & Natt" (& written och); Behandlingshemmet
    # ended 2024-12-31
    e[("C6.underlicenser", "stadsdel=norr")] = count(1)
    e[("C6.underlicenser", "stadsdel=norr&enhet=Jour och Natt")] = count(1)
    # untrained active users: N4; ceil(1 / 2) = 1 group of 3 days
    e[("C7.utbildningsbehov", "stadsdel=norr")] = count(1)
    e[("C7.utbildningsbehov", "stadsdel=norr&uppgift=grupper")] = count(1)
    e[("C7.utbildningsbehov", "stadsdel=norr&uppgift=kursdagar")] = count(3)
    e[("C.krav", "stadsdel=norr&krav=R1")] = code("UPPFYLLT")
    e[("C.krav", "stadsdel=norr&krav=R2")] = code("UPPFYLLT")
    e[("C.krav", "stadsdel=norr&krav=R3")] = code("UPPFYLLT")  # N1
    e[("C.krav", "stadsdel=norr&krav=R4")] = code("EJ_UPPFYLLT")  # N4 untrained; 3 worked untrained
    e[("C.krav", "stadsdel=norr&krav=R5")] = code("EJ_UPPFYLLT")  # 66.7 < 90 (among others)
    e[("C.krav", "stadsdel=norr&krav=ALL")] = code("EJ_UPPFYLLT")
    # ---- soder ------------------------------------------------------------------------------------
    # trial licence from 2023-08-01, 24 months: ends 2025-08-01; 47 days from 2025-06-15 (15 + 31 + 1);
    # the application (2025-07-01) is after D: not sent on D; 47 ≤ 90 and no application: warning
    e[("C1.licens", "stadsdel=soder")] = code("PROVOLICENS")
    e[("C1.licens", "stadsdel=soder&uppgift=beviljad")] = code("2023-08-01")
    e[("C1.provolicens_slut", "stadsdel=soder")] = code("2025-08-01")
    e[("C1.provolicens_slut", "stadsdel=soder&uppgift=dagar_kvar")] = count(47)
    e[("C1.provolicens_slut", "stadsdel=soder&uppgift=ansokan_licens")] = code("N")
    e[("C1.provolicens_slut", "stadsdel=soder&uppgift=varning")] = code("J")
    # the appointment of S9 ended 2025-06-14
    e[("C2.bbic_ansvarig", "stadsdel=soder")] = code("N")
    # S1 has only E_LEARNING
    e[("C3.utbildare", "stadsdel=soder")] = count(1)
    e[("C3.utbildare_utbildade", "stadsdel=soder")] = count(0)
    # active: S1, S3, S4 (S2 left 2025-06-14); none has basic training
    e[("C4.anvandare", "stadsdel=soder")] = count(3)
    e[("C4.anvandare_utbildade", "stadsdel=soder")] = share("0.0", 0, 3)
    # S1 named on AK10 and U12 in W; S2 was trained
    e[("C4.utan_utbildning", "stadsdel=soder")] = count(1)
    e[("C4.utan_utbildning", "stadsdel=soder&handlaggare_id=S1")] = count(1)
    # AK10 and AK13 in W, both in the form (AK7 is before W)
    e[("C5.formular", "stadsdel=soder&dokument=ANMALAN_ANSOKAN")] = share("100.0", 2, 2)
    # closed in W: U6 (2024-09-01), U12; U8 closed before W
    e[("C5.formular", "stadsdel=soder&dokument=UTREDNING")] = share("100.0", 2, 2)
    e[("C5.formular", "stadsdel=soder&dokument=UTREDNINGSPLAN")] = share("100.0", 2, 2)
    # I9 started before W: no placement to judge
    e[("C5.formular", "stadsdel=soder&dokument=VARDPLAN")] = EMPTY_SHARE
    e[("C5.formular", "stadsdel=soder&dokument=GENOMFORANDEPLAN")] = EMPTY_SHARE
    # I9 (LVU_2) due 2024-09-01 (D13 08-25) and 2025-03-01 (D14 02-20), both in the form
    e[("C5.formular", "stadsdel=soder&dokument=OVERVAGANDE_OMPROVNING")] = share("100.0", 2, 2)
    e[("C6.underlicenser", "stadsdel=soder")] = count(2)
    e[("C6.underlicenser", "stadsdel=soder&enhet=Jour och Natt")] = count(1)
    e[("C6.underlicenser", "stadsdel=soder&enhet=Familjeenheten")] = count(1)
    # 3 untrained; ceil(3 / 2) = 2 groups × 3 days
    e[("C7.utbildningsbehov", "stadsdel=soder")] = count(3)
    e[("C7.utbildningsbehov", "stadsdel=soder&uppgift=grupper")] = count(2)
    e[("C7.utbildningsbehov", "stadsdel=soder&uppgift=kursdagar")] = count(6)
    e[("C.krav", "stadsdel=soder&krav=R1")] = code("UPPFYLLT")  # a trial licence is a licence in force
    e[("C.krav", "stadsdel=soder&krav=R2")] = code("EJ_UPPFYLLT")
    e[("C.krav", "stadsdel=soder&krav=R3")] = code("EJ_UPPFYLLT")
    e[("C.krav", "stadsdel=soder&krav=R4")] = code("EJ_UPPFYLLT")
    e[("C.krav", "stadsdel=soder&krav=R5")] = code("UPPFYLLT")  # every share with data is 100
    e[("C.krav", "stadsdel=soder&krav=ALL")] = code("EJ_UPPFYLLT")
    # ---- ost: a licensed district with no data at all ------------------------------------------------
    e[("C1.licens", "stadsdel=ost")] = code("LICENS")
    e[("C1.licens", "stadsdel=ost&uppgift=beviljad")] = code("2015-01-01")
    e[("C2.bbic_ansvarig", "stadsdel=ost")] = code("J")
    e[("C3.utbildare", "stadsdel=ost")] = count(1)
    e[("C3.utbildare_utbildade", "stadsdel=ost")] = count(1)
    e[("C4.anvandare", "stadsdel=ost")] = count(0)
    e[("C4.anvandare_utbildade", "stadsdel=ost")] = EMPTY_SHARE
    e[("C4.utan_utbildning", "stadsdel=ost")] = count(0)
    e |= grid("C5.formular", ["stadsdel", "dokument"],
              [["ost"], ["ANMALAN_ANSOKAN", "UTREDNING", "UTREDNINGSPLAN", "VARDPLAN", "GENOMFORANDEPLAN",
                         "OVERVAGANDE_OMPROVNING"]], EMPTY_SHARE)
    e[("C6.underlicenser", "stadsdel=ost")] = count(1)
    e[("C6.underlicenser", "stadsdel=ost&enhet=Jour och Natt")] = count(1)
    e[("C7.utbildningsbehov", "stadsdel=ost")] = count(0)
    e[("C7.utbildningsbehov", "stadsdel=ost&uppgift=grupper")] = count(0)
    e[("C7.utbildningsbehov", "stadsdel=ost&uppgift=kursdagar")] = count(0)
    e[("C.krav", "stadsdel=ost&krav=R1")] = code("UPPFYLLT")
    e[("C.krav", "stadsdel=ost&krav=R2")] = code("UPPFYLLT")
    e[("C.krav", "stadsdel=ost&krav=R3")] = code("UPPFYLLT")
    e[("C.krav", "stadsdel=ost&krav=R4")] = code("UNDERLAG_SAKNAS")  # no active users
    e[("C.krav", "stadsdel=ost&krav=R5")] = code("UNDERLAG_SAKNAS")  # no share has data
    e[("C.krav", "stadsdel=ost&krav=ALL")] = code("UNDERLAG_SAKNAS")  # none EJ, some UNDERLAG_SAKNAS
    return e


def test_verksamhet_every_figure(con: duckdb.DuckDBPyConnection, register: Register) -> None:
    figures = compute_report(con, register, ReportKind.VERKSAMHET, NORR, P)
    assert_figures(as_dict(figures), expected_verksamhet())
    assert {(f.report, f.scope, f.period_from, f.period_to, f.as_of) for f in figures} == {
        ("verksamhet", "stadsdel:norr", P.start, P.end, A)}


def test_klientgrupp_every_figure(con: duckdb.DuckDBPyConnection, register: Register) -> None:
    figures = compute_report(con, register, ReportKind.KLIENTGRUPP, NORR, P)
    assert_figures(as_dict(figures), expected_klientgrupp())
    assert {(f.report, f.scope, f.period_from, f.period_to, f.as_of) for f in figures} == {
        ("klientgrupp", "stadsdel:norr", P.start, P.end, A)}


def test_licens_every_figure(con: duckdb.DuckDBPyConnection, register: Register) -> None:
    figures = compute_report(con, register, ReportKind.LICENS, KOMMUN, P)
    assert_figures(as_dict(figures), expected_licens())
    # period_from/period_to are W, as_of is D
    assert {(f.report, f.scope, f.period_from, f.period_to, f.as_of) for f in figures} == {
        ("licens", "kommun:0999", W.start, W.end, A)}
    # one section per district, in the register's order, each row starting with its stadsdel
    sections = [f.breakdown.split("&")[0] for f in figures]
    assert sections == sorted(sections, key=["stadsdel=norr", "stadsdel=soder", "stadsdel=ost"].index)


def test_every_measure_of_reports_1_to_3_is_covered() -> None:
    # the catalogue against the spec: tests/test_catalogue_tests.py; reports 4 and 5 (D, E):
    # tests/figures/test_comparison_*.py
    catalogue = {m.id for m in MEASURES if m.report in (ReportKind.VERKSAMHET, ReportKind.KLIENTGRUPP,
                                                       ReportKind.LICENS)}
    covered = {measure for e in (expected_verksamhet(), expected_klientgrupp(), expected_licens())
               for measure, _ in e}
    assert covered == catalogue, f"not covered by the key test: {catalogue - covered}"


@pytest.mark.parametrize("expected", [expected_verksamhet, expected_klientgrupp, expected_licens])
def test_breakdown_keys_follow_the_catalogue(expected: type) -> None:
    by_id = {m.id: m for m in MEASURES}
    for measure, brk in expected():
        keys = tuple(k for k, _ in parse_breakdown(brk))
        assert keys in by_id[measure].breakdowns, (measure, brk)


def test_figures_come_in_catalogue_and_code_list_order(con: duckdb.DuckDBPyConnection,
                                                       register: Register) -> None:
    figures = compute_report(con, register, ReportKind.VERKSAMHET, NORR, P)
    ids = [m.id for m in MEASURES]
    positions = [ids.index(f.measure) for f in figures]
    assert positions == sorted(positions)
    a7 = [f.breakdown for f in figures if f.measure == "A7.insatser"]
    assert a7 == (["grupp=ALL", "grupp=PLACERING", "grupp=OPPEN"]
                  + [f"insatstyp={c}" for c in codes.INSATSTYP.values()]
                  + [f"lagrum={c}" for c in codes.LAGRUM.values()])
    b1 = [f.breakdown for f in compute_report(con, register, ReportKind.KLIENTGRUPP, NORR, P)
          if f.measure == "B1.utredda_barn"]
    assert b1[0] == "alder=ALL&kon=ALL"
