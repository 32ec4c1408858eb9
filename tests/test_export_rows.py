"""Row models: fields equal the contract, strict parsing, rule codes on faults, no personal number echoed."""

from __future__ import annotations

import csv
import datetime as dt
import io
import types
import typing
from pathlib import Path
from typing import ClassVar

import pytest
from pydantic import ValidationError
from spec_sample_export import PNR_BOY, PNR_SAMORDNING_GIRL, read_rows, sample_tables, write_sample

from bbic_core import codes, contract, export_rows
from bbic_core.codes import FormVersion
from bbic_core.contract import Kind
from bbic_core.export_rows import (
    FORM_VERSIONS,
    ROW_MODELS,
    Aktualisering,
    Barn,
    ContractRow,
    Insats,
    Utredning,
    model_for,
    parse_row,
)

_PYTHON_TYPE = {Kind.DATE: dt.date, Kind.FLAG: bool}
PNR_BAD_CHECK = PNR_BOY[:-1] + str((int(PNR_BOY[-1]) + 1) % 10)


def _row(table: str, index: int = 0, **changes: str) -> dict[str, str]:
    row = dict(sample_tables()[table][index])
    row.update(changes)
    return row


def _codes(table: str, row: dict[str, str], **context: object) -> list[str]:
    _, hits = parse_row(table, row, context=context or None)  # type: ignore[arg-type]
    return [h.code for h in hits]


# --- the models match the contract -------------------------------------------------------------


def test_every_contract_file_has_a_model_with_its_columns_in_order() -> None:
    assert set(ROW_MODELS) == {spec.name for spec in contract.FILES}
    for spec in contract.FILES:
        model = ROW_MODELS[spec.name]
        assert model.file_spec is spec
        assert tuple(model.model_fields) == spec.column_names


def test_field_types_and_optionality_follow_the_column_kinds() -> None:
    for spec in contract.FILES:
        hints = typing.get_type_hints(ROW_MODELS[spec.name])
        for col in spec.columns:
            hint = hints[col.name]
            args = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
            optional = type(None) in args
            assert optional == (not col.required and col.default is None), (spec.name, col.name)
            base = next(a for a in args if a is not type(None))
            expected = _PYTHON_TYPE.get(col.kind, FormVersion if col.codes is codes.TRIANGEL_VERSION else str)
            assert base is expected, (spec.name, col.name, base)


def test_a_model_whose_fields_differ_from_its_file_is_refused_when_defined() -> None:
    with pytest.raises(TypeError, match=r"differ from arende\.csv"):
        class _Broken(ContractRow):
            file_spec: ClassVar[contract.FileSpec] = contract.ARENDE
            arende_id: str


def test_model_for_accepts_file_and_table_names_and_versions() -> None:
    assert model_for("barn.csv") is Barn
    assert model_for("utredning") is Utredning
    assert model_for("insats", FormVersion.V2016) is Insats
    with pytest.raises(KeyError):
        model_for("okand.csv")


def test_form_versions_hold_each_triangle_list() -> None:
    assert set(FORM_VERSIONS) == {FormVersion.V2006, FormVersion.V2016}
    assert FORM_VERSIONS[FormVersion.V2006].areas is codes.TRIANGEL_OMRADE_2006
    assert FORM_VERSIONS[FormVersion.V2016].areas is codes.TRIANGEL_OMRADE_2016
    assert "BU_HALSA" in FORM_VERSIONS[FormVersion.V2016].areas
    assert "BU_HALSA" not in FORM_VERSIONS[FormVersion.V2006].areas


# --- the sample export parses ----------------------------------------------------------------


def test_every_row_of_a_written_sample_export_parses_without_findings(tmp_path: Path) -> None:
    folder = write_sample(tmp_path / "export")
    parsed = 0
    for spec in contract.FILES:
        for raw in read_rows(folder, spec):
            model, hits = parse_row(spec.name, raw)
            assert hits == [], (spec.name, hits)
            assert isinstance(model, ROW_MODELS[spec.name])
            parsed += 1
    assert parsed == sum(len(rows) for rows in sample_tables().values())


