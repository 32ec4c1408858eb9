"""Hand-built figures of reports 4 (`jamforelse`) and 5 (`arsrapport`) as reports.md writes them:
D1.nyckeltal, D1.status, D2.trend, D3.forandring, D3.avvikelse per unit (`enhet=` first), and for the
year's report the licence rows at D and E1.karantan / E2.okand_handlaggare.

The values are made up per unit and period with a seeded random source; status, change and anomaly
follow the spec's rules from them (targets of register.md's defaults, k = 5, 15 points, 30 %).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from decimal import Decimal
from fractions import Fraction

from documents_samples import EXPORT_ID, NAMES, NETWORKS, licence_figures, scope_of

from bbic_core.documents.document_context import DocumentContext
from bbic_core.figures.figure import Figure, ReportKind
from bbic_core.figures.format import share_value
from bbic_core.scopes import Period, Scope

AS_OF = dt.date(2025, 5, 31)
PERIOD = Period(dt.date(2025, 1, 1), dt.date(2025, 5, 31))
YEAR = Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
TERTIALS = ("2023-T3", "2024-T1", "2024-T2", "2024-T3", "2025-T1", "2025-T2")
WINDOW = Period(dt.date(2024, 6, 1), dt.date(2025, 5, 31))

# (nyckeltal, kind, better) in the spec's order
INDICATORS = (
    ("A1.aktualiseringar", "count", "volume"),
    ("A2.skydd_inom_1dag", "share", "higher"),
    ("A3.fhb_inom_14d", "share", "higher"),
    ("A4.utr_inledda", "count", "volume"),
    ("A5.utr_inom_4man", "share", "higher"),
    ("A5.utr_median_dagar", "median", "lower"),
    ("A8.placerade_barn", "count", "volume"),
    ("A8.vardplan", "share", "higher"),
    ("A9.overvagande_i_tid", "share", "higher"),
    ("A10.ateraktualiserade", "share", "lower"),
    ("C4.anvandare_utbildade", "share", "higher"),
    ("C.krav", "krav", "fixed"),
)
TARGETS = {"A2.skydd_inom_1dag": (95, 80), "A3.fhb_inom_14d": (90, 75), "A5.utr_inom_4man": (90, 75),
           "A5.utr_median_dagar": (90, 120), "A8.vardplan": (95, 80), "A9.overvagande_i_tid": (95, 80),
           "C4.anvandare_utbildade": (100, 90)}
K, PP, ANDEL = 5, 15, 30

Cell = tuple[str, str, str]  # value, numerator, denominator as written


def units_of(scope_code: str) -> list[str]:
    scope = scope_of(scope_code)
    if scope.level == "kommun":
        return [*(d for ds in NETWORKS.values() for d in ds), *NETWORKS, "0180"]
    if scope.level == "natverk":
        return [*NETWORKS[scope_code], scope_code, "0180"]
    network = next(n for n, ds in NETWORKS.items() if scope_code in ds)
    return [scope_code, network, "0180"]


def _cell(kind: str, unit: str, rng: random.Random) -> Cell:
    size = 4 if unit == "0180" else 2 if unit in NETWORKS else 1
    if kind == "count":
        return str(rng.randint(3, 60) * size), "", ""
    if kind == "median":
        n = rng.randint(4, 40) * size
        return f"{rng.randint(600, 1500) / 10:.1f}", "", str(n)
    if kind == "krav":
        if unit in NETWORKS or unit == "0180":
            members = len(NETWORKS.get(unit, ())) or 4
            met = rng.randint(0, members)
            return str(met), str(met), str(members)
        return rng.choice(["UPPFYLLT", "UPPFYLLT", "EJ_UPPFYLLT"]), "", ""
    den = rng.randint(6, 40) * size
    num = rng.randint(den // 2, den)
    return share_value(num, den), str(num), str(den)


def _near(kind: str, cell: Cell, rng: random.Random) -> Cell:
    """Last year's figure: near this year's, as most are (a few change enough to be anomalies)."""
    value, num, den = cell
    if kind == "count":
        return str(max(0, round(int(value) * rng.uniform(0.8, 1.2)))), "", ""
    if kind == "median":
        return f"{float(value) * rng.uniform(0.85, 1.15):.1f}", "", den
    if kind == "share":
        d = int(den)
        n = min(d, max(0, int(num) + rng.randint(-d // 8, d // 8)))
        return share_value(n, d), str(n), str(d)
    return cell


def status(nyckeltal: str, kind: str, better: str, cell: Cell) -> str | None:
    value, num, den = cell
    if kind == "krav":
        if num:
            return "GRON" if num == den else "SAKNAS"
        return {"UPPFYLLT": "GRON", "EJ_UPPFYLLT": "ROD"}.get(value, "SAKNAS")
    if nyckeltal not in TARGETS:
        return None
    if value in ("", ".."):
        return "SAKNAS"
    mal, grans = TARGETS[nyckeltal]
    exact = Fraction(int(num), int(den)) * 100 if kind == "share" else Fraction(Decimal(value))
    if better == "higher":
        return "GRON" if exact >= mal else "GUL" if exact >= grans else "ROD"
    return "GRON" if exact <= mal else "GUL" if exact <= grans else "ROD"


def change(kind: str, now: Cell, before: Cell) -> str:
    if kind == "krav" or "" in (now[0], before[0]):
        return ""
    if ".." in (now[0], before[0]):
        return ".."
    diff = Decimal(now[0]) - Decimal(before[0])
    text = str(diff) if kind == "count" else f"{diff:.1f}"
    return "0.0" if text == "-0.0" else text


def anomaly(kind: str, now: Cell, before: Cell, written: str) -> str:
    if written == "..":
        return ".."
    if kind == "krav" or written == "":
        return "N"
    def n(cell: Cell) -> int:
        return int(cell[0]) if kind == "count" else int(cell[2])
    if min(n(now), n(before)) < K:
        return "N"
    if kind == "share":
        return "J" if abs(Decimal(written)) >= PP else "N"
    last = Decimal(before[0])
    return "J" if last > 0 and abs(Decimal(written)) >= last * ANDEL / 100 else "N"


def comparison_figures(scope_code: str, *, report: str = "jamforelse", period: Period = PERIOD,
                       seed: int = 4, planted: bool = True) -> list[Figure]:
    """Report 4's rows for `scope_code`, in the spec's order. `planted`: Rinkeby-Kista's investigations
    within four months fell by 30 points and Farsta's investigations started doubled (anomalies), and
    one of Bromma's shares is suppressed (`..`)."""
    scope = str(scope_of(scope_code))
    rows: dict[str, list[Figure]] = {m: [] for m in ("D1.nyckeltal", "D1.status", "D2.trend",
                                                      "D3.forandring", "D3.avvikelse")}

    def add(measure: str, breakdown: str, cell: Cell) -> None:
        rows[measure].append(Figure(report, scope, period.start, period.end, AS_OF, measure, breakdown,
                                    *cell))

    for unit in units_of(scope_code):
        for nyckeltal, kind, better in INDICATORS:
            rng = random.Random(f"{seed}-{unit}-{nyckeltal}")
            now = _cell(kind, unit, rng)
            before = _near(kind, now, rng)
            if planted and unit == "rinkeby_kista" and nyckeltal == "A5.utr_inom_4man":
                now, before = ("50.0", "10", "20"), ("80.0", "16", "20")
            if planted and unit == "farsta" and nyckeltal == "A4.utr_inledda":
                now, before = ("40", "", ""), ("20", "", "")
            if planted and unit == "bromma" and nyckeltal == "A8.vardplan":
                now = ("..", "..", "..")
            here = f"enhet={unit}&nyckeltal={nyckeltal}"
            add("D1.nyckeltal", here, now)
            found = status(nyckeltal, kind, better, now)
            if found is not None:
                add("D1.status", here, (found, "", ""))
            for tertial in TERTIALS:
                add("D2.trend", f"{here}&tertial={tertial}",
                    now if tertial == TERTIALS[-1] else _cell(kind, unit, rng))
            written = change(kind, now, before)
            add("D3.forandring", here, (written, "", ""))
            add("D3.avvikelse", here, (anomaly(kind, now, before, written), "", ""))
    return [f for measure in rows for f in rows[measure]]


