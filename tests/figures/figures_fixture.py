"""The hand-made snapshot of the figures' key test: six children in two districts (norr, soder) of the
register in `fixture_register/` (a third district, ost, has no data at all).

As-of date A = 2025-06-15 (the export's). The key test's period is P = 2025-H1 = [2025-01-01,
2025-06-30], so t = min(to, A) = 2025-06-15; the licence window is W = [2024-06-16, 2025-06-15].
Each row's comment says which edge case it carries; the expected values, with their reasoning,
are in test_fixture_values.py.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import duckdb

from bbic_core.figures.schema import create_snapshot_schema
from bbic_core.register import Register, load_register

REGISTER_DIR = Path(__file__).resolve().parent / "fixture_register"
A = dt.date(2025, 6, 15)
EXPORT_ID = "EXP-0999-20250615"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

J, N = True, False


def fixture_register() -> Register:
    return load_register(REGISTER_DIR, today=A)


def insert(con: duckdb.DuckDBPyConnection, table: str, columns: str, rows: Iterable[tuple[Any, ...]]) -> None:
    """Insert rows given as tuples over the named columns (others null); `YYYY-MM-DD` strings are dates."""
    names = columns.split()
    for row in rows:
        assert len(row) == len(names), (table, row)
        values = [dt.date.fromisoformat(v) if isinstance(v, str) and _DATE.match(v) else v for v in row]
        con.execute(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})",
            values)


def snapshot_meta(con: duckdb.DuckDBPyConnection, export_id: str = EXPORT_ID, as_of: dt.date = A) -> None:
    con.execute("INSERT INTO snapshot_meta VALUES (?, '0999', ?, ?, ?)",
                [export_id, dt.datetime(as_of.year, as_of.month, as_of.day, 2, 0, tzinfo=dt.UTC), as_of,
                 dt.datetime(as_of.year, as_of.month, as_of.day, 3, 0, tzinfo=dt.UTC)])


def load_fixture(con: duckdb.DuckDBPyConnection) -> None:
    create_snapshot_schema(con)
    snapshot_meta(con)

    insert(con, "barn", "barn_id pseudonym fodelsedatum kon fodelsedatum_effektiv kon_effektiv", [
        ("K1", "p1", "2012-02-29", "2", "2012-02-29", "2"),  # born on 29 February
        ("K2", "p2", None, None, "2008-03-05", "1"),
          # samordningsnummer (day 65): date and sex from the number
        ("K3", None, "2020-06-01", None, "2020-06-01", None),  # sex unknown → okant
        ("K4", "p4", "2007-01-10", "1", "2007-01-10", "1"),
        ("K5", "p5", "2025-05-01", "2", "2025-05-01", "2"),  # investigated before birth (age −1 → 0-6)
        ("K6", "p6", "2015-04-04", "1", "2015-04-04", "1"),  # soder only
    ])
    insert(con, "arende", "arende_id barn_id stadsdel oppnat_datum", [
        ("AR1", "K1", "norr", "2024-12-01"), ("AR2", "K2", "norr", "2024-08-01"),
        ("AR2S", "K2", "soder", "2023-11-01"), ("AR3", "K3", "norr", "2023-01-01"),
        ("AR4", "K4", "norr", "2024-09-01"), ("AR4S", "K4", "soder", "2024-05-01"),
        ("AR5", "K5", "norr", "2025-01-15"), ("AR6", "K6", "soder", "2024-03-01"),
    ])
    insert(con, "aktualisering",
           "aktualisering_id barn_id arende_id stadsdel typ inkom_datum anmalare orsak skyddsbedomning_datum "
           "forhandsbedomning_datum forhandsbedomning_beslut bbic_formular handlaggare_id", [
               # protection within 1 day; pre-assessment in 10 days; N3 not yet trained (trained 2025-03-01)
               ("AK1", "K1", "AR1", "norr", "ANMALAN", "2025-01-10", "SKOLA", "BRISTANDE_OMSORG",
                "2025-01-11", "2025-01-20", "INLEDA", J, "N3"),
               # missing anmalare (SAKNAS); protection after 2 days; decided in 19 days
               ("AK2", "K2", "AR2", "norr", "ANMALAN", "2025-01-05", None, "KRIMINALITET", "2025-01-07",
                "2025-01-24", "INLEDA", N, "N1"),
               # undecided, younger than 14 days at A (06-05 + 14 = 06-19 ≥ A)
               ("AK3", "K3", "AR3", "norr", "INFORMATION", "2025-06-05", None, "OVRIGT", None, None, None,
                J, "N1"),
               # undecided, older than 14 days; protection missing; unknown user X9 (V015)
               ("AK4", "K4", "AR4", "norr", "ANMALAN", "2025-05-20", "POLIS", "EGET_MISSBRUK", None, None,
                None, J, "X9"),
               # an ansökan: never in A3
               ("AK5", "K5", "AR5", "norr", "ANSOKAN", "2025-01-15", None, "ANSOKAN_OM_STOD", None,
                "2025-01-16", "INLEDA", J, "N1"),
               # before P, undecided: in A3.fhb_balans; N5 (not a BBIC user, never trained) in W
               ("AK6", "K1", "AR1", "norr", "ANMALAN", "2024-12-01", "FORSKOLA", "BRISTANDE_OMSORG",
                "2024-12-01", None, None, N, "N5"),
               # soder history of K2 (B6), before W
               ("AK7", "K2", "AR2S", "soder", "ANMALAN", "2024-03-01", "BUP", "KRIMINALITET", "2024-03-01",
                "2024-03-05", "INLEDA", J, "S2"),
               # two aktualiseringar of K3 on one day, decided in exactly 14 days and in 21 days
               ("AK8", "K3", "AR3", "norr", "INFORMATION", "2025-03-10", None, "KONFLIKT_I_FAMILJEN", None,
                "2025-03-24", "PAGAENDE", N, "N2"),
               ("AK9", "K3", "AR3", "norr", "INFORMATION", "2025-03-10", None, "OVRIGT", None, "2025-03-31",
                "INLEDA", J, "N1"),
               # soder: S1 works untrained
               ("AK10", "K6", "AR6", "soder", "ANMALAN", "2025-02-01", "BUP", "VALD_MOT_BARN", "2025-02-01",
                "2025-02-05", "INLEDA", J, "S1"),
               # K4: two aktualiseringar on 2024-10-20 (norr and soder), AK12 led to U4
               ("AK12", "K4", "AR4", "norr", "ANMALAN", "2024-10-20", "SOCIALTJANST", "FORALDRARS_MISSBRUK",
                "2024-10-20", "2024-10-25", "INLEDA", J, "N1"),
               ("AK13", "K4", "AR4S", "soder", "ANMALAN", "2024-10-20", "ANHORIG", "FORALDRARS_MISSBRUK",
                "2024-10-21", "2024-10-28", "INLEDA", J, "S2"),
           ])
    insert(con, "utredning",
           "utredning_id barn_id arende_id aktualisering_id stadsdel inledd_datum utredningsplan_datum "
           "forlangd_till avslutad_datum resultat bbic_formular triangel_version handlaggare_id", [
               # 102 days; 2016 triangle
               ("U1", "K1", "AR1", "AK1", "norr", "2025-02-28", "2025-03-05", None, "2025-06-10", "INSATS", J,
                "2016", "N1"),
               # 115 days; no aktualisering_id (B6 uses the latest one on or before inledd)
               ("U2", "K2", "AR2", None, "norr", "2025-01-20", "2025-01-25", None, "2025-05-15", "INSATS",
                J, "2016", "N1"),
               # 49 days; two aktualiseringar share the lead date 2025-03-10
               ("U3", "K3", "AR3", None, "norr", "2025-03-12", None, None, "2025-04-30", "AVSLUTAD_OVRIGT", J,
                "2006", "N2"),
               # 2024-10-31 + 4 months = 2025-02-28: closed on 2025-02-28 is within
               ("U4", "K4", "AR4", "AK12", "norr", "2024-10-31", "2024-11-05", None, "2025-02-28",
                "INGEN_INSATS", J, "2006", "N1"),
               # same inledd as U4 (U4 is K4's first by id); closed 2025-03-01: not within 4 months,
               # but within the extension (forlangd_till)
               ("U5", "K4", "AR4", None, "norr", "2024-10-31", None, "2025-03-15", "2025-03-01",
                "OVERFORD", N, "2006", "N1"),
               # soder, closed 2024-09-01: K4's earlier investigation (A10), in W (C5)
               ("U6", "K4", "AR4S", None, "soder", "2024-05-01", "2024-05-10", None, "2024-09-01",
                "INSATS", J, "2006", "S2"),
               # soder, closed exactly 365 days before AK2's inkom_datum (A10's lower bound)
               ("U8", "K2", "AR2S", None, "soder", "2023-11-01", "2023-11-10", None, "2024-01-06",
                "INGEN_INSATS", J, "2006", "S2"),
               # ongoing, past 4 months at t, not extended: over time; N4 never trained
               ("U9", "K5", "AR5", "AK5", "norr", "2025-01-15", None, None, None, None, J, "2016", "N4"),
               # ongoing, past 4 months but extended beyond t: not over time
               ("U10", "K2", "AR2", None, "norr", "2025-02-01", None, "2025-07-01", None, None, J, "2016",
                "N2"),
               # ongoing, started in June
               ("U11", "K1", "AR1", None, "norr", "2025-06-12", None, None, None, None, J, "2016", "N1"),
               # soder, closed in P (left out of norr's figures)
               ("U12", "K6", "AR6", "AK10", "soder", "2025-02-10", "2025-02-15", None, "2025-05-01",
                "INSATS", J, "2016", "S1"),
               # before birth: K5 is −1 year old at inledd; 24 days
               ("U13", "K5", "AR5", None, "norr", "2025-04-01", "2025-04-02", None, "2025-04-25",
                "INGEN_INSATS", J, "2016", "N1"),
           ])
    insert(con, "utredning_bedomning", "utredning_id omrade bedomning", [
        ("U1", "BU_HALSA", "BEHOV"), ("U1", "BU_UTBILDNING", "INGET_BEHOV"), ("U1", "FF_SAKERHET", "BEHOV"),
        ("U1", "FM_BOENDE", "EJ_BEDOMT"),
        ("U2", "BU_HALSA", "BEHOV"), ("U2", "BU_UTBILDNING", "BEHOV"),
        ("U13", "BU_HALSA", "INGET_BEHOV"),
        ("U3", "BB_HALSA", "BEHOV"), ("U3", "FF_GRUNDLAGGANDE_OMSORG", "BEHOV"),
        ("U4", "BB_HALSA", "INGET_BEHOV"), ("U4", "FF_GRUNDLAGGANDE_OMSORG", "BEHOV"),
        ("U11", "FF_SAKERHET", "BEHOV"),  # ongoing: not in B3
        ("U12", "BU_HALSA", "BEHOV"),  # soder
    ])
    insert(con, "insats",
           "insats_id barn_id arende_id stadsdel insatstyp lagrum beslut_datum start_datum slut_datum "
           "handlaggare_id",
           [
               ("I1", "K1", "AR1", "norr", "FAMILJEHEM", "SOL", "2024-06-20", "2024-07-01", None, "N1"),
               # start empty → beslut_datum 2024-08-31; first review 2025-02-28 (clamped)
               ("I2", "K2", "AR2", "norr", "HVB", "LVU_3", "2024-08-31", None, None, "N1"),
               # immediate custody: no reviews
               ("I3", "K4", "AR4", "norr", "SIS", "LVU_6", "2024-10-01", "2024-10-01", None, "N1"),
               ("I4", "K4", "AR4", "norr", "JOURHEM", "LVU_2_3", "2024-09-15", "2024-09-15", "2025-05-01",
                "N1"),
               # open help; N3 untrained at beslut
               ("I5", "K1", "AR1", "norr", "KONTAKTPERSON", "SOL", "2025-02-01", "2025-02-15", None, "N3"),
               ("I6", "K3", "AR3", "norr", "FAMILJEBEHANDLING", "SOL", "2025-04-01", None, "2025-04-20",
                "N2"),
               # started within 30 days of t: not in A8's base
               ("I7", "K5", "AR5", "norr", "NATVERKSHEM", "SOL", "2025-06-01", "2025-06-01", None, "N1"),
               # ended before P; its review of 2024-07-01 is due in W
               ("I8", "K3", "AR3", "norr", "FAMILJEHEM", "SOL", "2023-01-01", "2023-01-01", "2024-12-31",
                "N1"),
               # soder, started before W: reviews due 2024-09-01 and 2025-03-01
               ("I9", "K6", "AR6", "soder", "HVB", "LVU_2", "2024-03-01", "2024-03-01", None, "S2"),
               ("I10", "K2", "AR2", "norr", "SIS", "LVU_2", "2025-05-20", "2025-05-20", "2025-06-05", "N1"),
           ])
    insert(con, "dokument", "dokument_id barn_id insats_id typ datum bbic_formular handlaggare_id", [
        ("D1", "K1", "I1", "OVERVAGANDE", "2024-12-20", J, "N1"),  # I1's review due 2025-01-01: in time
        ("D2", "K2", "I2", "OMPROVNING", "2025-03-05", J, "N1"),  # I2's review due 2025-02-28: late
        ("D3", "K2", "I2", "OVERVAGANDE", "2025-02-01", J, "N1"),  # the wrong type for LVU_3
        ("D4", "K1", "I1", "VARDPLAN", "2024-05-21", J, "N1"),  # exactly beslut − 30 days
        ("D5", "K2", "I2", "VARDPLAN", "2024-08-01", N, "N1"),  # exactly beslut − 30 days, not in the form
        ("D6", "K4", "I3", "VARDPLAN", "2024-08-31", J, "N1"),  # beslut − 31 days: too early
        ("D7", "K1", "I1", "GENOMFORANDEPLAN", "2024-08-01", J, "N2"),
        ("D8", "K4", "I3", "GENOMFORANDEPLAN", "2024-11-01", J, "N2"),
        ("D9", "K2", "I2", "GENOMFORANDEPLAN", "2025-01-10", N, "N2"),
        ("D10", "K4", "I4", "PLACERINGSINFORMATION", "2024-09-20", J, "N2"),
        ("D11", "K4", "I4", "OMPROVNING", "2025-03-15", N, "N2"),  # on the due date (either type for LVU_2_3)
        ("D12", "K3", "I8", "OVERVAGANDE", "2024-06-20", J, "N1"),  # I8's review due 2024-07-01
        ("D13", "K6", "I9", "OVERVAGANDE", "2024-08-25", J, "S2"),
        ("D14", "K6", "I9", "OVERVAGANDE", "2025-02-20", J, "S2"),
        ("D15", "K1", None, "GRUNDUPPGIFTER", "2025-01-12", J, "X9"),  # unknown user, no district
    ])
    insert(con, "personal", "handlaggare_id stadsdel roll bbic_anvandare anstalld_fran anstalld_till", [
        ("N1", "norr", "HANDLAGGARE", J, "2019-01-01", None),
        ("N2", "norr", "ARBETSLEDARE", J, "2021-01-01", None),
        ("N3", "norr", "HANDLAGGARE", J, "2024-12-01", None),
        ("N4", "norr", "HANDLAGGARE", J, "2025-01-01", None),
        ("N5", "norr", "OVRIG", N, "2020-01-01", "2024-12-31"),
        ("S1", "soder", "HANDLAGGARE", J, "2024-01-01", None),
        ("S2", "soder", "HANDLAGGARE", J, "2020-01-01", "2025-06-14"),
        ("S3", "soder", "HANDLAGGARE", J, "2025-01-01", None),
        ("S4", "soder", "ENHETSCHEF", J, "2025-02-01", None),
    ])
    insert(con, "quarantine", "export_id file line stadsdel_raw rules raw_json", [
        (EXPORT_ID, "aktualisering.csv", 14, "Norr ", ["V003"], "{}"),  # in scope after trim and lower case
        (EXPORT_ID, "utredning.csv", 3, "soder", ["V020"], "{}"),  # another district
        (EXPORT_ID, "dokument.csv", 5, None, ["V035"], "{}"),  # no stadsdel column: unreadable
        (EXPORT_ID, "insats.csv", 7, "xyz", ["V003"], "{}"),  # no district of the register: unreadable
        (EXPORT_ID, "personal.csv", 2, "norr", ["V002"], "{}"),  # read by the licence report only
        (EXPORT_ID, "barn.csv", 9, None, ["V013"], "{}"),  # read by the klientgrupp report only
        ("EXP-OLDER", "aktualisering.csv", 2, "norr", ["V001"], "{}"),  # an earlier export
    ])
