"""The JSON Schemas and the data dictionary: checked with the independent `jsonschema` package."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator
from markupsafe import escape
from spec_sample_export import read_rows, sample_tables, write_sample
from typer.testing import CliRunner

from bbic_cli.main import app
from bbic_core import codes, contract, rules
from bbic_core.export_rows import parse_row
from bbic_core.specs import SPEC_FILES, dictionary, json_schema, write_specs

SAMPLE_REGISTER = Path(__file__).resolve().parent.parent / "bbic_core" / "sample_data" / "register"


def _validator(name: str) -> Draft202012Validator:
    schema = json_schema.all_schemas()[name]
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _row(table: str, index: int = 0, **changes: str) -> dict[str, str]:
    """A sample row as the file would hold it: every contract column present, empty where unset."""
    spec = contract.BY_TABLE[table]
    row = {name: "" for name in spec.column_names}
    row.update(sample_tables()[table][index])
    row.update(changes)
    return row


def test_every_schema_is_a_valid_draft_2020_12_schema() -> None:
    schemas = json_schema.all_schemas()
    assert set(schemas) == {f"{s.table}.schema.json" for s in contract.FILES} | {
        "manifest.schema.json", "organisation.schema.json", "utbildning.schema.json"}
    for schema in schemas.values():
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        Draft202012Validator.check_schema(schema)


def test_every_row_of_a_written_sample_export_is_valid(tmp_path: Path) -> None:
    folder = write_sample(tmp_path / "export")
    checked = 0
    for spec in contract.FILES:
        validator = _validator(f"{spec.table}.schema.json")
        for row in read_rows(folder, spec):
            assert list(validator.iter_errors(row)) == [], (spec.name, row)
            checked += 1
    assert checked == sum(len(rows) for rows in sample_tables().values())


def test_the_manifest_schema_accepts_a_written_manifest(tmp_path: Path) -> None:
    folder = write_sample(tmp_path / "export")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    validator = _validator("manifest.schema.json")
    assert list(validator.iter_errors(manifest)) == []
    assert validator.is_valid({**manifest, "encoding": "Windows-1252", "created_at": "2025-06-30T20:00:00Z"})


@pytest.mark.parametrize("fault", [
    {"format": "annat-format"},
    {"format_version": "2.0"},
    {"extract": "delta"},
    {"encoding": "latin-1"},
    {"municipality": "180"},
    {"created_at": "2025-06-30T22:00:00"},  # no offset
    {"created_at": "2025-06-30"},
])
def test_the_manifest_schema_rejects_a_faulty_manifest(tmp_path: Path, fault: dict[str, str]) -> None:
    folder = write_sample(tmp_path / "export")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert not _validator("manifest.schema.json").is_valid({**manifest, **fault})


def test_the_manifest_schema_wants_every_contract_file_listed(tmp_path: Path) -> None:
    folder = write_sample(tmp_path / "export")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"] = [f for f in manifest["files"] if f["name"] != "dokument.csv"]
    assert not _validator("manifest.schema.json").is_valid(manifest)


# Each fault the schema can see in one value; the model must refuse it too, with the given code.
FAULTS: list[tuple[str, dict[str, str], str]] = [
    ("arende", {"oppnat_datum": "2023/01/10"}, "V002"),
    ("arende", {"oppnat_datum": "2023-13-01"}, "V002"),
    ("arende", {"oppnat_datum": "10-01-2023"}, "V002"),
    ("arende", {"oppnat_datum": ""}, "V001"),
    ("arende", {"arende_id": " \t "}, "V001"),
    ("arende", {"arende_id": "A" * 41}, "V002"),
    ("arende", {"stadsdel": "brom ma"}, "V003"),
    ("aktualisering", {"typ": "BREV"}, "V003"),
    ("aktualisering", {"anmalare": "GRANNE"}, "V003"),
    ("aktualisering", {"anonym": "ja"}, "V002"),
    ("utredning", {"triangel_version": "2010"}, "V003"),
    ("utredning_bedomning", {"omrade": "BB_OKAND"}, "V003"),
    ("insats", {"lagrum": "LVU_9"}, "V003"),
    ("barn", {"kon": "0"}, "V003"),
    ("barn", {"folkbokford_kommun": "01800"}, "V002"),
    ("personal", {"bbic_anvandare": "1"}, "V002"),
]


@pytest.mark.parametrize(("table", "changes", "code"), FAULTS)
def test_the_schema_and_the_model_both_reject_a_faulty_value(table: str, changes: dict[str, str],
                                                              code: str) -> None:
    row = _row(table, **changes)
    errors = list(_validator(f"{table}.schema.json").iter_errors(row))
    assert errors, row
    assert {e.path[0] for e in errors if e.path} == set(changes)  # the fault is found on its column
    model, hits = parse_row(table, row)
    assert model is None and [h.code for h in hits] == [code]


def test_the_schema_accepts_what_the_contract_trims_and_folds() -> None:
    row = _row("aktualisering", 0, typ=" anmalan\t", anmalare="Foralder", anonym="j ", stadsdel=" Bromma",
               inkom_datum="\t2023-01-10 ", forhandsbedomning_beslut="inleda", extra_kolumn="x")
    assert _validator("aktualisering.schema.json").is_valid(row)
    model, hits = parse_row("aktualisering", row)
    assert model is not None and [h.code for h in hits] == ["V050"]


def test_a_missing_column_is_rejected_by_the_schema() -> None:
    row = _row("arende")
    del row["avslutat_datum"]
    assert not _validator("arende.schema.json").is_valid(row)


def test_every_code_column_carries_its_swedish_labels() -> None:
    for spec in contract.FILES:
        props = json_schema.row_schema(spec)["properties"]
        for col in spec.columns:
            if col.codes is not None:
                assert props[col.name]["x-labels"] == {c.code: c.label_sv for c in col.codes}
                assert props[col.name]["title"] == col.name
                assert col.description_sv in props[col.name]["description"]
    omrade = json_schema.row_schema(contract.UTREDNING_BEDOMNING)["properties"]["omrade"]
    assert omrade["x-versions"]["2016"] == codes.TRIANGEL_OMRADE_2016.values()
    labels = json_schema.row_schema(contract.AKTUALISERING)["properties"]["typ"]["x-labels"]
    assert labels["ANMALAN"] == "Anmälan"


def test_cross_field_rules_are_listed_on_their_files() -> None:
    aktualisering = set(json_schema.row_schema(contract.AKTUALISERING)["x-rules"])
    assert aktualisering >= {"V020", "V030", "V033", "V034", "V037"}
    assert "V031" in json_schema.row_schema(contract.UTREDNING)["x-rules"]
    assert "V035" in json_schema.row_schema(contract.DOKUMENT)["x-rules"]
    assert "V030" not in json_schema.row_schema(contract.DOKUMENT)["x-rules"]


def _yaml_with_string_dates(text: str) -> Any:
    """YAML as an editor's schema check sees it: dates stay `YYYY-MM-DD` strings."""
    class Loader(yaml.SafeLoader):
        pass

    Loader.yaml_implicit_resolvers = {
        key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return yaml.load(text, Loader=Loader)


def test_the_organisation_schema_accepts_the_sample_register_and_rejects_faults() -> None:
    data = _yaml_with_string_dates((SAMPLE_REGISTER / "organisation.yaml").read_text(encoding="utf-8"))
    validator = _validator("organisation.schema.json")
    assert list(validator.iter_errors(data)) == []
    assert not validator.is_valid({**data, "municipality": {"code": 180, "name": "Stockholm"}})
    bad_district = [{**data["districts"][0], "code": "Bromma Väst"}, *data["districts"][1:]]
    assert not validator.is_valid({**data, "districts": bad_district})
    assert not validator.is_valid({k: v for k, v in data.items() if k != "districts"})


def test_the_utbildning_schema() -> None:
    validator = _validator("utbildning.schema.json")
    good = {"handlaggare_id": "BR0007", "utbildning": " grundutbildning", "genomford_datum": "2009-03-02"}
    assert validator.is_valid(good)
    assert not validator.is_valid({**good, "utbildning": "KURS"})
    assert not validator.is_valid({**good, "handlaggare_id": ""})
    assert not validator.is_valid({**good, "genomford_datum": "2009"})


# --- the data dictionary ---------------------------------------------------------------------


def _md(text: str) -> str:
    return text


def _html(text: str) -> str:
    return str(escape(text))


@pytest.mark.parametrize(("render", "esc", "code_cell"), [
    (dictionary.markdown, _md, "`{}`"), (dictionary.html, _html, "<code>{}</code>")])
def test_the_dictionary_mentions_every_code_label_column_and_rule(render: Any, esc: Any,
                                                                  code_cell: str) -> None:
    text = render()
    for code_list in codes.CATALOGUE.values():
        assert esc(code_list.title_sv) in text
        for code in code_list:
            assert code_cell.format(esc(code.code)) in text, (code_list.name, code.code)
            assert esc(code.label_sv) in text
    for rule in rules.RULES:
        assert code_cell.format(rule.code) in text
        assert esc(rule.message_sv) in text and esc(rule.message_en) in text
    for spec in contract.FILES:
        assert spec.name in text
        for col in spec.columns:
            assert code_cell.format(col.name) in text and esc(col.description_sv) in text


def test_the_markdown_tables_keep_their_shape() -> None:
    for line in dictionary.markdown().splitlines():
        if line.startswith("| `"):
            cells = line.replace("\\|", "").count("|")
            assert cells in (6, 8, 5), line  # rules 5+1, codes 4+1, columns 7+1


def test_the_html_dictionary_escapes_text(monkeypatch: pytest.MonkeyPatch) -> None:
    view = dictionary.dictionary_view()
    rule = view.rules[0]
    hostile = type(rule)(rule.code, rule.level, rule.severity, rule.severity_code, "<script>x</script>",
                         "a & b")
    monkeypatch.setattr(dictionary, "dictionary_view", lambda: type(view)(
        view.format, view.version, view.files, view.contract_lists, view.other_lists, (hostile,)))
    html = dictionary.html()
    assert "<script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html and "a &amp; b" in html


# --- writing ---------------------------------------------------------------------------------


def test_write_specs_is_deterministic_and_complete(tmp_path: Path) -> None:
    first = write_specs(tmp_path / "a")
    second = write_specs(tmp_path / "b")
    assert [p.relative_to(tmp_path / "a").as_posix() for p in first] == list(SPEC_FILES)
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes()
    schema = json.loads((tmp_path / "a" / "schemas" / "barn.schema.json").read_text(encoding="utf-8"))
    assert schema == json_schema.row_schema(contract.BARN)


def test_the_cli_writes_every_file_and_lists_them(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["spec", "--out", str(tmp_path / "spec")])
    assert result.exit_code == 0, result.output
    for rel in SPEC_FILES:
        assert (tmp_path / "spec" / rel).is_file()
        assert Path(rel).name in result.output
    assert "13" in result.output