def year_figures(scope_code: str, *, as_of: dt.date = AS_OF) -> list[Figure]:
    """Report 5 for 2025: report 4 over the year, the licence check at D = min(31 Dec, A), E rows."""
    scope = str(scope_of(scope_code))
    d = min(YEAR.end, as_of)
    figures = [dataclasses.replace(f, as_of=as_of) for f in comparison_figures(
        scope_code, report="arsrapport", period=YEAR)]
    licence = licence_figures(scope_code)
    # the second district's trial licence ends within 90 days of D, its application not sent
    licence = [dataclasses.replace(f, value={"uppgift=dagar_kvar": "45", "uppgift=varning": "J"}.get(
        f.breakdown.partition("&")[2], "2025-07-15" if "&" not in f.breakdown else f.value))
        if f.measure == "C1.provolicens_slut" and "rinkeby_kista" in f.breakdown else f for f in licence]
    figures += [dataclasses.replace(f, report="arsrapport", as_of=d,
                                    period_from=WINDOW.start, period_to=WINDOW.end) for f in licence]
    quarantine = {"V004": 7, "V012": 3, "V015": 0}
    rows = [("E1.karantan", "regel=ALL", "9"), *(("E1.karantan", f"regel={code}", str(n))
                                                 for code, n in quarantine.items()),
            ("E2.okand_handlaggare", "ALL", "4")]
    figures += [Figure("arsrapport", scope, YEAR.start, YEAR.end, as_of, m, b, v) for m, b, v in rows]
    return figures


def comparison_context(scope_code: str, *, report: ReportKind = ReportKind.JAMFORELSE, mode: str = "internal",
                       as_of: dt.date = AS_OF) -> DocumentContext:
    from bbic_core.register.targets import Target

    levels = {code: scope_of(code).level for code in NAMES}
    return DocumentContext(
        report=report, scope=scope_of(scope_code), scope_name=NAMES[scope_code],
        period=YEAR if report == ReportKind.ARSRAPPORT else PERIOD, as_of=as_of, export_id=EXPORT_ID,
        mode="published" if mode == "published" else "internal", quarantined_rows=9,
        period_name="" if report == ReportKind.ARSRAPPORT else "Hittills i år", names=NAMES,
        targets={k: Target(mal=m, grans=g) for k, (m, g) in TARGETS.items()}, levels=levels,
    )


def scope_str(code: str) -> Scope:
    return scope_of(code)
