"""The report archive: every report for every scope and standard period of one as-of date.

    REPORTS/<as-of>/index.html
    REPORTS/<as-of>/<scope-code>/<report>_<period-name>.{html,pdf,xlsx}
    REPORTS/<as-of>/<scope-code>/figures.csv        (every figure of the scope's documents)
    REPORTS/latest -> <newest as-of>

Figures are computed in this process (the only one holding the DuckDB connection); the documents
are rendered from figures alone in worker processes, so both cores print PDFs. The set is written
into a temporary folder next to its final place and renamed at the end: a half-rendered set
never replaces a good one, and `latest` is swapped atomically (`os.replace` of a new symlink).
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import shutil
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb

from bbic_core.documents import labels
from bbic_core.documents.document_context import DocumentContext, Mode, from_report_context
from bbic_core.documents.excel import write_excel
from bbic_core.documents.html import environment, render_html, stylesheet
from bbic_core.figures import (
    Figure,
    ProducedReport,
    ReportKind,
    ReportRequest,
    ReportStore,
    default_scopes,
    produce_reports,
    scope_hierarchy,
    standard_requests,
    write_figures_csv,
)
from bbic_core.figures.disclosure import DEFAULT_K
from bbic_core.figures.jamforelse import year_before
from bbic_core.figures.produce import CURRENT_YEAR, LICENCE_PERIOD_NAME
from bbic_core.register import Register
from bbic_core.scopes import Scope, ScopeLevel

__all__ = ["DEFAULT_K", "default_scopes"]

# The reports that state licence figures: withheld while the register does not parse.
LICENCE_REPORTS = (ReportKind.LICENS, ReportKind.JAMFORELSE, ReportKind.ARSRAPPORT)

FORMATS = ("html", "pdf", "xlsx", "csv")
LATEST = "latest"
PERIOD_LABELS: Mapping[str, str] = {
    "year_to_date": "Hittills i år",
    "previous_year": "Föregående år",
    "latest_tertial": "Senaste hela tertialet",
    CURRENT_YEAR: "Innevarande år",
    LICENCE_PERIOD_NAME: "Kontrolldag",
}
FORMAT_LABELS: Mapping[str, str] = {"html": "Webbsida", "pdf": "PDF", "xlsx": "Excel", "csv": "CSV"}
INDEX_REPORTS = (ReportKind.VERKSAMHET, ReportKind.KLIENTGRUPP, ReportKind.LICENS, ReportKind.JAMFORELSE,
                 ReportKind.ARSRAPPORT)
# Reports 1 and 2 show each key figure beside the same period one year earlier.
WITH_YEAR_BEFORE = (ReportKind.VERKSAMHET, ReportKind.KLIENTGRUPP)


@dataclass(frozen=True)
class Document:
    """One report of one scope and period, ready to render: its figures and header facts."""

    ctx: DocumentContext
    figures: tuple[Figure, ...]
    folder: str  # the scope's folder name
    period_name: str  # year_to_date, previous_year, latest_tertial, current_year, kontrolldag
    file_stem: str = ""  # a name of its own (bbic report); by default `<report>_<period-name>`
    # reports 1–2: the same report for P′ = [from − 12 months, t − 12 months] (same A), shown beside
    # each key figure; not part of the document's own figures.csv rows
    previous: tuple[Figure, ...] = ()

    @property
    def stem(self) -> str:
        return self.file_stem or f"{self.ctx.report.value}_{self.period_name}"


@dataclass(frozen=True)
class RenderJob:
    document: Document
    folder: Path
    formats: tuple[str, ...]


@dataclass
class IndexScope:
    name: str
    folder: str
    level: ScopeLevel
    documents: list[Document] = field(default_factory=list)

    def find(self, report: str, period_name: str) -> Document | None:
        for doc in self.documents:
            if doc.ctx.report.value == report and doc.period_name == period_name:
                return doc
        return None


def render_standard_set(con: duckdb.DuckDBPyConnection, register: Register, reports_root: Path, *,
                        as_of: dt.date, export_id: str, formats: Sequence[str] = FORMATS,
                        mode: Mode = "internal", scopes: Iterable[Scope] | None = None, workers: int = 2,
                        k: int = DEFAULT_K, licence_withheld_reason: str | None = None) -> Path:
    """Compute and render the standard set of `as_of` under `reports_root`; returns `reports_root/<as-of>`.

    The set is `standard_requests` (reports 1–3 per scope and standard period, report 4 for the
    municipality and each network, report 5 for the previous and current year) computed once by
    `produce_reports`; published mode applies disclosure control across all scopes of the day.

    `licence_withheld_reason` (the register's error, `file:line: key: message`) withholds the
    reports stating licence figures (register.md: "only the licence report is withheld while the
    current register is invalid"); the index says why in their place.
    """
    documents = standard_documents(con, register, as_of=as_of, export_id=export_id, mode=mode, scopes=scopes,
                                   k=k, licence=licence_withheld_reason is None)
    return write_report_set(documents, reports_root, as_of=as_of, export_id=export_id, formats=formats,
                            workers=workers, mode=mode, licence_withheld_reason=licence_withheld_reason)


def standard_documents(con: duckdb.DuckDBPyConnection, register: Register, *, as_of: dt.date, export_id: str,
                       mode: Mode = "internal", scopes: Iterable[Scope] | None = None, k: int = DEFAULT_K,
                       licence: bool = True, store: ReportStore | None = None) -> list[Document]:
    """The standard set's documents (figures in `mode`, each report computed once)."""
    chosen = list(scopes) if scopes is not None else default_scopes(register, as_of)
    store = store or ReportStore(con, register, as_of=as_of, k=k, published_scopes=chosen)
    requests = standard_requests(register, as_of, chosen, licence=licence)
    produced = produce_reports(con, register, requests, mode=mode, store=store)
    previous = produce_reports(con, register, year_before_requests(requests, store.as_of), mode=mode,
                               store=store)
    return documents_of(produced, previous, register, mode=mode, k=k, export_id=export_id)


def year_before_requests(requests: Iterable[ReportRequest], as_of: dt.date) -> list[ReportRequest]:
    """For each report 1–2 request, the same report over `P′ = [from − 12 months, t − 12 months]`
    with the same A (as D3.forandring compares)."""
    return [ReportRequest(r.kind, r.scope, year_before(r.period, min(r.period.end, as_of)), r.name)
            for r in requests if r.kind in WITH_YEAR_BEFORE]


def documents_of(produced: Sequence[ProducedReport], previous: Sequence[ProducedReport], register: Register,
                 *,
                 mode: Mode, k: int, export_id: str) -> list[Document]:
    """Documents from produced reports; `previous` holds the year-earlier reports 1–2 (any order)."""
    names = scope_names(register)
    levels = scope_levels(register)
    earlier = {(p.request.kind, p.request.scope, p.request.name): p.figures for p in previous}
    documents = []
    for p in produced:
        request = p.request
        ctx = from_report_context(p.context, mode=mode, names=names, k=k,
                                  period_name=PERIOD_LABELS.get(request.name, ""),
                                  targets=register.settings.targets, levels=levels,
                                  warning_days=register.settings.varning_dagar)
        ctx = replace(ctx, export_id=export_id)
        documents.append(Document(ctx, p.figures, scope_folder(request.scope), request.name,
                                  previous=earlier.get((request.kind, request.scope, request.name), ())))
    return documents


def scope_names(register: Register) -> dict[str, str]:
    names = {d.code: d.name for d in register.districts}
    names.update({n.code: n.name for n in register.networks})
    names[register.municipality.code] = register.municipality.name
    return names


def scope_levels(register: Register) -> dict[str, ScopeLevel]:
    levels = {d.code: ScopeLevel.DISTRICT for d in register.districts}
    levels.update({n.code: ScopeLevel.NETWORK for n in register.networks})
    levels[register.municipality.code] = ScopeLevel.MUNICIPALITY
    return levels


def scope_folder(scope: Scope) -> str:
    return scope.code


def hierarchy(register: Register, scopes: Sequence[Scope], period_end: dt.date) -> dict[str, list[str]]:
    """Parent scope → child scopes among those published (`bbic_core.figures.scope_hierarchy`)."""
    return scope_hierarchy(register, scopes, period_end)


def render_document(job: RenderJob) -> list[str]:
    """Render one document in the requested formats (runs in a worker: figures only, no database)."""
    doc = job.document
    written = []
    # the year-earlier figures ride along: each renderer selects the rows of its own period
    figures = (*doc.figures, *doc.previous)
    if "html" in job.formats or "pdf" in job.formats:
        page = render_html(figures, doc.ctx)
        if "html" in job.formats:
            (job.folder / f"{doc.stem}.html").write_text(page, encoding="utf-8")
            written.append(f"{doc.stem}.html")
        if "pdf" in job.formats:
            from bbic_core.documents.pdf import render_pdf  # WeasyPrint takes seconds to load: only for PDFs

            render_pdf(page, job.folder / f"{doc.stem}.pdf")
            written.append(f"{doc.stem}.pdf")
    if "xlsx" in job.formats:
        write_excel(figures, doc.ctx, job.folder / f"{doc.stem}.xlsx")
        written.append(f"{doc.stem}.xlsx")
    return written


def write_report_set(documents: Sequence[Document], reports_root: Path, *, as_of: dt.date, export_id: str,
                     formats: Sequence[str] = FORMATS, workers: int = 2, mode: Mode = "internal",
                     progress: Callable[[str], None] | None = None,
                     licence_withheld_reason: str | None = None) -> Path:
    """Write rendered documents, the per-scope `figures.csv` and the index; swap the set into place."""
    if licence_withheld_reason is not None:
        documents = [d for d in documents if d.ctx.report not in LICENCE_REPORTS]
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise ValueError(f"unknown formats: {', '.join(sorted(unknown))} (known: {', '.join(FORMATS)})")
    reports_root.mkdir(parents=True, exist_ok=True)
    final = reports_root / as_of.isoformat()
    staging = reports_root / f".{as_of.isoformat()}.tmp-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir()
    try:
        jobs = []
        for folder in sorted({d.folder for d in documents}):
            (staging / folder).mkdir()
        doc_formats = tuple(f for f in formats if f != "csv")
        if "csv" in formats:
            per_scope: dict[str, list[Figure]] = {}
            for doc in documents:
                per_scope.setdefault(doc.folder, []).extend(doc.figures)
            for folder, figures in per_scope.items():
                write_figures_csv(figures, staging / folder / "figures.csv")
        if doc_formats:
            jobs = [RenderJob(doc, staging / doc.folder, doc_formats) for doc in documents]
            _run(jobs, workers, progress)
        write_index(documents, staging, as_of=as_of, export_id=export_id, formats=formats, mode=mode,
                    licence_withheld_reason=licence_withheld_reason)
        _swap_into_place(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    point_latest(reports_root)
    return final


# Rough CPU seconds of a document's PDF (the sweden-10y set): the licence check has a section per
# district, reports 4 and 5 a line per unit in their charts, reports 1–2 are about the same everywhere.
RENDER_COST: Mapping[tuple[ReportKind, ScopeLevel], float] = {
    (ReportKind.LICENS, ScopeLevel.MUNICIPALITY): 6.0,
    (ReportKind.LICENS, ScopeLevel.NETWORK): 1.6,
    (ReportKind.LICENS, ScopeLevel.DISTRICT): 0.4,
    (ReportKind.JAMFORELSE, ScopeLevel.MUNICIPALITY): 3.2,
    (ReportKind.JAMFORELSE, ScopeLevel.NETWORK): 1.4,
    (ReportKind.ARSRAPPORT, ScopeLevel.MUNICIPALITY): 3.0,
    (ReportKind.ARSRAPPORT, ScopeLevel.NETWORK): 1.4,
    (ReportKind.ARSRAPPORT, ScopeLevel.DISTRICT): 1.0,
}
FOLLOW_UP_COST = 1.2  # reports 1 and 2 of any scope


def render_cost(document: Document) -> float:
    """The rough cost of rendering `document` (`RENDER_COST`), to start the longest first."""
    return RENDER_COST.get((document.ctx.report, document.ctx.scope.level), FOLLOW_UP_COST)


def render_order(jobs: Iterable[RenderJob]) -> list[RenderJob]:
    """The jobs longest first (stable among equals): a core that picks up the city's licence check last
    would print it alone while the other idles."""
    return sorted(jobs, key=lambda job: -render_cost(job.document))


def _run(jobs: Sequence[RenderJob], workers: int, progress: Callable[[str], None] | None) -> None:
    jobs = render_order(jobs)
    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            render_document(job)
            if progress:
                progress(job.document.stem)
        return
    # spawn, not fork: the parent holds a DuckDB connection and its threads
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        # one job at a time (chunksize 1): a job is a second or more, so a worker that finishes takes
        # the next longest and both stay busy to the end
        for job, _ in zip(jobs, pool.map(render_document, jobs), strict=True):
            if progress:
                progress(job.document.stem)


def _swap_into_place(staging: Path, final: Path) -> None:
    if final.exists():
        old = final.with_name(f".{final.name}.old-{os.getpid()}")
        final.rename(old)
        staging.rename(final)
        shutil.rmtree(old, ignore_errors=True)
    else:
        staging.rename(final)


def point_latest(reports_root: Path) -> None:
    """`latest` → the newest dated set, swapped atomically; a copy where symlinks are impossible."""
    dated = sorted(p.name for p in reports_root.iterdir() if p.is_dir() and not p.is_symlink()
                   and _is_date(p.name))
    if not dated:
        return
    newest = dated[-1]
    link = reports_root / LATEST
    temporary = reports_root / f".{LATEST}.tmp-{os.getpid()}"
    try:
        if temporary.is_symlink() or temporary.exists():
            temporary.unlink()
        temporary.symlink_to(newest, target_is_directory=True)
        if link.is_dir() and not link.is_symlink():
            shutil.rmtree(link)  # an earlier copy: replace it by a link
        os.replace(temporary, link)
    except OSError:
        copy = reports_root / f".{LATEST}.copy-{os.getpid()}"
        shutil.copytree(reports_root / newest, copy)
        if link.exists():
            old = reports_root / f".{LATEST}.old-{os.getpid()}"
            link.rename(old)
            shutil.rmtree(old, ignore_errors=True)
        copy.rename(link)


def _is_date(name: str) -> bool:
    try:
        dt.date.fromisoformat(name)
    except ValueError:
        return False
    return True


# --- the index page -------------------------------------------------------------------------------------

def licence_withheld_notice(reason: str) -> str:
    """What the index says in place of the licence links while the register is invalid."""
    return (f"Licenskontrollen hålls inne: registret (organisation och utbildning) kunde inte läsas "
            f"({reason}). Uppföljningsrapporterna bygger på det senast giltiga registret; licenskontrollen "
            f"tas fram igen när ett rättat register har lästs in.")


def write_index(documents: Sequence[Document], folder: Path, *, as_of: dt.date, export_id: str,
                formats: Sequence[str], mode: Mode, licence_withheld_reason: str | None = None) -> None:
    scopes: dict[str, IndexScope] = {}
    for doc in documents:
        entry = scopes.setdefault(doc.folder, IndexScope(doc.ctx.scope_name, doc.folder, doc.ctx.scope.level))
        entry.documents.append(doc)
    groups = []
    for level, title in ((ScopeLevel.MUNICIPALITY, "Kommunen"), (ScopeLevel.NETWORK, "Nätverk"),
                         (ScopeLevel.DISTRICT, "Stadsdelar")):
        members = sorted((s for s in scopes.values() if s.level == level), key=lambda s: s.name)
        if members:
            groups.append((title, members))
    period_names = list(dict.fromkeys(d.period_name for d in documents))
    notice = licence_withheld_notice(licence_withheld_reason) if licence_withheld_reason is not None else ""
    periods = {name: next(d.ctx.period for d in documents if d.period_name == name) for name in period_names}
    page = environment().get_template("index.html.j2").render(
        css=_css(), as_of=as_of, as_of_label=labels.format_date_sv(as_of), export_id=export_id,
        mode_label=labels.MODE_LABELS[mode], groups=groups, period_names=period_names,
        period_labels=PERIOD_LABELS, periods=periods, formats=[f for f in formats if f != "csv"],
        format_labels=FORMAT_LABELS, csv="csv" in formats, report_titles=labels.REPORT_TITLES,
        reports=[r for r in INDEX_REPORTS if any(d.ctx.report == r for d in documents)
                 or (r == ReportKind.LICENS and notice)],
        licence_notice=notice,
    )
    (folder / "index.html").write_text(page, encoding="utf-8")


def _css() -> object:
    from markupsafe import Markup

    return Markup(stylesheet())
