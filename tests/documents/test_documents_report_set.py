"""The report archive and `bbic report`, over an (empty) snapshot and the built-in register."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from documents_samples import context, follow_up_figures, licence_figures
from pypdf import PdfReader
from typer.testing import CliRunner

from bbic_cli.main import app
from bbic_core.documents import report_set
from bbic_core.figures import create_snapshot_schema, read_figures_csv
from bbic_core.figures.figure import ReportKind
from bbic_core.register import Register, load_register, sample_register_dir
from bbic_core.scopes import Scope, ScopeLevel

AS_OF = dt.date(2025, 5, 31)
SCOPES = [Scope(ScopeLevel.MUNICIPALITY, "0180"), Scope(ScopeLevel.NETWORK, "vasterort"),
          Scope(ScopeLevel.DISTRICT, "bromma")]
PERIOD_NAMES = ("year_to_date", "previous_year", "latest_tertial")
STEMS = ({f"{r}_{p}" for r in ("verksamhet", "klientgrupp") for p in PERIOD_NAMES} | {"licens_kontrolldag"}
         | {"arsrapport_previous_year", "arsrapport_current_year"})
# the comparison is made for the municipality and each network, not for a single district
COMPARISON_STEMS = {f"jamforelse_{p}" for p in PERIOD_NAMES}


def snapshot(con: duckdb.DuckDBPyConnection, as_of: dt.date = AS_OF) -> None:
    create_snapshot_schema(con)
    con.execute("DELETE FROM snapshot_meta")
    con.execute("INSERT INTO snapshot_meta VALUES ('exp-0180-1', '0180', now(), ?, now())", [as_of])


@pytest.fixture(scope="module")
def register() -> Register:
    return load_register(sample_register_dir())


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    snapshot(connection)
    yield connection
    connection.close()


def test_standard_set_layout_index_and_latest(con: duckdb.DuckDBPyConnection, register: Register,
                                              tmp_path: Path) -> None:
    root = tmp_path / "REPORTS"
    day = report_set.render_standard_set(con, register, root, as_of=AS_OF, export_id="exp-0180-1",
                                      formats=("html", "xlsx", "csv"), mode="published", scopes=SCOPES,
                                      workers=1)
    assert day == root / "2025-05-31"
    for folder in ("0180", "vasterort", "bromma"):
        stems = STEMS | (COMPARISON_STEMS if folder != "bromma" else set())
        names = {p.name for p in (day / folder).iterdir()}
        assert names == {f"{s}.{ext}" for s in stems for ext in ("html", "xlsx")} | {"figures.csv"}
        figures = read_figures_csv(day / folder / "figures.csv")
        reports = {"verksamhet", "klientgrupp", "licens", "arsrapport"}
        assert {f.report for f in figures} == reports | ({"jamforelse"} if folder != "bromma" else set())
        assert {f.scope for f in figures} == {str(next(s for s in SCOPES if s.code == folder))}
    page = (day / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'href="([^"]+)"', page)
    assert len(links) == 2 * (12 * 2 + 1) + (9 * 2 + 1)  # html and xlsx of each document, figures.csv
    assert all((day / link).is_file() for link in links)
    for heading in ("Kommunen", "Nätverk", "Stadsdelar", "Västerort", "Bromma", "Hittills i år",
                    "Senaste hela tertialet", "Licenskontroll", "Publicerad – röjandekontroll tillämpad"):
        assert heading in page
    assert (root / "latest").resolve() == day.resolve()
    assert not [p for p in root.iterdir() if p.name.startswith(".")]  # no staging left behind
    bromma = (day / "bromma" / "verksamhet_previous_year.html").read_text(encoding="utf-8")
    assert "Föregående år: 2024-01-01 – 2024-12-31" in bromma and "Stadsdel Bromma" in bromma


def test_newer_set_moves_latest_and_failed_set_keeps_the_good_one(
        con: duckdb.DuckDBPyConnection, register: Register, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "REPORTS"
    one = [Scope(ScopeLevel.DISTRICT, "bromma")]
    first = report_set.render_standard_set(con, register, root, as_of=AS_OF, export_id="e1", formats=("csv",),
                                        scopes=one, workers=1)
    later = dt.date(2025, 6, 30)
    snapshot(con, later)
    second = report_set.render_standard_set(con, register, root, as_of=later, export_id="e2",
                                            formats=("csv",), scopes=one, workers=1)
    assert (root / "latest").resolve() == second.resolve()
    # re-rendering an older day leaves `latest` on the newest
    report_set.render_standard_set(con, register, root, as_of=AS_OF, export_id="e1", formats=("csv",),
                                scopes=one, workers=1)
    assert (root / "latest").resolve() == second.resolve()
    before = {p.name: p.read_bytes() for p in (second / "bromma").iterdir()}

    def broken(job: report_set.RenderJob) -> list[str]:
        raise RuntimeError("disk full")

    monkeypatch.setattr(report_set, "render_document", broken)
    with pytest.raises(RuntimeError):
        report_set.render_standard_set(con, register, root, as_of=later, export_id="e3", formats=("html",),
                                    scopes=one, workers=1)
    assert {p.name: p.read_bytes() for p in (second / "bromma").iterdir()} == before
    assert sorted(p.name for p in root.iterdir()) == ["2025-05-31", "2025-06-30", "latest"]
    assert first.is_dir()


def test_pdfs_rendered_on_two_workers(tmp_path: Path) -> None:
    """The worker pool renders from figures only (no database in the workers)."""
    documents = [
        report_set.Document(context(ReportKind.LICENS, "vasterort"), tuple(licence_figures("vasterort")),
                         "vasterort", "kontrolldag"),
        report_set.Document(context(ReportKind.KLIENTGRUPP, "bromma"),
                         tuple(follow_up_figures(ReportKind.KLIENTGRUPP, scopes=["bromma"])), "bromma",
                         "year_to_date"),
    ]
    day = report_set.write_report_set(documents, tmp_path, as_of=AS_OF, export_id="exp",
                                      formats=("pdf", "csv"), workers=2)
    text = PdfReader(day / "vasterort" / "licens_kontrolldag.pdf").pages[0].extract_text()
    assert "Västerort" in text and "sida 1 av" in text and "Licenskontroll" in text
    reader = PdfReader(day / "bromma" / "klientgrupp_year_to_date.pdf")
    assert "Klientgruppen" in reader.pages[0].extract_text() and len(reader.pages) > 2
    assert (tmp_path / "latest").resolve() == day.resolve()


def test_hierarchy_from_register(register: Register) -> None:
    tree = report_set.hierarchy(register, [*SCOPES, Scope(ScopeLevel.DISTRICT, "rinkeby_kista")], AS_OF)
    assert tree["natverk:vasterort"] == ["stadsdel:rinkeby_kista", "stadsdel:spanga_tensta",
                                         "stadsdel:hasselby_vallingby", "stadsdel:bromma"]
    assert "natverk:vasterort" in tree["kommun:0180"]


# --- bbic report --------------------------------------------------------------------------------------

@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    path = tmp_path / "bbic.duckdb"
    connection = duckdb.connect(str(path))
    snapshot(connection)
    connection.close()
    return path


def test_cli_report_writes_the_documents(db_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "ut"
    result = CliRunner().invoke(app, ["report", "--scope", "bromma", "--period", "2025-T1",
                                      "--format", "html,xlsx,csv", "--db", str(db_file),
                                      "--register", str(sample_register_dir()), "--out", str(out)])
    assert result.exit_code == 0, result.output
    names = {p.name for p in out.iterdir()}
    assert names == {"verksamhet_bromma_2025-T1.html", "verksamhet_bromma_2025-T1.xlsx",
                     "klientgrupp_bromma_2025-T1.html", "klientgrupp_bromma_2025-T1.xlsx",
                     "licens_bromma_2025-05-31.html", "licens_bromma_2025-05-31.xlsx", "figures.csv"}
    for name in names:
        assert str(out / name) in result.stdout
    page = (out / "verksamhet_bromma_2025-T1.html").read_text(encoding="utf-8")
    assert "2025-01-01 – 2025-04-30" in page and "exp-0180-1" in page
    reports = {f.report for f in read_figures_csv(out / "figures.csv")}
    assert reports == {"verksamhet", "klientgrupp", "licens"}


def test_cli_report_published_network(db_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BBIC_DUCKDB_PATH", str(db_file))
    monkeypatch.setenv("BBIC_REGISTER_DIR", str(sample_register_dir()))
    out = tmp_path / "pub"
    result = CliRunner().invoke(app, ["report", "--scope", "vasterort", "--from", "2025-01-01",
                                      "--to", "2025-03-31", "--kind", "verksamhet", "--format", "html",
                                      "--mode", "published", "--out", str(out)])
    assert result.exit_code == 0, result.output
    page = (out / "verksamhet_vasterort_2025-Q1.html").read_text(encoding="utf-8")
    assert "Publicerad – röjandekontroll tillämpad" in page and "Nätverk Västerort" in page


@pytest.mark.parametrize(("args", "message"), [
    (["--scope", "atlantis"], "unknown scope 'atlantis'"),
    (["--scope", "bromma", "--from", "2025-01-01"], "--from and --to go together"),
    (["--scope", "bromma", "--format", "docx"], "--format"),
    (["--scope", "bromma", "--kind", "alla"], "--kind"),
])
def test_cli_report_usage_errors(db_file: Path, tmp_path: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["report", *args, "--db", str(db_file), "--register",
                                      str(sample_register_dir()), "--out", str(tmp_path / "x")])
    assert result.exit_code == 1
    assert message in result.output
