"""The code lists of the Paraply export contract, each code with its Swedish label.

One catalogue: every list the contract, the register and the reports use. Reports and specs
look labels up here so that a reader sees words, never raw codes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = [
    "AKTUALISERING_TYP",
    "ALDERSGRUPP",
    "ANMALARE",
    "BEDOMNING",
    "CATALOGUE",
    "DOKUMENT_TYP",
    "DUTY_TO_REPORT",
    "FHB_BESLUT",
    "FLAGGA",
    "INSATSTYP",
    "INSATS_GRUPP",
    "INTERVENTION_DOCUMENTS",
    "KON",
    "KON_RAPPORT",
    "KRAV_STATUS",
    "LAGRUM",
    "LICENS_TYP",
    "LVU_LAGRUM",
    "ORSAK",
    "PLACEMENT_TYPES",
    "ROLL",
    "TRIANGEL_OMRADEN",
    "TRIANGEL_OMRADE_2006",
    "TRIANGEL_OMRADE_2016",
    "TRIANGEL_OMRADE_ALLA",
    "TRIANGEL_VERSION",
    "UTBILDNING",
    "UTREDNING_RESULTAT",
    "Code",
    "CodeList",
    "FormVersion",
    "label",
]


class FormVersion(StrEnum):
    """BBIC form and triangle versions: the 2006 forms (used from 2008) and the 2016 revision."""

    V2006 = "2006"
    V2016 = "2016"


@dataclass(frozen=True, slots=True)
class Code:
    code: str
    label_sv: str
    label_en: str = ""
    side: str | None = None
    version: FormVersion | None = None
    duty_to_report: bool = False
    placement: bool | None = None


@dataclass(frozen=True)
class CodeList:
    name: str
    title_sv: str
    codes: tuple[Code, ...]
    by_code: Mapping[str, Code] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_code", {c.code: c for c in self.codes})

    def __iter__(self) -> Iterator[Code]:
        return iter(self.codes)

    def __contains__(self, code: object) -> bool:
        return code in self.by_code

    def values(self) -> list[str]:
        return [c.code for c in self.codes]

    def label(self, code: str) -> str:
        found = self.by_code.get(code)
        return found.label_sv if found else code


def _list(name: str, title: str, *codes: Code) -> CodeList:
    return CodeList(name, title, tuple(codes))


AKTUALISERING_TYP = _list(
    "aktualisering_typ",
    "Typ av aktualisering",
    Code("ANSOKAN", "Ansökan", "Application"),
    Code("ANMALAN", "Anmälan", "Report of concern"),
    Code("INFORMATION", "Information på annat sätt", "Information in another way"),
)

ANMALARE = _list(
    "anmalare",
    "Anmälare",
    Code("POLIS", "Polis", "Police", duty_to_report=True),
    Code("SKOLA", "Skola", "School", duty_to_report=True),
    Code("FORSKOLA", "Förskola", "Pre-school", duty_to_report=True),
    Code("HALSO_SJUKVARD", "Hälso- och sjukvård", "Health care", duty_to_report=True),
    Code("BUP", "Barn- och ungdomspsykiatri (BUP)", "Child and adolescent psychiatry", duty_to_report=True),
    Code("SOCIALTJANST", "Socialtjänst", "Social services", duty_to_report=True),
    Code("ANNAN_MYNDIGHET", "Annan myndighet", "Other authority", duty_to_report=True),
    Code("FORALDER", "Förälder", "Parent"),
    Code("ANHORIG", "Anhörig", "Relative"),
    Code("BARNET", "Barnet självt", "The child"),
    Code("PRIVATPERSON", "Privatperson", "Private person"),
    Code("OVRIG", "Övrig", "Other"),
)

ORSAK = _list(
    "orsak",
    "Huvudsaklig orsak",
    Code("VALD_MOT_BARN", "Våld mot barnet", "Violence against the child"),
    Code("SEXUELLA_OVERGREPP", "Sexuella övergrepp", "Sexual abuse"),
    Code("BEVITTNAT_VALD", "Bevittnat våld", "Witnessed violence"),
    Code("BRISTANDE_OMSORG", "Brister i omsorgen", "Neglect"),
    Code("FORALDRARS_MISSBRUK", "Föräldrars missbruk", "Parents' substance abuse"),
    Code("FORALDRARS_PSYKISKA_OHALSA", "Föräldrars psykiska ohälsa", "Parents' mental illness"),
    Code("KONFLIKT_I_FAMILJEN", "Konflikter i familjen", "Family conflict"),
    Code("HEDERSRELATERAT", "Hedersrelaterat våld och förtryck", "Honour-related violence"),
    Code("EGET_MISSBRUK", "Eget missbruk", "Own substance abuse"),
    Code("KRIMINALITET", "Kriminalitet", "Crime"),
    Code("ANNAT_NEDBRYTANDE_BETEENDE", "Annat socialt nedbrytande beteende", "Other destructive behaviour"),
    Code("SKOLSVARIGHETER", "Skolsvårigheter", "School difficulties"),
    Code("PSYKISK_OHALSA_BARN", "Barnets psykiska ohälsa", "Child's mental illness"),
    Code("ENSAMKOMMANDE", "Ensamkommande barn", "Unaccompanied minor"),
    Code("ANSOKAN_OM_STOD", "Ansökan om stöd", "Application for support"),
    Code("OVRIGT", "Övrigt", "Other"),
)

FHB_BESLUT = _list(
    "forhandsbedomning_beslut",
    "Beslut efter förhandsbedömning",
    Code("INLEDA", "Utredning inleds", "Open an investigation"),
    Code("INTE_INLEDA", "Utredning inleds inte", "No investigation"),
    Code("PAGAENDE", "Förs till pågående utredning", "Joined to an ongoing investigation"),
)

UTREDNING_RESULTAT = _list(
    "resultat",
    "Utredningens resultat",
    Code("INSATS", "Insats beviljad", "Intervention decided"),
    Code("INGEN_INSATS", "Ingen insats", "No intervention"),
    Code("OVERFORD", "Överförd till annan kommun", "Transferred"),
    Code("AVSLUTAD_OVRIGT", "Avslutad av annat skäl", "Closed for another reason"),
)

TRIANGEL_VERSION = _list(
    "triangel_version",
    "Triangelns version",
    Code("2006", "BBIC 2006", "BBIC 2006", version=FormVersion.V2006),
    Code("2016", "BBIC 2016", "BBIC 2016", version=FormVersion.V2016),
)

BEDOMNING = _list(
    "bedomning",
    "Bedömning",
    Code("BEHOV", "Behov", "Need found"),
    Code("INGET_BEHOV", "Inget behov", "No need"),
    Code("EJ_BEDOMT", "Ej bedömt", "Not assessed"),
)

_P = True
_O = False
INSATSTYP = _list(
    "insatstyp",
    "Insatstyp",
    Code("FAMILJEHEM", "Familjehem", "Foster home", placement=_P),
    Code("NATVERKSHEM", "Nätverkshem", "Kinship foster home", placement=_P),
    Code("JOURHEM", "Jourhem", "Emergency foster home", placement=_P),
    Code("HVB", "Hem för vård eller boende (HVB)", "Residential home", placement=_P),
    Code("SIS", "Särskilt ungdomshem (SiS)", "Special youth home", placement=_P),
    Code("STODBOENDE", "Stödboende", "Supported housing", placement=_P),
    Code("KONTAKTPERSON", "Kontaktperson", "Contact person", placement=_O),
    Code("KONTAKTFAMILJ", "Kontaktfamilj", "Contact family", placement=_O),
    Code(
        "SARSKILT_KVALIFICERAD_KONTAKTPERSON",
        "Särskilt kvalificerad kontaktperson",
        "Specially qualified contact person",
        placement=_O,
    ),
    Code(
        "STRUKTURERAT_OPPENVARDSPROGRAM",
        "Strukturerat öppenvårdsprogram",
        "Structured outpatient programme",
        placement=_O,
    ),
    Code("FAMILJEBEHANDLING", "Familjebehandling", "Family therapy", placement=_O),
    Code("PERSONLIGT_STOD", "Personligt stöd", "Personal support", placement=_O),
    Code("OVRIG_OPPENVARD", "Övrig öppenvård", "Other open help", placement=_O),
)

INSATS_GRUPP = _list(
    "grupp",
    "Insatsgrupp",
    Code("PLACERING", "Placering (dygnsvård)", "Placement"),
    Code("OPPEN", "Öppenvård", "Open help"),
)

LAGRUM = _list(
    "lagrum",
    "Lagrum",
    Code("SOL", "SoL", "Social Services Act"),
    Code("LVU_2", "LVU 2 §", "Care of Young Persons Act, s. 2"),
    Code("LVU_3", "LVU 3 §", "Care of Young Persons Act, s. 3"),
    Code("LVU_2_3", "LVU 2 och 3 §§", "Care of Young Persons Act, s. 2 and 3"),
    Code("LVU_6", "LVU 6 § (omedelbart omhändertagande)", "Immediate custody"),
)

DOKUMENT_TYP = _list(
    "dokument_typ",
    "Dokumenttyp",
    Code("GRUNDUPPGIFTER", "Grunduppgifter", "Basic information"),
    Code("VARDPLAN", "Vårdplan", "Care plan"),
    Code("PLACERINGSINFORMATION", "Placeringsinformation", "Placement information"),
    Code("GENOMFORANDEPLAN", "Genomförandeplan", "Implementation plan"),
    Code("OVERVAGANDE", "Övervägande", "Review (övervägande)"),
    Code("OMPROVNING", "Omprövning", "Review (omprövning)"),
    Code("UPPFOLJNING", "Uppföljning", "Follow-up"),
    Code("AVSLUTNING", "Avslutning", "Closing"),
)

ROLL = _list(
    "roll",
    "Roll",
    Code("HANDLAGGARE", "Handläggare", "Case worker"),
    Code("ARBETSLEDARE", "Arbetsledare", "Team leader"),
    Code("ENHETSCHEF", "Enhetschef", "Unit manager"),
    Code("OVRIG", "Övrig", "Other"),
)

KON = _list(
    "kon",
    "Kön",
    Code("1", "Pojke", "Boy"),
    Code("2", "Flicka", "Girl"),
)

FLAGGA = _list("flagga", "Flagga", Code("J", "Ja", "Yes"), Code("N", "Nej", "No"))

_BB = "Barnets behov"
_FF = "Föräldrarnas förmåga"
_FM = "Familj och miljö"
_BU = "Barnets utveckling"
_V6 = FormVersion.V2006
_V16 = FormVersion.V2016

TRIANGEL_OMRADE_2006 = _list(
    "omrade_2006",
    "Triangelns områden, version 2006",
    Code("BB_HALSA", "Hälsa", "Health", _BB, _V6),
    Code("BB_UTBILDNING", "Utbildning", "Education", _BB, _V6),
    Code(
        "BB_KANSLOR_BETEENDE",
        "Känslo- och beteendemässig utveckling",
        "Emotional and behavioural development",
        _BB,
        _V6,
    ),
    Code("BB_IDENTITET", "Identitet", "Identity", _BB, _V6),
    Code(
        "BB_FAMILJ_RELATIONER", "Familj och sociala relationer", "Family and social relationships", _BB, _V6
    ),
    Code("BB_SOCIALT_UPPTRADANDE", "Socialt uppträdande", "Social presentation", _BB, _V6),
    Code("BB_KLARA_SIG_SJALV", "Förmåga att klara sig själv", "Self-care skills", _BB, _V6),
    Code("FF_GRUNDLAGGANDE_OMSORG", "Grundläggande omsorg", "Basic care", _FF, _V6),
    Code("FF_SAKERHET", "Säkerhet", "Ensuring safety", _FF, _V6),
    Code("FF_KANSLOMASSIG_TILLGANGLIGHET", "Känslomässig tillgänglighet", "Emotional warmth", _FF, _V6),
    Code("FF_STIMULANS", "Stimulans", "Stimulation", _FF, _V6),
    Code("FF_VAGLEDNING_GRANSSATTNING", "Vägledning och gränssättning", "Guidance and boundaries", _FF, _V6),
    Code("FF_STABILITET", "Stabilitet", "Stability", _FF, _V6),
    Code(
        "FM_BAKGRUND_SITUATION",
        "Familjens bakgrund och situation",
        "Family history and functioning",
        _FM,
        _V6,
    ),
    Code("FM_FAMILJENATVERK", "Familjenätverk", "Wider family", _FM, _V6),
    Code("FM_BOENDE", "Boende", "Housing", _FM, _V6),
    Code("FM_ARBETE", "Arbete", "Employment", _FM, _V6),
    Code("FM_EKONOMI", "Ekonomi", "Income", _FM, _V6),
    Code("FM_SOCIAL_INTEGRERING", "Social integrering", "Family's social integration", _FM, _V6),
    Code("FM_LOKALSAMHALLETS_RESURSER", "Lokalsamhällets resurser", "Community resources", _FM, _V6),
)

TRIANGEL_OMRADE_2016 = _list(
    "omrade_2016",
    "Triangelns områden, version 2016",
    Code("BU_HALSA", "Hälsa", "Health", _BU, _V16),
    Code("BU_UTBILDNING", "Utbildning", "Education", _BU, _V16),
    Code("BU_KANSLOR_BETEENDE", "Känslor och beteende", "Emotions and behaviour", _BU, _V16),
    Code("BU_SOCIALA_RELATIONER", "Sociala relationer", "Social relationships", _BU, _V16),
    Code("FF_GRUNDLAGGANDE_OMSORG", "Grundläggande omsorg", "Basic care", _FF, _V16),
    Code("FF_SAKERHET", "Säkerhet", "Ensuring safety", _FF, _V16),
    Code("FF_KANSLOMASSIG_TILLGANGLIGHET", "Känslomässig tillgänglighet", "Emotional warmth", _FF, _V16),
    Code("FF_STIMULANS_VAGLEDNING", "Stimulans och vägledning", "Stimulation and guidance", _FF, _V16),
    Code("FM_FAMILJEBAKGRUND", "Familjebakgrund", "Family background", _FM, _V16),
    Code("FM_BOENDE", "Boende", "Housing", _FM, _V16),
    Code("FM_ARBETE_EKONOMI", "Arbete och ekonomi", "Employment and income", _FM, _V16),
    Code(
        "FM_SOCIALT_NATVERK_INTEGRERING",
        "Socialt nätverk och integrering",
        "Social network and integration",
        _FM,
        _V16,
    ),
)

TRIANGEL_OMRADEN: Mapping[FormVersion, CodeList] = {
    FormVersion.V2006: TRIANGEL_OMRADE_2006,
    FormVersion.V2016: TRIANGEL_OMRADE_2016,
}

TRIANGEL_OMRADE_ALLA = _list(
    "omrade",
    "Triangelns områden (båda versionerna)",
    *TRIANGEL_OMRADE_2006.codes,
    *(c for c in TRIANGEL_OMRADE_2016.codes if c.code not in TRIANGEL_OMRADE_2006),
)

UTBILDNING = _list(
    "utbildning",
    "Utbildning",
    Code("GRUNDUTBILDNING", "Lokal grundutbildning (tre dagar)", "Local basic training"),
    Code(
        "SOS_GRUNDUTBILDNING",
        "Socialstyrelsens grundutbildning (två dagar)",
        "Socialstyrelsen's basic training",
    ),
    Code("UTBILDARUTBILDNING", "Utbildarutbildning", "Training of trainers"),
    Code("E_LEARNING", "E-learning", "E-learning"),
)

LICENS_TYP = _list(
    "licens",
    "Licens",
    Code("INGEN", "Ingen licens", "No licence"),
    Code("PROVOLICENS", "Prövolicens", "Trial licence"),
    Code("LICENS", "Licens", "Licence"),
)

KRAV_STATUS = _list(
    "krav_status",
    "Uppfyllt",
    Code("UPPFYLLT", "Uppfyllt", "Met"),
    Code("EJ_UPPFYLLT", "Ej uppfyllt", "Not met"),
    Code("UNDERLAG_SAKNAS", "Underlag saknas", "No data"),
)

ALDERSGRUPP = _list(
    "alder",
    "Åldersgrupp",
    Code("0-6", "0–6 år"),
    Code("7-12", "7–12 år"),
    Code("13-15", "13–15 år"),
    Code("16-17", "16–17 år"),
    Code("18-20", "18–20 år"),
    Code("21+", "21 år och äldre"),
)

KON_RAPPORT = _list("kon_rapport", "Kön", Code("1", "Pojke"), Code("2", "Flicka"), Code("okant", "Okänt"))

PLACEMENT_TYPES: frozenset[str] = frozenset(c.code for c in INSATSTYP if c.placement)
DUTY_TO_REPORT: frozenset[str] = frozenset(c.code for c in ANMALARE if c.duty_to_report)
LVU_LAGRUM: frozenset[str] = frozenset({"LVU_2", "LVU_3", "LVU_2_3", "LVU_6"})
INTERVENTION_DOCUMENTS: frozenset[str] = frozenset(
    c.code for c in DOKUMENT_TYP if c.code not in {"GRUNDUPPGIFTER", "AVSLUTNING"}
)

CATALOGUE: Mapping[str, CodeList] = {
    cl.name: cl
    for cl in (
        AKTUALISERING_TYP,
        ANMALARE,
        ORSAK,
        FHB_BESLUT,
        UTREDNING_RESULTAT,
        TRIANGEL_VERSION,
        BEDOMNING,
        INSATSTYP,
        INSATS_GRUPP,
        LAGRUM,
        DOKUMENT_TYP,
        ROLL,
        KON,
        FLAGGA,
        TRIANGEL_OMRADE_2006,
        TRIANGEL_OMRADE_2016,
        TRIANGEL_OMRADE_ALLA,
        UTBILDNING,
        LICENS_TYP,
        KRAV_STATUS,
        ALDERSGRUPP,
        KON_RAPPORT,
    )
}


def label(list_name: str, code: str) -> str:
    """Swedish label of `code` in the named list; the code itself when unknown."""
    return CATALOGUE[list_name].label(code)
