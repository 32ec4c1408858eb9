"""The header facts of one document: what the reader needs to know besides the figures.

Renderers take a `DocumentContext` and a list of `Figure`, never the database, so that HTML,
PDF and Excel cannot show anything `figures.csv` does not hold. `names` maps district and
network codes to their names, for the licence report's sections and any `stadsdel=` or `enhet=`
breakdown; `levels` says which of them are districts and networks (the comparison's units), and
`targets` are the register's targets the comparison's trend charts draw as a line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from bbic_core.documents import labels
from bbic_core.figures.figure import ReportKind
from bbic_core.figures.report_context import ReportContext
from bbic_core.scopes import Period, Scope, ScopeLevel

if TYPE_CHECKING:
    from bbic_core.register.targets import Target

Mode = Literal["internal", "published"]


@dataclass(frozen=True)
class DocumentContext:
    report: ReportKind
    scope: Scope
    scope_name: str
    period: Period
    as_of: dt.date
    export_id: str
    mode: Mode = "internal"
    quarantined_rows: int = 0
    period_name: str = ""  # e.g. "Hittills i år"; empty for a period chosen by hand
    names: Mapping[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()  # extra lines for the header (e.g. staff data is current)
    k: int = 5  # the disclosure threshold a published document was made with
    unknown_user_records: int | None = None  # licence report: records in W naming an unknown user (V015)
    targets: Mapping[str, Target] = field(default_factory=dict)  # settings.mal in force (report 4 and 5)
    levels: Mapping[str, ScopeLevel] = field(default_factory=dict)  # code -> district, network, municipality
    warning_days: int = 90  # settings.varning_dagar: the year's report lists trial licences ending sooner

    @property
    def preliminary(self) -> bool:
        """The year's report of a year not yet ended at A (reports.md, report 5)."""
        return self.report == ReportKind.ARSRAPPORT and self.as_of < self.period.end

    @property
    def title(self) -> str:
        if self.report == ReportKind.ARSRAPPORT:
            return f"{labels.REPORT_TITLES[self.report]} {self.period.end.year}"
        return labels.REPORT_TITLES[self.report]

    @property
    def scope_label(self) -> str:
        """`Stadsdel Bromma`, `Nätverk Västerort`, `Kommunen Stockholm`."""
        level = labels.SCOPE_LEVEL_LABELS[self.scope.level]
        if self.scope.level == ScopeLevel.MUNICIPALITY:
            return f"{self.scope_name} (hela kommunen)"
        return f"{level} {self.scope_name}"

    @property
    def mode_label(self) -> str:
        return labels.MODE_LABELS[self.mode]

    @property
    def period_range(self) -> str:
        """`2024-06-16 – 2025-06-15`, without the preset's name (the licence check's window W)."""
        return labels.format_period_sv(self.period.start, self.period.end)

    @property
    def period_label(self) -> str:
        text = labels.format_period_sv(self.period.start, self.period.end)
        return f"{self.period_name}: {text}" if self.period_name else text

    @property
    def as_of_label(self) -> str:
        return labels.format_date_sv(self.as_of)


def from_report_context(rc: ReportContext, *, mode: Mode = "internal", period_name: str = "",
                        names: Mapping[str, str] | None = None, k: int = 5,
                        targets: Mapping[str, Target] | None = None,
                        levels: Mapping[str, ScopeLevel] | None = None,
                        warning_days: int = 90) -> DocumentContext:
    """The header facts of a document from the figures library's context of the same report."""
    return DocumentContext(
        report=rc.kind, scope=rc.scope, scope_name=rc.scope_name, period=rc.period, as_of=rc.as_of,
        export_id=rc.export_id, mode=mode, quarantined_rows=rc.quarantined, period_name=period_name,
        names=dict(names or {}), notes=rc.notes, k=k, unknown_user_records=rc.unknown_user_records,
        targets=dict(targets or {}), levels=dict(levels or {}), warning_days=warning_days,
    )


def register_levels(districts: Iterable[str], networks: Iterable[str], municipality: str
                    ) -> dict[str, ScopeLevel]:
    """`levels` for a DocumentContext: each code of the register with its level."""
    levels = {code: ScopeLevel.DISTRICT for code in districts}
    levels.update({code: ScopeLevel.NETWORK for code in networks})
    levels[municipality] = ScopeLevel.MUNICIPALITY
    return levels
