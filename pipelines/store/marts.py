"""The marts tables the report set is rendered from: computed once a night, read by the reports asset.

- `figures`: every figure of the standard set, exact (figures.csv's long form + `export_id`,
  `document` = `<scope folder>/<file stem>` and `part`: `report`, or `year_before` for the
  reports 1–2 of the same period one year earlier that the documents show beside each key figure);
- `figures_published`: the same, disclosure-controlled, when the set is published;
- `figure_documents`: one row per document, with what its header states besides the figures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import duckdb
import pyarrow as pa

from bbic_core.figures.figure import FIGURES_CSV_COLUMNS, Figure, ReportKind
from bbic_core.figures.produce import ProducedReport, ReportRequest
from bbic_core.figures.report_context import ReportContext
from bbic_core.scopes import Period, Scope, ScopeLevel

FIGURES = "figures"
FIGURES_PUBLISHED = "figures_published"
DOCUMENTS = "figure_documents"
REPORT_PART, YEAR_BEFORE_PART = "report", "year_before"

_DATES = ("period_from", "period_to", "as_of")
FIGURE_COLUMNS = ("export_id", "document", "part", *FIGURES_CSV_COLUMNS)
DOCUMENT_COLUMNS = ("export_id", "document", "report", "scope", "scope_name", "period_name", "period_from",
                    "period_to", "as_of", "export_as_of", "municipality", "districts", "quarantined",
                    "unknown_user_records", "notes")


def _figures_ddl(table: str) -> str:
    columns = ", ".join(f"{c} {'DATE' if c in _DATES else 'VARCHAR'}" for c in FIGURE_COLUMNS)
    return f"CREATE TABLE {table} ({columns})"


DOCUMENTS_DDL = (
    f"CREATE TABLE {DOCUMENTS} (export_id VARCHAR, document VARCHAR, report VARCHAR, scope VARCHAR, "
    "scope_name VARCHAR, period_name VARCHAR, period_from DATE, period_to DATE, as_of DATE, "
    "export_as_of DATE, municipality VARCHAR, districts VARCHAR[], quarantined INTEGER, "
    "unknown_user_records INTEGER, notes VARCHAR[])"
)


def document_key(produced: ProducedReport) -> str:
    request = produced.request
    return f"{request.scope.code}/{request.kind.value}_{request.name}"


def _figure_rows(export_id: str, produced: Iterable[ProducedReport], part: str) -> list[list[object]]:
    return [[export_id, document_key(p), part, *(getattr(f, c) for c in FIGURES_CSV_COLUMNS)]
            for p in produced for f in p.figures]


def write_marts(con: duckdb.DuckDBPyConnection, export_id: str, produced: Sequence[ProducedReport],
                year_before: Sequence[ProducedReport], published: Sequence[ProducedReport] | None = None,
                published_year_before: Sequence[ProducedReport] = ()) -> int:
    """Replaces the three tables in one transaction; returns the number of exact figures written."""
    rows = _figure_rows(export_id, produced, REPORT_PART) + _figure_rows(export_id, year_before,
                                                                         YEAR_BEFORE_PART)
    con.execute("BEGIN TRANSACTION")
    try:
        for table in (FIGURES, FIGURES_PUBLISHED, DOCUMENTS):
            con.execute(f"DROP TABLE IF EXISTS {table}")
        con.execute(_figures_ddl(FIGURES))
        con.execute(_figures_ddl(FIGURES_PUBLISHED))
        con.execute(DOCUMENTS_DDL)
        _insert(con, FIGURES, rows)
        if published is not None:
            _insert(con, FIGURES_PUBLISHED, _figure_rows(export_id, published, REPORT_PART)
                    + _figure_rows(export_id, published_year_before, YEAR_BEFORE_PART))
        documents = [[export_id, document_key(p), p.request.kind.value, str(p.request.scope),
                      p.context.scope_name, p.request.name, p.context.period.start, p.context.period.end,
                      p.context.as_of, p.context.export_as_of, p.context.municipality,
                      list(p.context.districts), p.context.quarantined, p.context.unknown_user_records,
                      list(p.context.notes)]
                     for p in produced]
        if documents:
            con.executemany(f"INSERT INTO {DOCUMENTS} VALUES ({', '.join('?' * len(DOCUMENT_COLUMNS))})",
                            documents)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return len(rows)


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[list[object]]) -> None:
    """Rows in one columnar insert (row by row would take seconds for the night's figures)."""
    if not rows:
        return
    columns = {name: [row[i] for row in rows] for i, name in enumerate(FIGURE_COLUMNS)}
    arrow = pa.table({name: pa.array(values, pa.date32() if name in _DATES else pa.string())
                      for name, values in columns.items()})
    con.register("_marts_rows", arrow)
    try:
        con.execute(f"INSERT INTO {table} SELECT {', '.join(FIGURE_COLUMNS)} FROM _marts_rows")
    finally:
        con.unregister("_marts_rows")


def _scope(text: str) -> Scope:
    level, _, code = text.partition(":")
    return Scope(ScopeLevel(level), code)


def read_marts(con: duckdb.DuckDBPyConnection, export_id: str, *, published: bool
               ) -> tuple[list[ProducedReport], list[ProducedReport]]:
    """The produced reports (and their year-before reports) of `export_id` as the marts hold them."""
    table = FIGURES_PUBLISHED if published else FIGURES
    by_document: dict[tuple[str, str], list[Figure]] = {}
    found = con.execute(
        f"SELECT document, part, {', '.join(FIGURES_CSV_COLUMNS)} FROM {table} WHERE export_id = ? "
        "ORDER BY rowid", [export_id]).fetchall()
    for document, part, *row in found:
        by_document.setdefault((document, part), []).append(Figure(*row))
    produced: list[ProducedReport] = []
    year_before: list[ProducedReport] = []
    for (document, report, scope, scope_name, period_name, p_from, p_to, as_of, export_as_of, municipality,
         districts, quarantined, unknown, notes) in con.execute(
            f"SELECT {', '.join(DOCUMENT_COLUMNS[1:])} FROM {DOCUMENTS} WHERE export_id = ? ORDER BY rowid",
            [export_id]).fetchall():
        kind = ReportKind(report)
        period = Period(p_from, p_to)
        ctx = ReportContext(kind=kind, scope=_scope(scope), scope_name=scope_name, districts=tuple(districts),
                            period=period, as_of=as_of, export_id=export_id, export_as_of=export_as_of,
                            municipality=municipality, quarantined=int(quarantined),
                            unknown_user_records=unknown, notes=tuple(notes))
        request_period = Period(as_of, as_of) if kind == ReportKind.LICENS else period
        request = ReportRequest(kind, ctx.scope, request_period, period_name)
        produced.append(ProducedReport(request, ctx, tuple(by_document.get((document, REPORT_PART), ()))))
        earlier = by_document.get((document, YEAR_BEFORE_PART))
        if earlier:
            year_before.append(ProducedReport(request, ctx, tuple(earlier)))
    return produced, year_before


def anomalies(con: duckdb.DuckDBPyConnection, export_id: str) -> list[dict[str, str]]:
    """D3 anomalies (`D3.avvikelse` = J) of every comparison in the marts, once per period, unit and
    indicator, with the change as written."""
    found = con.execute(f"""
        SELECT DISTINCT a.period_from, a.period_to, a.breakdown, c.value
          FROM {FIGURES} a JOIN {FIGURES} c
            ON c.export_id = a.export_id AND c.document = a.document AND c.measure = 'D3.forandring'
           AND c.breakdown = a.breakdown AND c.report = a.report
         WHERE a.export_id = ? AND a.measure = 'D3.avvikelse' AND a.value = 'J'
         ORDER BY 1, 2, 3
    """, [export_id]).fetchall()
    out = []
    for p_from, p_to, brk, change in found:
        pairs = dict(part.split("=", 1) for part in str(brk).split("&"))
        out.append({"period": f"{_iso(p_from)}..{_iso(p_to)}", "enhet": pairs.get("enhet", ""),
                    "nyckeltal": pairs.get("nyckeltal", ""), "forandring": str(change)})
    return out


def _iso(value: object) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


