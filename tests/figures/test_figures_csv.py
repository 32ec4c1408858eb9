from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
from figures_fixture import A

from bbic_core.figures import compute_report, read_figures_csv, write_figures_csv
from bbic_core.figures.figure import FIGURES_CSV_COLUMNS, Figure, ReportKind
from bbic_core.figures.periods import parse_period
from bbic_core.register import Register
from bbic_core.scopes import Scope, ScopeLevel

D = dt.date(2025, 6, 15)


def fig(measure: str, breakdown: str, value: str, num: str = "", den: str = "") -> Figure:
    return Figure("licens", "kommun:0999", dt.date(2024, 6, 16), D, D, measure, breakdown, value, num, den)


def test_round_trip_with_quoting(tmp_path: Path) -> None:
    figures = [
        fig("C6.underlicenser", 'stadsdel=norr&enhet=Hem "Solsidan"; Älvsjö', "1"),
        fig("C6.underlicenser", "stadsdel=norr&enhet=Två\nrader", "1"),
        fig("C4.anvandare_utbildade", "stadsdel=norr", "75.0", "3", "4"),
        fig("C4.anvandare_utbildade", "stadsdel=ost", "", "0", "0"),
        fig("C.krav", "stadsdel=norr&krav=ALL", "EJ_UPPFYLLT"),
        fig("C4.anvandare", "stadsdel=norr", ".."),
    ]
    path = tmp_path / "figures.csv"
    write_figures_csv(figures, path)
    assert read_figures_csv(path) == figures
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8")
    lines = text.split("\r\n")
    assert lines[0] == ";".join(FIGURES_CSV_COLUMNS)
    assert lines[1] == ('licens;kommun:0999;2024-06-16;2025-06-15;2025-06-15;C6.underlicenser;'
                        '"stadsdel=norr&enhet=Hem ""Solsidan""; Älvsjö";1;;')
    assert 'enhet=Två\nrader"' in text  # a quoted line break stays inside its field
    assert "C4.anvandare_utbildade;stadsdel=ost;;0;0" in text


def test_reads_a_bom_and_refuses_another_header(tmp_path: Path) -> None:
    path = tmp_path / "figures.csv"
    write_figures_csv([fig("C4.anvandare", "stadsdel=norr", "4")], path)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert read_figures_csv(path)[0].value == "4"
    path.write_text("a;b\n1;2\n", encoding="utf-8")
    with pytest.raises(ValueError, match="header"):
        read_figures_csv(path)


def test_round_trip_of_a_whole_report(con: duckdb.DuckDBPyConnection, register: Register,
                                      tmp_path: Path) -> None:
    figures = compute_report(con, register, ReportKind.KLIENTGRUPP, Scope(ScopeLevel.DISTRICT, "norr"),
                             parse_period("2025-H1", A))
    path = tmp_path / "figures.csv"
    write_figures_csv(figures, path)
    assert read_figures_csv(path) == figures
    assert all("," not in f.value for f in figures)  # "." is the decimal point