def test_values_are_normalised_as_the_contract_says() -> None:
    personal, _ = parse_row("personal", _row("personal", 1))
    assert personal is not None
    assert personal.model_dump() == {
        "handlaggare_id": "P2", "stadsdel": "bromma", "roll": "ARBETSLEDARE", "bbic_anvandare": False,
        "anstalld_fran": dt.date(2010, 5, 1), "anstalld_till": dt.date(2030, 1, 1),
    }
    akt, _ = parse_row("aktualisering", _row("aktualisering", 1))
    assert isinstance(akt, Aktualisering)
    assert (akt.typ, akt.orsak, akt.anonym, akt.arende_id, akt.bbic_formular) == (
        "ANSOKAN", "ANSOKAN_OM_STOD", False, None, False)  # anonym: default N
    utr, _ = parse_row("utredning", _row("utredning", 0, triangel_version=" "))
    assert isinstance(utr, Utredning)
    assert utr.triangel_version is FormVersion.V2006  # default 2006
    dok, _ = parse_row("dokument", _row("dokument", 1))
    assert dok is not None and dok.model_dump()["bbic_formular"] is False  # "\tN " trimmed of tab and space


def test_header_names_are_matched_trimmed_and_case_insensitively() -> None:
    raw = {" ARENDE_ID ": "A1", "Barn_Id": "B1", "stadsdel\t": "bromma", "oppnat_datum": "2023-01-10"}
    model, hits = parse_row("arende", raw)
    assert hits == [] and model is not None and model.model_dump()["arende_id"] == "A1"


def test_a_child_holds_the_normalised_number_and_effective_values() -> None:
    barn, _ = parse_row("barn", _row("barn", 1))
    assert isinstance(barn, Barn)
    assert barn.personnummer == PNR_SAMORDNING_GIRL
    assert barn.fodelsedatum_effektiv == dt.date(2016, 3, 11)  # samordningsnummer: day − 60
    assert barn.kon_effektiv == "2"
    boy, _ = parse_row("barn", _row("barn", 0))
    assert isinstance(boy, Barn) and boy.personnummer == PNR_BOY.replace("-", "")
    no_number, _ = parse_row("barn", _row("barn", 2))
    assert isinstance(no_number, Barn) and no_number.fodelsedatum_effektiv == dt.date(2018, 7, 1)


def test_an_empty_start_means_the_decision_date() -> None:
    insats, _ = parse_row("insats", _row("insats", 1))
    assert isinstance(insats, Insats) and insats.start_effektiv == dt.date(2023, 3, 1)


def test_models_can_be_built_in_python_with_typed_values() -> None:
    barn = Barn(barn_id="B9", fodelsedatum=dt.date(2012, 1, 2))
    assert barn.fodelsedatum == dt.date(2012, 1, 2)
    akt = Aktualisering(aktualisering_id="K9", barn_id="B9", stadsdel="Bromma", typ="anmalan",
                        inkom_datum=dt.date(2024, 1, 1), orsak="OVRIGT", bbic_formular=True,
                        anmalare="FORALDER", skyddsbedomning_datum=dt.date(2024, 1, 1))
    assert (akt.stadsdel, akt.typ, akt.bbic_formular, akt.row_warnings) == ("bromma", "ANMALAN", True, ())


# --- faults and their rule codes ---------------------------------------------------------------

FAULTS: list[tuple[str, int, dict[str, str], str, str]] = [
    ("barn", 0, {"barn_id": " \t"}, "V001", "barn_id"),
    ("arende", 0, {"oppnat_datum": ""}, "V001", "oppnat_datum"),
    ("aktualisering", 0, {"bbic_formular": ""}, "V001", "bbic_formular"),
    ("arende", 0, {"oppnat_datum": "2023-02-30"}, "V002", "oppnat_datum"),
    ("arende", 0, {"oppnat_datum": "2023/01/10"}, "V002", "oppnat_datum"),
    ("arende", 0, {"oppnat_datum": "20230110"}, "V002", "oppnat_datum"),
    ("arende", 0, {"oppnat_datum": "2023-01-10T00:00"}, "V002", "oppnat_datum"),
    ("personal", 0, {"bbic_anvandare": "ja"}, "V002", "bbic_anvandare"),
    ("barn", 0, {"folkbokford_kommun": "180"}, "V002", "folkbokford_kommun"),
    ("barn", 0, {"barn_id": "x" * 41}, "V002", "barn_id"),
    ("aktualisering", 0, {"typ": "BREV"}, "V003", "typ"),
    ("barn", 0, {"kon": "3"}, "V003", "kon"),
    ("utredning", 0, {"triangel_version": "2010"}, "V003", "triangel_version"),
    ("utredning_bedomning", 0, {"omrade": "BB_OKAND"}, "V003", "omrade"),
    ("arende", 0, {"stadsdel": "brom ma"}, "V003", "stadsdel"),
    ("arende", 0, {"oppnat_datum": "1899-12-31"}, "V022", "oppnat_datum"),
    ("barn", 2, {"fodelsedatum": ""}, "V013", "fodelsedatum"),
    ("arende", 1, {"avslutat_datum": "2023-01-31"}, "V020", "avslutat_datum"),
    ("utredning", 1, {"forlangd_till": "2023-02-10"}, "V020", "forlangd_till"),  # strict: later than inledd
    ("insats", 1, {"slut_datum": "2023-02-28"}, "V020", "slut_datum"),  # empty start = beslut_datum
    ("personal", 1, {"anstalld_till": "2009-12-31"}, "V020", "anstalld_till"),
    ("aktualisering", 0, {"forhandsbedomning_beslut": ""}, "V030", "forhandsbedomning_beslut"),
    ("aktualisering", 1, {"forhandsbedomning_beslut": "PAGAENDE"}, "V030", "forhandsbedomning_beslut"),
    ("utredning", 0, {"resultat": ""}, "V031", "resultat"),
    ("utredning", 1, {"resultat": "INGEN_INSATS"}, "V031", "resultat"),
    ("insats", 1, {"lagrum": "LVU_3"}, "V032", "lagrum"),
    ("dokument", 0, {"insats_id": ""}, "V035", "insats_id"),
]


