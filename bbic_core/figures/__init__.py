"""Every measure of the three reports (reports.md), computed set-based in DuckDB over the snapshot.

`compute_report` gives the `Figure` rows of one report, scope and period exactly as `figures.csv`
holds them; `produce_reports` is the one compute-and-disclose step for many reports at once (the
command line, the nightly marts and the documents use it); `write_figures_csv`/`read_figures_csv`
move figures to and from that file.
"""

from bbic_core.figures.compute import compute_all, compute_report, compute_with_context
from bbic_core.figures.figure import FIGURES_CSV_COLUMNS, SUPPRESSED, Figure, ReportKind
from bbic_core.figures.figures_csv import read_figures_csv, write_figures_csv
from bbic_core.figures.measures import BY_ID, MEASURES, Measure
from bbic_core.figures.periods import parse_period, standard_periods
from bbic_core.figures.produce import ProducedReport, ReportRequest, produce_reports, standard_requests
from bbic_core.figures.published import default_scopes, scope_hierarchy
from bbic_core.figures.report_context import HeaderCounts, NoSnapshotError, ReportContext, report_context
from bbic_core.figures.schema import create_snapshot_schema
from bbic_core.figures.store import ReportStore

__all__ = [
    "BY_ID",
    "FIGURES_CSV_COLUMNS",
    "MEASURES",
    "SUPPRESSED",
    "Figure",
    "HeaderCounts",
    "Measure",
    "NoSnapshotError",
    "ProducedReport",
    "ReportContext",
    "ReportKind",
    "ReportRequest",
    "ReportStore",
    "compute_all",
    "compute_report",
    "compute_with_context",
    "create_snapshot_schema",
    "default_scopes",
    "parse_period",
    "produce_reports",
    "read_figures_csv",
    "report_context",
    "scope_hierarchy",
    "standard_periods",
    "standard_requests",
    "write_figures_csv",
]
