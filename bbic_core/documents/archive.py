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
from bbic_core.documents.context import DocumentContext, Mode, from_report_context
from bbic_core.documents.excel import write_excel
from bbic_core.documents.html import environment, render_html, stylesheet
from bbic_core.figures import (
    Figure,
    Period,
    ReportKind,
    Scope,
    ScopeLevel,
    compute_with_context,
    default_scopes,
    report_context,
    standard_periods,
    write_figures_csv,
)
from bbic_core.figures.disclosure import DEFAULT_K, apply_disclosure
from bbic_core.register import Register

FORMATS = ("html", "pdf", "xlsx", "csv")
LICENCE_PERIOD_NAME = "kontrolldag"
LATEST = "latest"
PERIOD_LABELS: Mapping[str, str] = {
    "year_to_date": "Hittills i år",
    "previous_year": "Föregående år",
    "latest_tertial": "Senaste hela tertialet",
    LICENCE_PERIOD_NAME: "Kontrolldag",
}
FORMAT_LABELS: Mapping[str, str] = {"html": "Webbsida", "pdf": "PDF", "xlsx": "Excel", "csv": "CSV"}


@dataclass(frozen=True)
class Document:
    """One report of one scope and period, ready to render: its figures and header facts."""

    ctx: DocumentContext
    figures: tuple[Figure, ...]
    folder: str  # the scope's folder name
    period_name: str  # year_to_date, previous_year, latest_tertial, kontrolldag
    file_stem: str = ""  # a name of its own (bbic report); by default `<report>_<period-name>`

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


ComputeFn = Callable[[ReportKind, Scope, Period], tuple[list[Figure], DocumentContext]]


def render_standard_set(con: duckdb.DuckDBPyConnection, register: Register, reports_root: Path, *,
                        as_of: dt.date, export_id: str, formats: Sequence[str] = FORMATS,
                        mode: Mode = "internal", scopes: Iterable[Scope] | None = None, workers: int = 2,
                        k: int = DEFAULT_K, licence_withheld_reason: str | None = None) -> Path:
    """Render the standard set of `as_of` under `reports_root`; returns `reports_root/<as-of>`.

    For every scope (default: the municipality, every network and district in force on `as_of`):
    `verksamhet` and `klientgrupp` for each of `standard_periods(as_of)`, and the licence check once,
    as of D = `as_of`. Published mode applies disclosure control across all scopes of the day.

    `licence_withheld_reason` (the register's error, `file:line: key: message`) withholds the
    licence check (register.md: "only the licence report is withheld while the current register is
    invalid"): no licence document or figure is written and the index says why in its place.
    """
    chosen = list(scopes) if scopes is not None else default_scopes(register, as_of)
    names = scope_names(register)

    def compute(kind: ReportKind, scope: Scope, period: Period) -> tuple[list[Figure], DocumentContext]:
        rc = report_context(con, register, kind, scope, period, as_of)
        figures = compute_with_context(con, register, rc, mode)
        ctx = from_report_context(rc, mode=mode, names=names, k=k)
        return figures, replace(ctx, export_id=export_id)

    documents = compute_documents(compute, chosen, standard_periods(as_of), as_of,
                                  licence=licence_withheld_reason is None)
    if mode == "published":
        documents = disclose(documents, lambda period_end: hierarchy(register, chosen, period_end), k)
    return write_report_set(documents, reports_root, as_of=as_of, export_id=export_id, formats=formats,
                            workers=workers, mode=mode, licence_withheld_reason=licence_withheld_reason)


def scope_names(register: Register) -> dict[str, str]:
    names = {d.code: d.name for d in register.districts}
    names.update({n.code: n.name for n in register.networks})
    names[register.municipality.code] = register.municipality.name
    return names


def scope_folder(scope: Scope) -> str:
    return scope.code


def compute_documents(compute: ComputeFn, scopes: Sequence[Scope], periods: Mapping[str, Period],
                      as_of: dt.date, *, licence: bool = True) -> list[Document]:
    documents = []
    for scope in scopes:
        for period_name, period in periods.items():
            for kind in (ReportKind.VERKSAMHET, ReportKind.KLIENTGRUPP):
                figures, ctx = compute(kind, scope, period)
                ctx = replace(ctx, period_name=PERIOD_LABELS.get(period_name, ""))
                documents.append(Document(ctx, tuple(figures), scope_folder(scope), period_name))
        if not licence:
            continue
        figures, ctx = compute(ReportKind.LICENS, scope, Period(as_of, as_of))
        documents.append(Document(ctx, tuple(figures), scope_folder(scope), LICENCE_PERIOD_NAME))
    return documents