@pytest.mark.parametrize(("table", "index", "changes", "code", "column"), FAULTS)
def test_a_fault_gives_its_rule_code(table: str, index: int, changes: dict[str, str], code: str,
                                     column: str) -> None:
    model, hits = parse_row(table, _row(table, index, **changes))
    assert model is None
    errors = [(h.code, h.column) for h in hits if h.is_error]
    assert errors == [(code, column)]
    with pytest.raises(ValidationError) as info:
        model_for(table).model_validate(_row(table, index, **changes))
    assert export_rows.rule_codes(info.value) == [code]
    err = info.value.errors()[0]
    assert err["type"] == code and err["ctx"]["code"] == code and err["ctx"]["severity"] == "E"


def test_several_cross_field_faults_are_all_reported() -> None:
    raw = _row("insats", 1, lagrum="LVU_6", slut_datum="2023-01-01")
    assert _codes("insats", raw) == ["V020", "V032"]


def test_v013_also_when_the_birth_date_does_not_parse() -> None:
    raw = _row("barn", 2, fodelsedatum="2018-02-30")
    assert _codes("barn", raw) == ["V002", "V013"]


def test_v036_needs_the_investigations_version() -> None:
    raw = _row("utredning_bedomning", 0, omrade="BU_HALSA")  # a 2016 area on investigation U1
    assert _codes("utredning_bedomning", raw) == []
    assert _codes("utredning_bedomning", raw, triangel_versions={"U1": "2006"}) == ["V036"]
    assert _codes("utredning_bedomning", raw, triangel_versions={"U1": "2016"}) == []
    common = _row("utredning_bedomning", 0, omrade="FF_SAKERHET")  # in both versions
    assert _codes("utredning_bedomning", common, triangel_versions={"U1": "2016"}) == []


def test_unknown_district_with_the_registers_districts() -> None:
    raw = _row("arende", 0, stadsdel="Vasastan")
    assert _codes("arende", raw) == []
    assert _codes("arende", raw, districts={"bromma"}) == ["V003"]
    assert _codes("arende", _row("arende", 0), districts={"bromma"}) == []


def test_v021_with_the_as_of_date_spares_planned_dates() -> None:
    as_of = dt.date(2023, 6, 30)
    assert _codes("arende", _row("arende", 0, oppnat_datum="2023-07-01"), as_of=as_of) == ["V021"]
    planned = _row("personal", 1)  # anstalld_till 2030 is a planned date
    assert _codes("personal", planned, as_of=as_of) == []


WARNINGS: list[tuple[str, int, dict[str, str], str]] = [
    ("barn", 0, {"personnummer": PNR_BAD_CHECK, "fodelsedatum": "2015-03-12"}, "V010"),
    ("barn", 0, {"fodelsedatum": "2015-03-13"}, "V011"),
    ("barn", 0, {"kon": "2"}, "V012"),
    ("aktualisering", 0, {"anonym": "j"}, "V033"),
    ("aktualisering", 0, {"anmalare": ""}, "V034"),
    ("aktualisering", 0, {"skyddsbedomning_datum": ""}, "V037"),
    ("arende", 0, {"extra_kolumn": "x"}, "V050"),
]


@pytest.mark.parametrize(("table", "index", "changes", "code"), WARNINGS)
def test_a_warning_keeps_the_row(table: str, index: int, changes: dict[str, str], code: str) -> None:
    model, hits = parse_row(table, _row(table, index, **changes))
    assert model is not None
    assert [h.code for h in hits] == [code]
    assert hits[0].severity.value == "W"
    if code != "V050":
        assert [h.code for h in model.row_warnings] == [code]


