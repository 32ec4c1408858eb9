"""Row faults of the contract, injected at a rate and recorded so that tests can find each one.

`RATE` is the share of a file's rows that get a fault, spread evenly over the fault kinds that
file carries (at least one of each kind). With RATE ≤ 0.01 every file stays far below X008's
5 % of error rows; a rate per kind would put files with seven kinds of error over it.

Each fault sits on a row of a child that carries no other fault, and mostly on rows that nothing
references, so that one fault does not hide another; the V005 cascade of a quarantined row
(which X008 does not count) is left to happen where the kind needs it (V013, V031, V032).
The record is the file, the line where the row starts (header = line 1) and the expected code.
The export also gets the reader's harder cases: a quoted `;`, a quoted line break and non-ASCII
text (in an unknown column, V050), CRLF line ends (dokument.csv), an empty line (barn.csv) and a
UTF-8 BOM (personal.csv, in UTF-8 exports).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from bbic_core import codes
from bbic_core.synth.cases import (
    ANMALARE,
    PLACEMENT,
    R_INSATS,
    T_ANMALAN,
    World,
)
from bbic_core.synth.frame import CodeCol, DateCol, Frame, IdCol, Ints
from bbic_core.synth.staff import Staff
from bbic_core.synth.tables import Tables
from bbic_core.synth.vdates import NULL_DAY

I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]

FILE_KINDS: dict[str, tuple[str, ...]] = {
    "barn": ("V010", "V011", "V012", "V013", "V014"),
    "aktualisering": ("V002", "V003", "V015", "V016", "V020", "V023", "V024", "V030", "V033", "V034", "V037"),
    "utredning": ("V031",),
    "utredning_bedomning": ("V004W", "V036"),
    "insats": ("V032",),
    "dokument": ("V001", "V004", "V005", "V006", "V021", "V022", "V035"),
}
ALL_KINDS: tuple[str, ...] = (*(k for kinds in FILE_KINDS.values() for k in kinds), "V050")
UNKNOWN_COLUMN = "kommentar"
UNKNOWN_USER = "OKAND99"
_COMMENTS = ("Överförd från annan stadsdel; se journal", "Rad ett\nrad två", 'Citat: "så här"')
_DUTY = np.array([c in codes.DUTY_TO_REPORT for c in ANMALARE])
_OTHER_VERSION_AREA = ("BU_SOCIALA_RELATIONER", "BB_IDENTITET")  # for a 2006 / a 2016 investigation


def _date(d: int) -> str:
    return str(np.datetime64(int(d), "D"))


class _Picker:
    """Chooses rows for faults so that no child carries two."""

    def __init__(self, n_children: int, rng: np.random.Generator) -> None:
        self.used = np.zeros(n_children, bool)
        self.rng = rng

    def pick(self, frame: Frame, candidates: B | I64, n: int) -> I64:
        rows = np.nonzero(candidates)[0] if candidates.dtype == bool else np.asarray(candidates, np.int64)
        rows = rows[~self.used[frame.child[rows]]]
        if not len(rows) or n <= 0:
            return np.zeros(0, np.int64)
        # A random sample a few times larger than needed is enough (faults are rare): shuffling all
        # candidates would cost a sort of millions of rows per fault kind at sweden-10y.
        sample = min(len(rows), 4 * n + 64)
        rows = rows[self.rng.choice(len(rows), size=sample, replace=False)] if sample < len(rows) else rows[
            self.rng.permutation(len(rows))]
        _, first = np.unique(frame.child[rows], return_index=True)
        chosen = np.sort(rows[np.sort(first)][:n])
        self.used[frame.child[chosen]] = True
        return chosen.astype(np.int64)

    def claim(self, children: I64) -> None:
        self.used[children] = True

    def try_pick(self, below: int, ok: Callable[[int], bool], tries: int = 50) -> int | None:
        """A random index in [0, below) that passes `ok`, or None after `tries` misses (rows are plenty)."""
        for _ in range(tries if below > 0 else 0):
            cand = int(self.rng.integers(0, below))
            if ok(cand):
                return cand
        return None


def inject(tables: Tables, world: World, staff: Staff, *, rate: float, as_of: int, encoding: str,
           rng: np.random.Generator) -> list[dict[str, object]]:
    f = tables.frames
    picker = _Picker(len(world.birth), rng)
    marks: list[tuple[str, int, str, str]] = []  # (table, row, code, column)

    def count(table: str) -> int:
        return max(1, int(rate * len(f[table]) / len(FILE_KINDS[table])))

    def mark(table: str, rows: I64, code: str, column: str) -> None:
        marks.extend((table, int(r), code, column) for r in rows.tolist())

    _barn(f["barn"], tables, world, picker, count("barn"), mark)
    _akt(f["aktualisering"], tables, world, picker, count("aktualisering"), as_of, mark)
    _utredning(f["utredning"], tables, world, picker, count("utredning"), mark)
    _bedomning(f["utredning_bedomning"], tables, world, picker, count("utredning_bedomning"), mark)
    _insats(f["insats"], tables, world, picker, count("insats"), mark)
    _dokument(f["dokument"], picker, count("dokument"), as_of, rng, mark)
    # The reader's harder cases.
    akt = f["aktualisering"]
    rows = rng.choice(len(akt), size=min(len(_COMMENTS), len(akt)), replace=False)
    akt.extra_columns[UNKNOWN_COLUMN] = {int(r): _COMMENTS[i] for i, r in enumerate(sorted(rows.tolist()))}
    marks.append(("aktualisering", -1, "V050", UNKNOWN_COLUMN))
    if len(f["barn"]) >= 2:
        f["barn"].blank_line_after = len(f["barn"]) // 2
    f["dokument"].crlf = True
    f["personal"].bom = encoding == "utf-8"
    lines = {name: frame.lines() for name, frame in f.items()}
    out = [
        {"file": f[t].name, "line": 1 if r < 0 else int(lines[t][r]), "code": code, "column": col}
        for t, r, code, col in marks
    ]
    order = {name: i for i, name in enumerate(f)}
    out.sort(key=lambda d: (order[str(d["file"]).removesuffix(".csv")], d["line"], d["code"]))
    return out


Mark = Callable[[str, I64, str, str], None]  # (table, rows, code, column)


def _barn(fr_: Frame, t: Tables, w: World, p: _Picker, n: int, mark: Mark) -> None:
    m = mark
    valid = t.pnr_valid
    rows = p.pick(fr_, np.ones(len(fr_), bool), n)  # V013
    for r in rows.tolist():
        fr_.set("personnummer", r, "")
        fr_.set("fodelsedatum", r, "")
    m("barn", rows, "V013", "personnummer")
    rows = p.pick(fr_, valid & t.fodelse_shown, n)  # V010: a wrong check digit
    for r in rows.tolist():
        text = fr_.text("personnummer", r)
        fr_.set("personnummer", r, text[:-1] + str((int(text[-1]) + 1) % 10))
    m("barn", rows, "V010", "personnummer")
    rows = p.pick(fr_, valid, n)  # V011
    for r in rows.tolist():
        fr_.set("fodelsedatum", r, _date(int(w.birth[r]) - 1))
    m("barn", rows, "V011", "fodelsedatum")
    rows = p.pick(fr_, valid & t.kon_shown, n)  # V012
    for r in rows.tolist():
        fr_.set("kon", r, "2" if fr_.text("kon", r) == "1" else "1")
    m("barn", rows, "V012", "kon")
    # V014: a number re-used on a later child of the same sex (the later row is flagged in any reading).
    later = p.pick(fr_, valid & ~t.fodelse_shown & (np.arange(len(fr_)) > 0), n)
    done: list[int] = []

    def fits(a: int, b: int) -> bool:
        return bool(valid[a] and not p.used[a] and w.sex[a] == w.sex[b])

    for b in later.tolist():
        a = p.try_pick(b, functools.partial(fits, b=b))
        if a is None:
            continue
        p.claim(np.array([a]))
        fr_.set("personnummer", b, fr_.text("personnummer", a))
        done.append(b)
    m("barn", np.array(done, np.int64), "V014", "personnummer")


def _akt(fr_: Frame, t: Tables, w: World, p: _Picker, n: int, as_of: int, mark: Mark) -> None:
    m = mark
    a = w.akts
    order = t.rows_of["aktualisering"]
    typ = a.typ[order]
    referenced = np.zeros(len(order), bool)
    referenced[t.row_of["aktualisering"][w.invs.akt]] = True
    leaf = ~referenced
    case_ref = _values(fr_, "arende_id")
    has_case = case_ref >= 0
    anmalan = typ == T_ANMALAN
    anmalare = a.anmalare[order]
    skydd = a.skydd[order]
    inkom = a.inkom[order]
    decided = a.fhb[order] != NULL_DAY
    child = fr_.child

    def simple(code: str, cand: B, column: str, value: str) -> None:
        rows = p.pick(fr_, cand, n)
        for r in rows.tolist():
            fr_.set(column, r, value)
        m("aktualisering", rows, code, column)

    simple("V002", leaf, "bbic_formular", "JA")
    simple("V003", leaf, "orsak", "OKAND_ORSAK")
    simple("V015", np.ones(len(fr_), bool), "handlaggare_id", UNKNOWN_USER)
    simple("V030", leaf & decided, "forhandsbedomning_beslut", "")
    simple("V033", anmalan & (anmalare >= 0) & _DUTY[np.maximum(anmalare, 0)], "anonym", "J")
    simple("V034", anmalan, "anmalare", "")
    simple("V037", anmalan & (skydd != NULL_DAY), "skyddsbedomning_datum", "")
    rows = p.pick(fr_, leaf & (skydd != NULL_DAY), n)  # V020: protection assessment before receipt
    for r in rows.tolist():
        fr_.set("skyddsbedomning_datum", r, _date(int(inkom[r]) - 2))
    m("aktualisering", rows, "V020", "skyddsbedomning_datum")
    # V023: received before the child was born (preferably with no case, so no V024 beside it).
    rows = p.pick(fr_, leaf & ~has_case, n)
    if not len(rows):
        rows = p.pick(fr_, leaf, n)
    for r in rows.tolist():
        fr_.set("inkom_datum", r, _date(int(w.birth[child[r]]) - 400))
    m("aktualisering", rows, "V023", "inkom_datum")
    # V024: received before its case was opened.
    arende = t.frames["arende"]
    oppnat = _values(arende, "oppnat_datum")
    rows = p.pick(fr_, leaf & has_case, n)
    for r in rows.tolist():
        case_row = int(case_ref[r]) - 1
        fr_.set("inkom_datum", r, _date(int(oppnat[case_row]) - 20))
    m("aktualisering", rows, "V024", "inkom_datum")
    # V016: names the case of another child.
    rows = p.pick(fr_, leaf & has_case, n)
    done: list[int] = []
    for r in rows.tolist():
        c = p.try_pick(len(arende), lambda c: not p.used[arende.child[c]])
        if c is None:
            continue
        p.claim(np.array([arende.child[c]]))
        fr_.set("arende_id", r, arende.columns["arende_id"].text(c))
        done.append(r)
    m("aktualisering", np.array(done, np.int64), "V016", "arende_id")


def _utredning(fr_: Frame, t: Tables, w: World, p: _Picker, n: int, mark: Mark) -> None:
    m = mark
    v = w.invs
    order = t.rows_of["utredning"]
    with_insats = np.zeros(len(order), bool)
    linked = w.interventions.inv[w.interventions.inv >= 0]
    with_insats[t.row_of["utredning"][linked]] = True
    closed = v.avslutad[order] != NULL_DAY
    resultat = v.resultat[order]
    # V031 both ways: a closed investigation without a result, an open one with a result.
    rows = p.pick(fr_, closed & (resultat != R_INSATS) & ~with_insats, max(1, n - n // 2))
    for r in rows.tolist():
        fr_.set("resultat", r, "")
    m("utredning", rows, "V031", "resultat")
    rows = p.pick(fr_, ~closed & ~with_insats, n // 2)
    for r in rows.tolist():
        fr_.set("resultat", r, "INGEN_INSATS")
    m("utredning", rows, "V031", "resultat")


def _bedomning(fr_: Frame, t: Tables, w: World, p: _Picker, n: int, mark: Mark) -> None:
    m = mark
    inv_row = t.rows_of["utredning_bedomning"]
    version = w.invs.version[t.rows_of["utredning"][inv_row]]
    rows = p.pick(fr_, np.ones(len(fr_), bool), n)  # V036
    for r in rows.tolist():
        fr_.set("omrade", r, _OTHER_VERSION_AREA[int(version[r])])
    m("utredning_bedomning", rows, "V036", "omrade")
    rows = p.pick(fr_, np.ones(len(fr_), bool), n)  # V004W: an identical copy at the end of the file
    first = fr_.append_copies(rows)
    m("utredning_bedomning", np.arange(first, first + len(rows), dtype=np.int64), "V004W", "")


def _insats(fr_: Frame, t: Tables, w: World, p: _Picker, n: int, mark: Mark) -> None:
    m = mark
    i = w.interventions
    order = t.rows_of["insats"]
    open_help = ~PLACEMENT[i.typ[order]]
    documented = np.zeros(len(order), bool)
    named = w.docs.ins[w.docs.ins >= 0]
    documented[t.row_of["insats"][named]] = True
    rows = p.pick(fr_, open_help & ~documented, n)
    if len(rows) < n:
        rows = np.sort(np.concatenate([rows, p.pick(fr_, open_help, n - len(rows))]))
    for r in rows.tolist():
        fr_.set("lagrum", r, "LVU_2")
    m("insats", rows, "V032", "lagrum")


def _dokument(fr_: Frame, p: _Picker, n: int, as_of: int, rng: np.random.Generator, mark: Mark) -> None:
    m = mark
    every = np.ones(len(fr_), bool)
    has_ins = _values(fr_, "insats_id") >= 0
    typ = fr_.columns["typ"]
    assert isinstance(typ, CodeCol)
    wanted = [i for i, c in enumerate(typ.labels) if c in codes.INTERVENTION_DOCUMENTS]
    intervention_doc = np.isin(typ.values, wanted)
    rows = p.pick(fr_, every, n)
    for r in rows.tolist():
        fr_.set("datum", r, "")
    m("dokument", rows, "V001", "datum")
    rows = p.pick(fr_, every, n)
    for r in rows.tolist():
        fr_.set("insats_id", r, f"IN9{r:09d}")
    m("dokument", rows, "V005", "insats_id")
    rows = p.pick(fr_, every, n)
    fr_.extra_field_rows.update(rows.tolist())
    m("dokument", rows, "V006", "")
    rows = p.pick(fr_, every, n)
    for r in rows.tolist():
        fr_.set("datum", r, _date(as_of + int(rng.integers(5, 60))))
    m("dokument", rows, "V021", "datum")
    rows = p.pick(fr_, every, n)
    for r in rows.tolist():
        fr_.set("datum", r, "1899-12-31")
    m("dokument", rows, "V022", "datum")
    rows = p.pick(fr_, intervention_doc & has_ins, n)
    for r in rows.tolist():
        fr_.set("insats_id", r, "")
    m("dokument", rows, "V035", "insats_id")
    # V004: a second row with the same key and another date; both rows are quarantined.
    rows = p.pick(fr_, every, n)
    datum = _values(fr_, "datum")
    first = fr_.append_copies(rows)
    for k, r in enumerate(rows.tolist()):
        fr_.set("datum", first + k, _date(int(datum[r]) - 1))
    m("dokument", rows, "V004", "dokument_id")
    m("dokument", np.arange(first, first + len(rows), dtype=np.int64), "V004", "dokument_id")


def _values(frame: Frame, column: str) -> Ints:
    col = frame.columns[column]
    assert isinstance(col, IdCol | DateCol | CodeCol)
    return col.values
