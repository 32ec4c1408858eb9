"""The catalogue of every measure of the three reports (reports.md), with the extra chart series.

One entry per measure id: its report, its Swedish title, its unit and its breakdowns. A measure
has one or more *breakdowns*, each a tuple of dimension keys in the order of the spec's table
(A7 has three separate ones; a measure without dimensions has the single empty breakdown).
Licence measures carry `stadsdel` first (reports.md, "In figures.csv").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from bbic_core.figures.figure import ReportKind

Unit = Literal["count", "share", "median", "code", "date"]


@dataclass(frozen=True, slots=True)
class Measure:
    id: str
    report: ReportKind
    title_sv: str
    unit: Unit
    breakdowns: tuple[tuple[str, ...], ...] = ((),)
    chart: bool = False  # an extra series for charts, not a table of the spec

    @property
    def dimensions(self) -> tuple[str, ...]:
        """Every key that appears in one of its breakdowns, in order."""
        seen: list[str] = []
        for keys in self.breakdowns:
            seen.extend(k for k in keys if k not in seen)
        return tuple(seen)


_V = ReportKind.VERKSAMHET
_K = ReportKind.KLIENTGRUPP
_L = ReportKind.LICENS
_J = ReportKind.JAMFORELSE
_Y = ReportKind.ARSRAPPORT

MEASURES: tuple[Measure, ...] = (
    # Report 1: verksamhetsuppföljning
    Measure("A1.aktualiseringar", _V, "Aktualiseringar", "count", (("typ",),)),
    Measure("A1.barn", _V, "Barn med aktualisering", "count"),
    Measure("A1.aktualiseringar_manad", _V, "Aktualiseringar per månad", "count", (("manad",),), chart=True),
    Measure("A2.skydd_inom_1dag", _V, "Anmälningar med skyddsbedömning inom en dag", "share"),
    Measure("A3.fhb_inom_14d", _V, "Förhandsbedömningar beslutade inom 14 dagar", "share"),
    Measure("A3.fhb_median_dagar", _V, "Förhandsbedömning, mediantid i dagar", "median"),
    Measure("A3.fhb_beslut", _V, "Beslut efter förhandsbedömning", "count", (("beslut",),)),
    Measure("A3.fhb_balans", _V, "Förhandsbedömningar utan beslut efter 14 dagar", "count"),
    Measure("A4.utr_inledda", _V, "Inledda utredningar", "count"),
    Measure("A4.utr_inledda_manad", _V, "Inledda utredningar per månad", "count", (("manad",),), chart=True),
    Measure("A4.utr_avslutade", _V, "Avslutade utredningar", "count"),
    Measure("A4.utr_pagaende", _V, "Pågående utredningar vid periodens slut", "count"),
    Measure("A5.utr_median_dagar", _V, "Utredningstid, median i dagar", "median"),
    Measure("A5.utr_inom_4man", _V, "Utredningar avslutade inom fyra månader", "share"),
    Measure("A5.utr_inom_beslutad_tid", _V, "Utredningar avslutade inom beslutad tid", "share"),
    Measure("A5.utr_forlangda", _V, "Förlängda utredningar", "share"),
    Measure("A5.utr_overtid", _V, "Pågående utredningar över tiden", "count"),
    Measure("A5.utr_tid_fordelning", _V, "Avslutade utredningar efter utredningstid i hela månader", "count",
            (("manader",),), chart=True),
    Measure("A6.utr_med_plan", _V, "Utredningar med utredningsplan", "share"),
    Measure("A6.utr_bbic", _V, "Utredningar i BBIC:s utredningsformulär", "share"),
    Measure("A7.insatser", _V, "Beslutade insatser", "count", (("grupp",), ("insatstyp",), ("lagrum",))),
    Measure("A8.placerade_barn", _V, "Placerade barn", "count"),
    Measure("A8.vardplan", _V, "Placeringar med vårdplan", "share"),
    Measure("A8.genomforandeplan", _V, "Placeringar med genomförandeplan", "share"),
    Measure("A8.placeringsinformation", _V, "Placeringar med placeringsinformation", "share"),
    Measure("A9.overvagande_i_tid", _V, "Överväganden och omprövningar gjorda i tid", "share"),
    Measure("A10.ateraktualiserade", _V, "Återaktualiseringar inom ett år efter avslutad utredning", "share"),
    # Report 2: klientgruppen
    Measure("B1.utredda_barn", _K, "Utredda barn", "count", (("alder", "kon"),)),
    Measure("B2.anmalare", _K, "Anmälningar efter anmälare", "count", (("anmalare",),)),
    Measure("B2.orsak", _K, "Aktualiseringar efter huvudsaklig orsak", "count", (("orsak",),)),
    Measure("B3.behov", _K, "Behov enligt BBIC-triangeln", "share", (("version", "omrade"),)),
    Measure("B3.ej_bedomt", _K, "Utredningar där området inte bedömts", "count", (("version", "omrade"),)),
    Measure("B4.barn_med_insats", _K, "Barn med pågående insats", "count", (("grupp", "alder", "kon"),)),
    Measure("B4.placeringar", _K, "Pågående placeringar efter insatstyp och lagrum", "count",
            (("insatstyp", "lagrum"),)),
    Measure("B5.utredningsresultat", _K, "Avslutade utredningar efter resultat", "count", (("resultat",),)),
    Measure("B6.tidigare_aktualiserade", _K, "Utredda barn som aktualiserats tidigare", "share"),
    # Report 3: licenskontroll
    Measure("C1.licens", _L, "Licens", "code", (("stadsdel",), ("stadsdel", "uppgift"))),
    Measure("C1.provolicens_slut", _L, "Prövolicensens slut", "date",
            (("stadsdel",), ("stadsdel", "uppgift"))),
    Measure("C2.bbic_ansvarig", _L, "BBIC-ansvarig utsedd", "code", (("stadsdel",),)),
    Measure("C3.utbildare", _L, "Lokala utbildare", "count", (("stadsdel",),)),
    Measure("C3.utbildare_utbildade", _L, "Lokala utbildare med utbildarutbildning", "count",
            (("stadsdel",),)),
    Measure("C4.anvandare", _L, "Aktiva BBIC-användare", "count", (("stadsdel",),)),
    Measure("C4.anvandare_utbildade", _L, "Aktiva BBIC-användare med grundutbildning", "share",
            (("stadsdel",),)),
    Measure("C4.utan_utbildning", _L, "Användare som arbetat utan grundutbildning", "count",
            (("stadsdel",), ("stadsdel", "handlaggare_id"))),
    Measure("C5.formular", _L, "Användning av BBIC-formulären", "share", (("stadsdel", "dokument"),)),
    Measure("C6.underlicenser", _L, "Underlicenser", "count", (("stadsdel",), ("stadsdel", "enhet"))),
    Measure("C7.utbildningsbehov", _L, "Behov av grundutbildning", "count",
            (("stadsdel",), ("stadsdel", "uppgift"))),
    Measure("C.krav", _L, "Licenskrav", "code", (("stadsdel", "krav"),)),
    # Report 4: jämförelse (a D1/D2/D3.forandring value has the unit of its nyckeltal: see
    # bbic_core.figures.indicators.INDICATORS)
    Measure("D1.nyckeltal", _J, "Nyckeltal per enhet", "count", (("enhet", "nyckeltal"),)),
    Measure("D1.status", _J, "Status mot målvärdet", "code", (("enhet", "nyckeltal"),)),
    Measure("D2.trend", _J, "Nyckeltal per tertial", "count", (("enhet", "nyckeltal", "tertial"),)),
    Measure("D3.forandring", _J, "Förändring sedan året innan", "count", (("enhet", "nyckeltal"),)),
    Measure("D3.avvikelse", _J, "Avvikelse", "code", (("enhet", "nyckeltal"),)),
    # Report 5: årsrapport (besides the rows of reports 4 and 3)
    Measure("E1.karantan", _Y, "Rader i karantän efter regel", "count", (("regel",),)),
    Measure("E2.okand_handlaggare", _Y, "Uppgifter med okänd handläggare", "count"),
)

BY_ID: Mapping[str, Measure] = {m.id: m for m in MEASURES}


def measures_of(report: ReportKind) -> tuple[Measure, ...]:
    return tuple(m for m in MEASURES if m.report == report)


# The licence requirements (C.krav) with their Swedish wording, for headings.
KRAV: Mapping[str, str] = {
    "R1": "Licens eller prövolicens gäller",
    "R2": "BBIC-ansvarig utsedd",
    "R3": "Minst en lokal utbildare med utbildarutbildning",
    "R4": "Alla BBIC-användare har grundutbildning",
    "R5": "BBIC-formulären används",
}

# C5.formular's `dokument` values in the spec's order, with Swedish labels.
C5_DOKUMENT: Mapping[str, str] = {
    "ANMALAN_ANSOKAN": "Ansökan/Anmälan",
    "UTREDNING": "Utredning",
    "UTREDNINGSPLAN": "Utredningsplan",
    "VARDPLAN": "Vårdplan",
    "GENOMFORANDEPLAN": "Genomförandeplan",
    "OVERVAGANDE_OMPROVNING": "Övervägande/omprövning",
}

# The `uppgift` sub-values of the licence measures (reports.md, "In figures.csv").
UPPGIFT: Mapping[str, str] = {
    "beviljad": "Beviljad",
    "dagar_kvar": "Dagar kvar",
    "ansokan_licens": "Ansökan om licens skickad",
    "varning": "Varning",
    "grupper": "Utbildningsgrupper",
    "kursdagar": "Kursdagar",
}

# A5.utr_tid_fordelning's buckets (whole months from inledd to avslutad).
MANADER_BUCKETS: tuple[str, ...] = ("0", "1", "2", "3", "4", "5", "6+")