def test_an_invalid_number_is_dropped_and_counts_as_absent() -> None:
    model, hits = parse_row("barn", _row("barn", 0, personnummer=PNR_BAD_CHECK, fodelsedatum="2015-03-12"))
    assert isinstance(model, Barn) and model.personnummer is None and model.kon_effektiv == "1"
    assert [h.code for h in hits] == ["V010"]
    _, hits = parse_row("barn", _row("barn", 0, personnummer="not a number"))
    assert [h.code for h in hits] == ["V013", "V010"]  # the row fails; its warning is still reported


# --- privacy ---------------------------------------------------------------------------------


def test_a_personal_number_never_appears_in_errors_reprs_or_hits() -> None:
    digits = PNR_BOY.replace("-", "")
    for number in (PNR_BOY, PNR_BAD_CHECK):
        raw = _row("barn", 0, personnummer=number, folkbokford_kommun="x", kon="7")
        with pytest.raises(ValidationError) as info:
            Barn.model_validate(raw)
        text = str(info.value) + repr(info.value) + repr(info.value.errors(include_input=False))
        for needle in (number, number.replace("-", ""), digits, digits[2:]):
            assert needle not in text
        _, hits = parse_row("barn", raw)
        assert all(number not in h.message for h in hits)
    valid = Barn.model_validate(_row("barn", 0))
    assert digits not in repr(valid) and digits not in str(valid)
    assert valid.personnummer == digits  # kept for the caller, only hidden from repr


def test_fields_beyond_the_header_are_v006() -> None:
    text = "arende_id;barn_id;stadsdel;oppnat_datum;avslutat_datum\nA1;B1;bromma;2023-01-10;;surplus\n"
    raw = next(csv.DictReader(io.StringIO(text), delimiter=";"))
    model, hits = parse_row("arende", raw)
    assert model is None and [h.code for h in hits] == ["V006"]


# --- V007: a personal number in an id or reference ---------------------------------------------


def _v007_forms() -> list[str]:
    twelve = PNR_BOY.replace("-", "")
    return [twelve, PNR_BOY, twelve[2:], f"{twelve[2:8]}-{twelve[8:]}", f"{twelve[2:8]}+{twelve[8:]}",
            PNR_SAMORDNING_GIRL, f"B-{twelve}", f"{twelve[2:]} (barn)"]


@pytest.mark.parametrize("value", _v007_forms())
@pytest.mark.parametrize(("table", "column"), [("barn", "barn_id"), ("arende", "barn_id"),
                                               ("aktualisering", "handlaggare_id"), ("insats", "insats_id")])
def test_a_personal_number_in_an_id_is_v007_and_never_echoed(table: str, column: str, value: str) -> None:
    model, hits = parse_row(table, _row(table, 0, **{column: value}))
    assert model is None
    assert [(h.code, h.column, h.severity.value) for h in hits if h.is_error] == [("V007", column, "E")]
    with pytest.raises(ValidationError) as info:
        model_for(table).model_validate(_row(table, 0, **{column: value}))
    assert export_rows.rule_codes(info.value) == ["V007"]
    text = str(info.value) + repr(info.value.errors(include_input=False)) + " ".join(h.message for h in hits)
    digits = value.replace("-", "").replace("+", "")
    for needle in (value, digits, digits[-10:]):
        assert needle not in text


@pytest.mark.parametrize("value", [
    PNR_BAD_CHECK.replace("-", ""),  # check digit wrong: an ordinary id
    "201513121234",  # month 13
    PNR_BOY.replace("-", "") + "7",  # part of a longer run of digits
    "1" + PNR_BOY.replace("-", ""),
    "B-000017",
])
def test_number_shaped_ids_that_are_no_personal_number_are_kept(value: str) -> None:
    model, hits = parse_row("arende", _row("arende", 0, arende_id=value))
    assert model is not None and model.arende_id == value
    assert hits == []


def test_v007_agrees_with_the_export_validator() -> None:
    import pyarrow as pa

    from bbic_core.validation.rows.pnr_in_text import holds_personnummer

    values = [*_v007_forms(), PNR_BAD_CHECK, "201513121234", "B1", "A-2024-000123", "19121212-1212x"]
    expected = holds_personnummer(pa.array(values, pa.string())).tolist()
    got = ["V007" in _codes("personal", _row("personal", 0, handlaggare_id=v)) for v in values]
    assert got == expected
    assert "V007" in export_rows.ROW_RULE_CODES
