"""Reports made on request from the current snapshot by the same library as the nightly set.

A published document is disclosure-controlled together with every other scope of the day (as the
archive and `bbic report` publish it), so the same cells are hidden wherever it is made. Results
are cached on disk by their parameters and the snapshot's export id: a new export makes new files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from bbic_core.documents.report_set import (
    Document,
    RenderJob,
    documents_of,
    render_document,
    year_before_requests,
)
from bbic_core.figures import (
    Figure,
    ReportKind,
    ReportRequest,
    ReportStore,
    default_scopes,
    produce_reports,
    write_figures_csv,
)
from bbic_core.figures.disclosure import DEFAULT_K
from bbic_core.register import Register
from bbic_core.scopes import Period, Scope
from bbic_portal.snapshot import Snapshot

Mode = Literal["internal", "published"]
FORMATS = ("html", "pdf", "xlsx", "csv")


@dataclass(frozen=True)
class Request:
    scope: Scope
    report: ReportKind
    period: Period  # ignored for the licence check (its window ends on as_of)
    as_of: dt.date | None  # the licence check's day D; None: the export's as-of date
    mode: Mode
    format: str

    def key(self, export_id: str) -> str:
        text = json.dumps(
            [
                export_id,
                str(self.scope),
                self.report.value,
                self.period.start.isoformat(),
                self.period.end.isoformat(),
                self.as_of.isoformat() if self.as_of else "",
                self.mode,
            ],
            separators=(",", ":"),
        )
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]

    @property
    def stem(self) -> str:
        if self.report == ReportKind.LICENS:
            day = self.as_of.isoformat() if self.as_of else "exportdag"
            return f"licens_{self.scope.code}_{day}_{self.mode}"
        return (
            f"{self.report.value}_{self.scope.code}_{self.period.start.isoformat()}_"
            f"{self.period.end.isoformat()}_{self.mode}"
        )


@dataclass(frozen=True)
class Made:
    path: Path
    filename: str
    export_id: str
    as_of: dt.date  # the report's as-of date (the licence check's D)
    period: Period


class Maker:
    def __init__(self, snapshot: Snapshot, cache_dir: Path, k: int = DEFAULT_K) -> None:
        self.snapshot = snapshot
        self.folder = cache_dir / "reports"
        self.k = k
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def _lock(self, key: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())

    def make(self, request: Request, register: Register) -> Made:
        with self.snapshot.connect() as (con, current):
            key = request.key(current.export_id)
            folder = self.folder / key
            filename = f"{request.stem}.{request.format}"
            target = folder / filename
            with self._lock(key):
                if not target.exists():
                    document = self._document(con, current.export_id, current.as_of, request, register)
                    self._render(document, folder, request.format)
                    (folder / "meta.json").write_text(
                        json.dumps(
                            {
                                "as_of": document.ctx.as_of.isoformat(),
                                "from": document.ctx.period.start.isoformat(),
                                "to": document.ctx.period.end.isoformat(),
                            }
                        ),
                        encoding="utf-8",
                    )
            meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
            return Made(
                target,
                filename,
                current.export_id,
                dt.date.fromisoformat(meta["as_of"]),
                Period(dt.date.fromisoformat(meta["from"]), dt.date.fromisoformat(meta["to"])),
            )

    def figures(self, request: Request, register: Register) -> tuple[list[Figure], str, dt.date]:
        """The figures alone (for the portal's own tables), not cached on disk."""
        with self.snapshot.connect() as (con, current):
            document = self._document(con, current.export_id, current.as_of, request, register)
            return list(document.figures), current.export_id, current.as_of

    def _document(
        self, con: object, export_id: str, export_as_of: dt.date, request: Request, register: Register
    ) -> Document:
        import duckdb

        assert isinstance(con, duckdb.DuckDBPyConnection)
        a = request.as_of or export_as_of
        licence = request.report == ReportKind.LICENS
        period = Period(a, a) if licence else request.period
        on = a if licence else request.period.end
        # published: suppressed together with every scope published that day, as the archive does
        published = default_scopes(register, on)
        if request.scope not in published:
            published.append(request.scope)
        store = ReportStore(con, register, k=self.k, published_scopes=published)
        wanted = [ReportRequest(request.report, request.scope, period)]
        produced = produce_reports(con, register, wanted, mode=request.mode, store=store)
        earlier = produce_reports(con, register, year_before_requests(wanted, store.as_of), mode=request.mode,
                                  store=store)
        documents = documents_of(produced, earlier, register, mode=request.mode, k=self.k,
                                 export_id=export_id)
        return replace(documents[0], file_stem=request.stem)

    def _render(self, document: Document, folder: Path, fmt: str) -> None:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        if fmt == "csv":
            partial = folder / f".{document.stem}.csv.part"
            write_figures_csv(list(document.figures), partial)
            os.replace(partial, folder / f"{document.stem}.csv")
            return
        # rendered into a private folder, then renamed: a reader never sees half a file
        work = folder / f".work-{threading.get_ident()}"
        work.mkdir(exist_ok=True)
        for name in render_document(RenderJob(document, work, (fmt,))):
            os.replace(work / name, folder / name)
        work.rmdir()
