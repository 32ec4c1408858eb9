"""Every measure of the three reports (reports.md), computed set-based in DuckDB over the snapshot.

`compute_report` gives the `Figure` rows of one report, scope and period exactly as `figures.csv`
holds them; `write_figures_csv`/`read_figures_csv` move them to and from that file.
"""

from bbic_core.figures.compute import compute_all, compute_report, compute_with_context, default_scopes
from bbic_core.figures.context import NoSnapshotError, ReportContext, report_context
from bbic_core.figures.figures_csv import read_figures_csv, write_figures_csv
from bbic_core.figures.measures import BY_ID, MEASURES, Measure
from bbic_core.figures.model import (
    FIGURES_CSV_COLUMNS,
    SUPPRESSED,
    Figure,
    Period,
    ReportKind,
    Scope,
    ScopeLevel,
)
from bbic_core.figures.periods import parse_period, standard_periods
from bbic_core.figures.schema import create_snapshot_schema

__all__ = [
    "BY_ID",
    "FIGURES_CSV_COLUMNS",
    "MEASURES",
    "SUPPRESSED",
    "Figure",
    "Measure",
    "NoSnapshotError",
    "Period",
    "ReportContext",
    "ReportKind",
    "Scope",
    "ScopeLevel",
    "compute_all",
    "compute_report",
    "compute_with_context",
    "create_snapshot_schema",
    "default_scopes",
    "parse_period",
    "read_figures_csv",
    "report_context",
    "standard_periods",
    "write_figures_csv",
]
