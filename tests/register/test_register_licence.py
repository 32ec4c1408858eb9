"""Licences, appointments, sub-licences and scopes on the edges of their dates (register.md)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from register_helpers import write_register

from bbic_core.register import Register, UnknownCodeError, load_register
from bbic_core.scopes import Scope, ScopeLevel

D = dt.date


def _register(licenser: list[dict[str, Any]], months: int = 24) -> Register:
    return Register.model_validate({
        "municipality": {"code": "0180", "name": "Stockholm"},
        "districts": [{"code": "bromma", "name": "Bromma", "licenser": licenser}],
        "settings": {"provolicens_manader": months},
    })


@pytest.fixture
def small(tmp_path: Path) -> Register:
    return load_register(write_register(tmp_path), today=D(2026, 11, 25))


@pytest.mark.parametrize(("day", "typ", "end"), [
    (D(2008, 10, 30), "INGEN", None),  # the day before beviljad
    (D(2008, 10, 31), "PROVOLICENS", D(2010, 2, 28)),  # beviljad; 16 months clamp 31 → 28 February
    (D(2010, 2, 27), "PROVOLICENS", D(2010, 2, 28)),
    (D(2010, 2, 28), "INGEN", None),  # end is exclusive
    (D(2011, 1, 14), "INGEN", None),
    (D(2011, 1, 15), "LICENS", D(2020, 7, 1)),
    (D(2020, 6, 30), "LICENS", D(2020, 7, 1)),  # `to` is the last day
    (D(2020, 7, 1), "INGEN", None),  # to + 1 day
])
def test_licence_in_force_on_the_edges(small: Register, day: dt.date, typ: str, end: dt.date | None) -> None:
    status = small.licence_at("bromma", day)
    assert (status.typ, status.end) == (typ, end)


def test_trial_licence_ends_at_the_next_licence() -> None:
    reg = _register([{"typ": "LICENS", "beviljad": "2010-03-01"},  # out of order on purpose
                     {"typ": "PROVOLICENS", "beviljad": "2008-05-15", "ansokan_licens": "2010-01-10"}])
    trial = reg.licence_at("bromma", D(2010, 2, 28))
    assert (trial.typ, trial.beviljad, trial.end) == ("PROVOLICENS", D(2008, 5, 15), D(2010, 3, 1))
    assert trial.last_day == D(2010, 2, 28)
    licence = reg.licence_at("bromma", D(2010, 3, 1))
    assert (licence.typ, licence.end, licence.days_left(D(2030, 1, 1))) == ("LICENS", None, None)
    assert [p.typ for p in reg.licence_periods("bromma")] == ["PROVOLICENS", "LICENS"]


def test_trial_licence_ends_by_months_and_by_to() -> None:
    by_months = _register([{"typ": "PROVOLICENS", "beviljad": "2024-10-31"}], months=4)
    assert by_months.licence_at("bromma", D(2025, 2, 27)).end == D(2025, 2, 28)
    assert by_months.licence_at("bromma", D(2025, 2, 28)).typ == "INGEN"
    by_to = _register([{"typ": "PROVOLICENS", "beviljad": "2024-10-31", "to": "2025-01-15"}], months=4)
    assert by_to.licence_at("bromma", D(2025, 1, 15)).end == D(2025, 1, 16)
    assert by_to.licence_at("bromma", D(2025, 1, 16)).typ == "INGEN"


def test_trial_licence_days_left_and_application() -> None:
    reg = _register([{"typ": "PROVOLICENS", "beviljad": "2025-01-15", "ansokan_licens": "2026-11-25"}])
    status = reg.licence_at("bromma", D(2026, 11, 25))
    assert status.days_left(D(2026, 11, 25)) == 51
    assert status.application_sent(D(2026, 11, 25))
    assert not status.application_sent(D(2026, 11, 24))


def test_appointments_on_the_edges(small: Register) -> None:
    assert small.bbic_ansvarig_at("bromma", D(2008, 2, 29)) == []
    assert small.bbic_ansvarig_at("bromma", D(2008, 3, 1)) == ["BR0001"]
    assert small.bbic_ansvarig_at("bromma", D(2015, 8, 31)) == ["BR0001"]
    assert small.bbic_ansvarig_at("bromma", D(2015, 9, 1)) == ["BR0002"]
    assert small.bbic_ansvarig_at("bromma", D(2099, 1, 1)) == ["BR0002"]  # no `to`: open
    assert small.lokala_utbildare_at("bromma", D(2008, 1, 31)) == []
    assert small.lokala_utbildare_at("bromma", D(2008, 2, 1)) == ["BR0003"]
    assert small.bbic_ansvarig_at("spanga", D(2015, 9, 1)) == []


def test_sub_licences_on_the_edges(small: Register) -> None:
    both = {"0180", "bromma"}
    assert [s.enhet for s in small.underlicenser_at(both, D(2008, 12, 31))] == ["Socialjouren"]
    assert [s.enhet for s in small.underlicenser_at(both, D(2009, 1, 1))] == ["Socialjouren", "Hemmet"]
    assert [s.enhet for s in small.underlicenser_at(both, D(2012, 12, 31))] == ["Socialjouren", "Hemmet"]
    assert [s.enhet for s in small.underlicenser_at(both, D(2013, 1, 1))] == ["Socialjouren"]
    assert [s.enhet for s in small.underlicenser_at({"bromma"}, D(2010, 1, 1))] == ["Hemmet"]
    assert small.underlicenser_at({"spanga"}, D(2010, 1, 1)) == []


def test_scope_takes_districts_in_force_on_the_last_day(small: Register) -> None:
    network, municipality = Scope(ScopeLevel.NETWORK, "vasterort"), Scope(ScopeLevel.MUNICIPALITY, "0180")
    assert small.districts_for_scope(network, D(2019, 12, 31)) == ["bromma", "spanga"]
    assert small.districts_for_scope(network, D(2020, 1, 31)) == ["bromma"]  # spanga ended 2019-12-31
    assert small.districts_for_scope(municipality, D(2020, 1, 31)) == ["bromma", "spanga"]
    assert small.districts_for_scope(Scope(ScopeLevel.DISTRICT, "spanga"), D(2020, 1, 31)) == []
    assert small.districts_for_scope(Scope(ScopeLevel.DISTRICT, "spanga"), D(2019, 12, 31)) == ["spanga"]
    assert [d.code for d in small.districts_in_force(D(2020, 1, 1))] == ["bromma"]
    assert small.district_codes() == {"bromma", "spanga"}


def test_unknown_codes_raise(small: Register) -> None:
    with pytest.raises(UnknownCodeError):
        small.districts_for_scope(Scope(ScopeLevel.NETWORK, "city"), D(2020, 1, 1))
    with pytest.raises(UnknownCodeError):
        small.districts_for_scope(Scope(ScopeLevel.MUNICIPALITY, "0181"), D(2020, 1, 1))
    with pytest.raises(UnknownCodeError):
        small.licence_at("kista", D(2020, 1, 1))


def test_register_built_in_code_is_checked_too() -> None:
    with pytest.raises(ValidationError, match="two licences of bromma"):
        _register([{"typ": "PROVOLICENS", "beviljad": "2008-05-15"},
                   {"typ": "LICENS", "beviljad": "2008-05-15"}])