def hierarchy(register: Register, scopes: Sequence[Scope], period_end: dt.date) -> dict[str, list[str]]:
    """Parent scope → child scopes among those published: a network holds its districts, the
    municipality its networks and the districts in no network."""
    present = {str(s) for s in scopes}
    out: dict[str, list[str]] = {}
    in_network: set[str] = set()
    networks: list[str] = []
    for scope in scopes:
        if scope.level != ScopeLevel.NETWORK:
            continue
        members = register.districts_for_scope(scope, period_end)
        in_network.update(members)
        networks.append(str(scope))
        out[str(scope)] = [str(Scope(ScopeLevel.DISTRICT, d)) for d in members]
    for scope in scopes:
        if scope.level == ScopeLevel.MUNICIPALITY:
            loose = [str(Scope(ScopeLevel.DISTRICT, d.code)) for d in register.districts
                     if d.code not in in_network]
            out[str(scope)] = [*networks, *loose]
    return {parent: children for parent, children in out.items()
            if parent in present and children}


def disclose(documents: Sequence[Document], hierarchy_at: Callable[[dt.date], Mapping[str, Sequence[str]]],
             k: int) -> list[Document]:
    """Disclosure control over every scope of each report and period at once."""
    groups: dict[tuple[str, dt.date, dt.date], list[int]] = {}
    for i, doc in enumerate(documents):
        groups.setdefault((doc.ctx.report.value, doc.ctx.period.start, doc.ctx.period.end), []).append(i)
    out = list(documents)
    for (_, _, period_end), members in groups.items():
        pooled = [f for i in members for f in documents[i].figures]
        published = apply_disclosure(pooled, k, hierarchy=hierarchy_at(period_end))
        by_scope: dict[str, list[Figure]] = {}
        for figure in published:
            by_scope.setdefault(figure.scope, []).append(figure)
        for i in members:
            doc = documents[i]
            figures = tuple(by_scope.get(str(doc.ctx.scope), []))
            out[i] = Document(doc.ctx, figures, doc.folder, doc.period_name, doc.file_stem)
    return out


def render_document(job: RenderJob) -> list[str]:
    """Render one document in the requested formats (runs in a worker: figures only, no database)."""
    doc = job.document
    written = []
    if "html" in job.formats or "pdf" in job.formats:
        page = render_html(doc.figures, doc.ctx)
        if "html" in job.formats:
            (job.folder / f"{doc.stem}.html").write_text(page, encoding="utf-8")
            written.append(f"{doc.stem}.html")
        if "pdf" in job.formats:
            from bbic_core.documents.pdf import render_pdf  # WeasyPrint takes seconds to load: only for PDFs

            render_pdf(page, job.folder / f"{doc.stem}.pdf")
            written.append(f"{doc.stem}.pdf")
    if "xlsx" in job.formats:
        write_excel(doc.figures, doc.ctx, job.folder / f"{doc.stem}.xlsx")
        written.append(f"{doc.stem}.xlsx")
    return written


def write_report_set(documents: Sequence[Document], reports_root: Path, *, as_of: dt.date, export_id: str,
                     formats: Sequence[str] = FORMATS, workers: int = 2, mode: Mode = "internal",
                     progress: Callable[[str], None] | None = None,
                     licence_withheld_reason: str | None = None) -> Path:
    """Write rendered documents, the per-scope `figures.csv` and the index; swap the set into place."""
    if licence_withheld_reason is not None:
        documents = [d for d in documents if d.ctx.report != ReportKind.LICENS]
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


def _run(jobs: Sequence[RenderJob], workers: int, progress: Callable[[str], None] | None) -> None:
    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            render_document(job)
            if progress:
                progress(job.document.stem)
        return
    # spawn, not fork: the parent holds a DuckDB connection and its threads
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
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
        reports=[ReportKind.VERKSAMHET, ReportKind.KLIENTGRUPP, ReportKind.LICENS],
        licence_notice=notice,
    )
    (folder / "index.html").write_text(page, encoding="utf-8")


def _css() -> object:
    from markupsafe import Markup

    return Markup(stylesheet())
