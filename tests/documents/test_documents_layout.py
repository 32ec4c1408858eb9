"""What a reader sees on the page: B4.placeringar's cross-table, the charts' axes and captions, the
licence report's summary box, the archive index on A4, and the licence check withheld."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import duckdb
import openpyxl
import pytest
from documents_samples import AS_OF, PERIOD, context, follow_up_figures, licence_figures
from layout_boxes import overflow
from test_documents_render import visible_text

from bbic_core.documents import report_set
from bbic_core.documents.charts import count_ticks, render_chart
from bbic_core.documents.excel import write_excel
from bbic_core.documents.html import render_html
from bbic_core.documents.labels import NBSP
from bbic_core.documents.tables import ChartData
from bbic_core.figures import create_snapshot_schema
from bbic_core.figures.figure import Figure, ReportKind
from bbic_core.register import load_register, sample_register_dir
from bbic_core.scopes import Scope, ScopeLevel

# --- B4.placeringar: the pairs that occur and the grand total --------------------------------------------

# In the order a computation may give them: LVU 6 § before SoL, LVU 3 § before LVU 2 §.
PLACEMENTS = {
    "insatstyp=ALL&lagrum=ALL": "86",
    "insatstyp=JOURHEM&lagrum=LVU_6": "10",
    "insatstyp=HVB&lagrum=LVU_3": "1",
    "insatstyp=FAMILJEHEM&lagrum=LVU_3": "4",
    "insatstyp=FAMILJEHEM&lagrum=SOL": "14",
    "insatstyp=HVB&lagrum=LVU_2": "3",
    "insatstyp=JOURHEM&lagrum=SOL": "54",
}


def _placement_figures() -> list[Figure]:
    others = [f for f in follow_up_figures(ReportKind.KLIENTGRUPP, scopes=["bromma"])
              if f.measure != "B4.placeringar"]
    return others + [Figure("klientgrupp", "stadsdel:bromma", PERIOD.start, PERIOD.end, AS_OF,
                            "B4.placeringar", b, v) for b, v in PLACEMENTS.items()]


def _block(page: str, heading: str) -> str:
    start = page.index(f"<h3>{heading}</h3>")
    return page[start:page.index("</section>", start)]


def test_placements_cross_table_has_no_margins_and_code_list_columns() -> None:
    page = render_html(_placement_figures(), context(ReportKind.KLIENTGRUPP, "bromma"))
    block = _block(page, "Pågående placeringar efter insatstyp och lagrum")
    headers = re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', block)
    assert headers == ["Insatstyp", "SoL", "LVU 2 §", "LVU 3 §", "LVU 6 §"]  # code-list order, short
    assert 'title="LVU 6 § (omedelbart omhändertagande)">LVU 6 §</th>' in block
    text = visible_text(block)
    assert "LVU 6 §: omedelbart omhändertagande." in text  # the long label as a footnote
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", block, re.S)[1:]
    labels = [visible_text(r).split(" ")[0] for r in rows]
    assert labels == ["Familjehem", "Jourhem", "Hem"]  # code-list order, and no "Totalt" row
    assert "Totalt: 86" in text
    assert visible_text(rows[1]) == "Jourhem 54 · · 10"


def test_placements_total_in_excel_above_the_table(tmp_path: Path) -> None:
    target = tmp_path / "k.xlsx"
    write_excel(_placement_figures(), context(ReportKind.KLIENTGRUPP, "bromma"), target)
    sheet = openpyxl.load_workbook(target)["B4.placeringar"]
    assert [c.value for c in sheet[2]][:2] == ["Totalt", 86]
    assert [c.value for c in sheet[3]] == ["Insatstyp", "SoL", "LVU 2 §", "LVU 3 §", "LVU 6 §"]
    assert "Totalt" not in [row[0] for row in sheet.iter_rows(min_row=4, values_only=True)]


def test_cross_table_with_full_margins_keeps_its_total_row() -> None:
    text = visible_text(render_html(follow_up_figures(ReportKind.KLIENTGRUPP, scopes=["bromma"]),
                                    context(ReportKind.KLIENTGRUPP, "bromma")))
    assert re.search(r"Totalt \d+ \d+ \d+ \d+", text)  # B1 age × sex: its margins are figures


# --- charts -------------------------------------------------------------------------------------------

def _texts(svg: str) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg)


def test_count_ticks_are_whole_numbers() -> None:
    assert count_ticks([1, 2, 3]) == [0, 1, 2, 3]
    assert count_ticks([0, None]) == [0, 1]
    assert count_ticks([7]) == [0, 2, 4, 6, 8]
    assert count_ticks([13]) == [0, 5, 10, 15]
    assert count_ticks([12_345]) == [0, 5000, 10_000, 15_000]


def test_count_charts_have_whole_swedish_ticks() -> None:
    small = render_chart(ChartData("A1.aktualiseringar_manad", "t", ["jan 2025", "feb 2025", "mar 2025"],
                                   [("Aktualiseringar", [1.0, 2.0, 3.0])], "bar"), "c1")
    assert [t for t in _texts(small) if not t.endswith("2025")] == ["0", "1", "2", "3"]
    big = render_chart(ChartData("A4.utr_inledda_manad", "t", ["jan 2025"], [("x", [12_345.0])], "bar"), "c2")
    assert f"10{NBSP}000" in _texts(big) and not [t for t in _texts(big) if "." in t]
    spread = render_chart(ChartData("A5.utr_tid_fordelning", "t", ["0 mån", "3 mån", "4 mån", "6+ mån"],
                                    [("0", [1.0]), ("3", [2.0]), ("4", [3.0]), ("6+", [1.0])],
                                    "time_distribution"), "c3")
    ticks = [t for t in _texts(spread) if re.fullmatch(r"[\d,\s\u00a0]+", t)]
    assert ticks == ["0", "1", "2", "3"]
    assert "Inom 4 mån" in _texts(spread) and "Över 4 mån" in _texts(spread)


def test_needs_chart_leaves_room_for_the_last_label() -> None:
    svg = render_chart(ChartData("B3.behov", "t", ["Hälsa", "Utbildning"], [("Andel", [100.0, 40.0])],
                                 "needs"), "c1")
    width = float(re.search(r'<svg[^>]* width="([\d.]+)"', svg).group(1))  # type: ignore[union-attr]
    left = float(re.search(r'translate\(([\d.]+), [\d.]+\)" class="plot"', svg).group(1))  # type: ignore[union-attr]
    x = float(re.search(r'<text x="([\d.]+)"[^>]*>100,0 %</text>', svg).group(1))  # type: ignore[union-attr]
    half = len("100,0 %") * 12 * 0.65 / 2  # DejaVu Sans at 12 px, generously
    assert left + x + half <= width


def _caption(figures: list[Figure]) -> str:
    page = render_html(figures, context(ReportKind.VERKSAMHET, "bromma"))
    block = _block(page, "Diagram: Avslutade utredningar efter utredningstid i hela månader")
    found = re.search(r"<figcaption>(.*?)</figcaption>", block)
    assert found is not None
    return found.group(1)


def test_time_distribution_caption_counts_beyond_four_months() -> None:
    figures = follow_up_figures(ReportKind.VERKSAMHET, scopes=["bromma"])
    spread = {f.breakdown: int(f.value) for f in figures if f.measure == "A5.utr_tid_fordelning"}
    bars = sum(n for b, n in spread.items() if b in ("manader=4", "manader=5", "manader=6+"))
    total = sum(spread.values())
    assert bars > 2
    # A5.utr_inom_4man of another set of investigations (the samples are random): the bars are counted
    assert _caption(figures).startswith(f"Över 4 mån: {bars} av {total} avslutade utredningar tog fyra hela "
                                        "månader eller mer")
    # The same investigations: two of the "4 mån" bar closed on the day four months had passed (in time).
    within = [dataclasses.replace(f, numerator=str(total - bars + 2), denominator=str(total))
              if f.measure == "A5.utr_inom_4man" else f for f in figures]
    caption = _caption(within)
    assert caption.startswith(f"Över 4 mån: {bars - 2} av {total} avslutade utredningar tog mer än fyra "
                              "månader (lagens gräns).")
    assert "stapeln ”4 mån” rymmer också 2 som avslutades på dagen då fyra månader hade gått" in caption


# --- the licence report's summary box -----------------------------------------------------------------

def _trial_warning(figures: list[Figure], district: str, scope: str) -> list[Figure]:
    values = {"uppgift=dagar_kvar": "52", "uppgift=varning": "J"}
    out = []
    for f in figures:
        if f.measure == "C1.provolicens_slut" and f.breakdown.startswith(f"stadsdel={district}"):
            sub = f.breakdown.partition("&")[2]
            f = dataclasses.replace(f, value=values.get(sub, "2025-07-22" if not sub else f.value))
        out.append(dataclasses.replace(f, scope=scope))
    return out


def _summary_box(page: str) -> str:
    start = page.index('<section class="summary')
    return visible_text(page[start:page.index("</section>", start)])


def test_single_district_summary_warns_and_shows_each_requirement() -> None:
    figures = [f for f in licence_figures("vasterort") if "stadsdel=rinkeby_kista" in f.breakdown]
    figures = _trial_warning(figures, "rinkeby_kista", "stadsdel:rinkeby_kista")
    box = _summary_box(render_html(figures, context(ReportKind.LICENS, "rinkeby_kista")))
    assert box.startswith("I korthet ⚠ Prövolicensen upphör 2025-07-22 (om 52 dagar) och ansökan om licens "
                          "är inte skickad")
    assert "R1 Licens ✔ Uppfyllt" in box and "R4 Grundutbildning ✘ Ej uppfyllt" in box
    assert "R5 BBIC-formulären ✔ Uppfyllt" in box and "✘ Ej uppfyllt Rinkeby-Kista: samtliga krav" in box


def test_district_without_warning_has_no_warning_line() -> None:
    box = _summary_box(render_html(licence_figures("bromma"), context(ReportKind.LICENS, "bromma")))
    assert "⚠" not in box and "Prövolicensen" not in box and "R3 Lokal utbildare ✔ Uppfyllt" in box


def test_network_and_city_summary_count_districts_meeting_all() -> None:
    figures = _trial_warning(licence_figures("vasterort"), "rinkeby_kista", "natverk:vasterort")
    box = _summary_box(render_html(figures, context(ReportKind.LICENS, "vasterort")))
    assert "1 av 2 stadsdelar uppfyller samtliga krav" in box
    assert "Rinkeby-Kista: Prövolicensen upphör 2025-07-22 (om 52 dagar)" in box
    assert "R1 Licens" not in box  # per district in the summary table, not in the box
    city = _summary_box(render_html(licence_figures("0180"), context(ReportKind.LICENS, "0180")))
    assert "1 av 4 stadsdelar uppfyller samtliga krav" in city and "⚠" not in city


# --- the archive index on paper, and the licence check withheld ----------------------------------------

def _con(as_of: dt.date) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    create_snapshot_schema(con)
    con.execute("DELETE FROM snapshot_meta")
    con.execute("INSERT INTO snapshot_meta VALUES ('exp-0180-1', '0180', now(), ?, now())", [as_of])
    return con


def test_index_fits_a4_in_print(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    register = load_register(sample_register_dir())
    monkeypatch.setattr(report_set, "_run", lambda *args: None)  # the index links all formats; none rendered
    con = _con(dt.date(2025, 5, 31))
    try:
        day = report_set.render_standard_set(con, register, tmp_path, as_of=dt.date(2025, 5, 31),
                                          export_id="paraply-0180-20250531-0200", workers=1)
    finally:
        con.close()
    page = (day / "index.html").read_text(encoding="utf-8")
    scopes = report_set.default_scopes(register, dt.date(2025, 5, 31))
    # a district: reports 1–2 for three periods, the licence check, two years' reports; a network and
    # the city also the comparison for three periods
    districts = sum(s.level == ScopeLevel.DISTRICT for s in scopes)
    assert page.count(">Excel</a>") == 9 * districts + 12 * (len(scopes) - districts)
    assert "size: A4 landscape" in page
    assert overflow(page) == []


def test_withheld_licence_check_is_not_written_and_the_index_says_why(tmp_path: Path) -> None:
    register = load_register(sample_register_dir())
    con = _con(dt.date(2025, 5, 31))
    reason = "organisation.yaml:12: districts[3].licenser[0].typ: 'LICENSE' is not one of INGEN, …"
    scopes = [Scope(ScopeLevel.MUNICIPALITY, "0180"), Scope(ScopeLevel.DISTRICT, "bromma")]
    try:
        day = report_set.render_standard_set(con, register, tmp_path, as_of=dt.date(2025, 5, 31),
                                          export_id="e1", formats=("html", "csv"), scopes=scopes,
                                          workers=1, licence_withheld_reason=reason)
    finally:
        con.close()
    for folder in ("0180", "bromma"):
        names = {p.name for p in (day / folder).iterdir()}
        assert names and not [n for n in names if n.startswith("licens")]
        assert "verksamhet_year_to_date.html" in names
        assert "\nlicens;" not in (day / folder / "figures.csv").read_text(encoding="utf-8")
    index = visible_text((day / "index.html").read_text(encoding="utf-8"))
    assert ("⚠ Licenskontrollen hålls inne: registret (organisation och utbildning) kunde inte läsas "
            f"({reason})") in index
    assert index.count("Licenskontrollen hålls inne: registret kunde inte läsas (se ovan).") == 2
    assert "Kontrolldag" not in index
