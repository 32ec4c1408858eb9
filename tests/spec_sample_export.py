"""A small, correct export for the model and schema tests: every file and kind of value, synthetic numbers."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from bbic_core import contract
from bbic_core.export_writer import write_export

Row = dict[str, str]


def luhn_digit(nine: str) -> str:
    """The check digit of the 10-digit form's first nine digits (YYMMDDNNN)."""
    total = 0
    for i, ch in enumerate(nine):
        v = int(ch) * (2 - i % 2)
        total += v - 9 if v > 9 else v
    return str((10 - total % 10) % 10)


def make_pnr(yyyymmdd: str, serial: str, sep: str = "") -> str:
    """A synthetic number with a correct check digit: `yyyymmdd` (day + 60 for a samordningsnummer)."""
    return f"{yyyymmdd}{sep}{serial}{luhn_digit(yyyymmdd[2:] + serial)}"


# Serial 123: sex digit 3 is odd, so a boy (kon 1). Serial 246: a girl.
PNR_BOY = make_pnr("20150312", "123", "-")
PNR_SAMORDNING_GIRL = make_pnr("20160371", "246")  # born 2016-03-11


def sample_tables() -> dict[str, list[Row]]:
    return {
        "personal": [
            {"handlaggare_id": "P1", "stadsdel": "bromma", "roll": "HANDLAGGARE", "bbic_anvandare": "J",
             "anstalld_fran": "2015-01-01"},
            {"handlaggare_id": "P2", "stadsdel": " Bromma ", "roll": "arbetsledare", "bbic_anvandare": "n",
             "anstalld_fran": "2010-05-01", "anstalld_till": "2030-01-01"},
        ],
        "barn": [
            {"barn_id": "B1", "personnummer": PNR_BOY, "kon": "1", "folkbokford_kommun": "0180"},
            {"barn_id": "B2", "personnummer": PNR_SAMORDNING_GIRL},
            {"barn_id": "B3", "fodelsedatum": "2018-07-01", "kon": "2", "folkbokford_kommun": "0180"},
        ],
        "arende": [
            {"arende_id": "A1", "barn_id": "B1", "stadsdel": "bromma", "oppnat_datum": "2023-01-10"},
            {"arende_id": "A2", "barn_id": "B3", "stadsdel": "BROMMA", "oppnat_datum": "2023-02-01",
             "avslutat_datum": "2024-01-31"},
        ],
        "aktualisering": [
            {"aktualisering_id": "K1", "barn_id": "B1", "arende_id": "A1", "stadsdel": "bromma",
             "typ": "ANMALAN", "inkom_datum": "2023-01-10", "anmalare": "SKOLA", "anonym": "N",
             "orsak": "VALD_MOT_BARN", "skyddsbedomning_datum": "2023-01-10",
             "forhandsbedomning_datum": "2023-01-20", "forhandsbedomning_beslut": "INLEDA",
             "bbic_formular": "J", "handlaggare_id": "P1"},
            {"aktualisering_id": "K2", "barn_id": "B3", "stadsdel": "bromma", "typ": "ansokan",
             "inkom_datum": "2023-02-01", "orsak": "ansokan_om_stod", "bbic_formular": "n"},
        ],
        "utredning": [
            {"utredning_id": "U1", "barn_id": "B1", "arende_id": "A1", "aktualisering_id": "K1",
             "stadsdel": "bromma", "inledd_datum": "2023-01-20", "utredningsplan_datum": "2023-02-01",
             "avslutad_datum": "2023-05-15", "resultat": "INSATS", "bbic_formular": "J",
             "triangel_version": "2006", "handlaggare_id": "P1"},
            {"utredning_id": "U2", "barn_id": "B3", "arende_id": "A2", "stadsdel": "bromma",
             "inledd_datum": "2023-02-10", "forlangd_till": "2023-08-10", "bbic_formular": "N",
             "triangel_version": "2016"},
        ],
        "utredning_bedomning": [
            {"utredning_id": "U1", "omrade": "BB_HALSA", "bedomning": "BEHOV"},
            {"utredning_id": "U1", "omrade": "ff_sakerhet", "bedomning": "inget_behov"},
            {"utredning_id": "U2", "omrade": "BU_HALSA", "bedomning": "EJ_BEDOMT"},
        ],
        "insats": [
            {"insats_id": "I1", "barn_id": "B1", "arende_id": "A1", "utredning_id": "U1",
             "stadsdel": "bromma", "insatstyp": "FAMILJEHEM", "lagrum": "LVU_2", "beslut_datum": "2023-05-20",
             "start_datum": "2023-05-25", "handlaggare_id": "P1"},
            {"insats_id": "I2", "barn_id": "B3", "arende_id": "A2", "stadsdel": "bromma",
             "insatstyp": "kontaktperson", "lagrum": "SOL", "beslut_datum": "2023-03-01",
             "slut_datum": "2023-12-31"},
        ],
        "dokument": [
            {"dokument_id": "D1", "barn_id": "B1", "insats_id": "I1", "typ": "VARDPLAN",
             "datum": "2023-05-20", "bbic_formular": "J", "handlaggare_id": "P1"},
            {"dokument_id": "D2", "barn_id": "B3", "typ": "GRUNDUPPGIFTER", "datum": "2023-02-01",
             "bbic_formular": "\tN "},
        ],
    }


def write_sample(folder: Path) -> Path:
    return write_export(folder, sample_tables(), export_id="spec-sample-1")


def read_rows(folder: Path, spec: contract.FileSpec) -> list[dict[str, str]]:
    """A written file's rows as it holds them, read with Python's csv module (not the validator's reader)."""
    text = (folder / spec.name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";", quotechar='"'))
