"""Every register error names the file, the line and the key."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from register_helpers import SMALL_YAML, line_of, write_register

from bbic_core.register import RegisterError, load_register


def _error(folder: Path) -> RegisterError:
    with pytest.raises(RegisterError) as caught:
        load_register(folder)
    return caught.value


def _text_error(tmp_path: Path, text: str) -> RegisterError:
    return _error(write_register(tmp_path, text))


def _replaced(old: str, new: str, text: str = SMALL_YAML) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def _assert_error(error: RegisterError, line: int, key: str, *words: str) -> None:
    assert (error.file, error.line, error.key) == ("organisation.yaml", line, key)
    assert str(error).startswith(f"organisation.yaml:{line}: {key}: ")
    for word in words:
        assert word in str(error)


def test_small_register_loads(tmp_path: Path) -> None:
    reg = load_register(write_register(tmp_path))
    assert reg.district_codes() == {"bromma", "spanga"}


@pytest.mark.parametrize("code", ["0180", "0123", "180"])
def test_unquoted_municipality_code_is_refused(tmp_path: Path, code: str) -> None:
    text = _replaced('{code: "0180", name: Stockholm}', f"{{code: {code}, name: Stockholm}}")
    _assert_error(_text_error(tmp_path, text), 1, "municipality.code", "quote", code)


def test_unquoted_huvudman_is_refused(tmp_path: Path) -> None:
    text = _replaced('huvudman: "0180"', "huvudman: 0180")
    _assert_error(_text_error(tmp_path, text), line_of(text, "Socialjouren"), "underlicenser[0].huvudman",
                  "quote")


def test_bad_district_code(tmp_path: Path) -> None:
    text = _replaced("  - code: spanga\n", "  - code: Spånga-Tensta\n")
    text = _replaced("[bromma, spanga]", "[bromma]", text)
    _assert_error(_text_error(tmp_path, text), line_of(text, "code: Spånga-Tensta"), "districts[1].code",
                  "not a valid code")


def test_network_naming_an_unknown_district(tmp_path: Path) -> None:
    text = _replaced("[bromma, spanga]", "[bromma, spanga, kista]")
    _assert_error(_text_error(tmp_path, text), 3, "networks[0].districts[2]", "unknown district kista")


def test_district_in_two_networks_at_the_same_time(tmp_path: Path) -> None:
    text = _replaced("districts:\n", "  - {code: vast, name: Väst, districts: [bromma], from: 2019-01-01}\n"
                     "districts:\n")
    _assert_error(_text_error(tmp_path, text), 4, "networks[1].districts[0]",
                  "bromma is also in network vasterort")


def test_district_may_change_network_over_time(tmp_path: Path) -> None:
    text = _replaced("[bromma, spanga]}", "[bromma, spanga], to: 2018-12-31}")
    text = _replaced("districts:\n", "  - {code: vast, name: Väst, districts: [bromma], from: 2019-01-01}\n"
                     "districts:\n", text)
    reg = load_register(write_register(tmp_path, text))
    assert reg.network_of("bromma", dt.date(2018, 12, 31)) == "vasterort"
    assert reg.network_of("bromma", dt.date(2019, 1, 1)) == "vast"
    assert reg.network_of("spanga", dt.date(2019, 1, 1)) is None


def test_two_licences_granted_the_same_day(tmp_path: Path) -> None:
    text = _replaced("beviljad: 2011-01-15", "beviljad: 2008-10-31")
    _assert_error(_text_error(tmp_path, text), line_of(text, "{typ: LICENS"),
                  "districts[0].licenser[1].beviljad", "two licences of bromma")


def test_unknown_key_is_refused(tmp_path: Path) -> None:
    text = _replaced("    name: Spånga\n", "    name: Spånga\n    bbic_ansvarg: []\n")
    _assert_error(_text_error(tmp_path, text), line_of(text, "bbic_ansvarg"), "districts[1].bbic_ansvarg",
                  "unknown key")


def test_missing_key_points_at_its_parent(tmp_path: Path) -> None:
    text = _replaced("{handlaggare_id: BR0002, from: 2015-09-01}", "{handlaggare_id: BR0002}")
    _assert_error(_text_error(tmp_path, text), line_of(text, "{handlaggare_id: BR0002}"),
                  "districts[0].bbic_ansvarig[1].from", "required")


def test_unknown_licence_type(tmp_path: Path) -> None:
    text = _replaced("{typ: LICENS,", "{typ: LICENSE,")
    _assert_error(_text_error(tmp_path, text), line_of(text, "LICENSE"), "districts[0].licenser[1].typ",
                  "PROVOLICENS")


def test_to_before_from(tmp_path: Path) -> None:
    text = _replaced("from: 2009-01-01, to: 2012-12-31", "from: 2009-01-01, to: 2008-12-31")
    _assert_error(_text_error(tmp_path, text), line_of(text, "Hemmet"), "underlicenser[1].to",
                  "before from 2009-01-01")


def test_huvudman_must_be_district_or_municipality(tmp_path: Path) -> None:
    text = _replaced("huvudman: bromma", "huvudman: kista")
    _assert_error(_text_error(tmp_path, text), line_of(text, "Hemmet"), "underlicenser[1].huvudman",
                  "kista")


def test_impossible_date(tmp_path: Path) -> None:
    text = _replaced("beviljad: 2011-01-15", "beviljad: 2011-02-30")
    _assert_error(_text_error(tmp_path, text), line_of(text, "2011-02-30"),
                  "districts[0].licenser[1].beviljad", "2011-02-30")


def test_duplicate_key(tmp_path: Path) -> None:
    text = _replaced("    to: 2019-12-31\n", "    to: 2019-12-31\n    to: 2020-12-31\n")
    _assert_error(_text_error(tmp_path, text), line_of(text, "to: 2020-12-31"), "districts[1].to",
                  "twice")


def test_yaml_syntax_error_has_a_line(tmp_path: Path) -> None:
    text = _replaced("    name: Spånga\n", "    name: [Spånga\n")
    error = _text_error(tmp_path, text)
    assert error.file == "organisation.yaml" and error.key is None
    assert error.line is not None and error.line >= line_of(text, "[Spånga")
    assert str(error).startswith(f"organisation.yaml:{error.line}: YAML syntax")


def test_several_errors_are_kept_together(tmp_path: Path) -> None:
    text = _replaced("huvudman: bromma", "huvudman: kista")
    text = _replaced("[bromma, spanga]", "[bromma, kista]", text)
    error = _text_error(tmp_path, text)
    assert [(e.line, e.key) for e in error.all_errors()] == [
        (3, "networks[0].districts[1]"), (line_of(text, "Hemmet"), "underlicenser[1].huvudman")]


def test_missing_organisation_file(tmp_path: Path) -> None:
    error = _error(tmp_path)
    assert (error.file, error.line, error.key) == ("organisation.yaml", None, None)
    assert str(error).startswith("organisation.yaml: missing")


def test_empty_organisation_file(tmp_path: Path) -> None:
    error = _error(write_register(tmp_path, ""))
    assert error.line == 1 and "mapping" in str(error)
