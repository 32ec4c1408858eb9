"""The built-in Stockholm register loads and holds the planted demo cases."""

from __future__ import annotations

import datetime as dt
import re

from bbic_core.register import load_register, sample_register_dir
from bbic_core.scopes import Scope, ScopeLevel

D = dt.date(2026, 11, 25)
PREFIXES = {
    "rinkeby_kista": "RK", "spanga_tensta": "ST", "hasselby_vallingby": "HV", "bromma": "BR",
    "kungsholmen": "KU", "norrmalm": "NO", "ostermalm": "OS", "sodermalm": "SO",
    "hagersten_liljeholmen": "HL", "skarholmen": "SK", "alvsjo": "AL",
    "enskede_arsta_vantor": "EA", "farsta": "FA", "skarpnack": "SN",
}


def test_sample_has_stockholms_organisation() -> None:
    reg = load_register(sample_register_dir(), today=D)
    assert (reg.municipality.code, reg.municipality.name) == ("0180", "Stockholm")
    assert reg.district_codes() == set(PREFIXES)
    assert reg.district("enskede_arsta_vantor").name == "Enskede-Årsta-Vantör"
    assert {n.code: n.name for n in reg.networks} == {
        "vasterort": "Västerort", "city": "City", "sydvast": "Sydväst", "sydost": "Sydost"}
    assert reg.network("vasterort").districts == [
        "rinkeby_kista", "spanga_tensta", "hasselby_vallingby", "bromma"]
    assert reg.network_of("alvsjo", D) == "sydvast"
    assert reg.utbildning == []
    assert reg.warnings == ["utbildning.csv: no training file in the register: nobody counts as trained"]
    assert reg.settings.provolicens_manader == 24 and reg.settings.varning_dagar == 90


def test_sample_ids_follow_the_district_prefix() -> None:
    reg = load_register(sample_register_dir(), today=D)
    for district in reg.districts:
        assert district.bbic_ansvarig and 1 <= len(district.lokala_utbildare) <= 3
        for appointment in [*district.bbic_ansvarig, *district.lokala_utbildare]:
            assert re.fullmatch(PREFIXES[district.code] + r"[0-9]{4}", appointment.handlaggare_id)


def test_sample_demo_cases_as_of_2026_11_25() -> None:
    reg = load_register(sample_register_dir(), today=D)
    farsta = reg.licence_at("farsta", D)
    assert farsta.typ == "PROVOLICENS" and farsta.end == dt.date(2027, 1, 15)
    assert farsta.days_left(D) is not None and farsta.days_left(D) <= reg.settings.varning_dagar
    assert not farsta.application_sent(D)
    assert reg.bbic_ansvarig_at("ostermalm", D) == []
    assert reg.licence_at("alvsjo", D).typ == "INGEN"
    others = reg.district_codes() - {"farsta", "alvsjo"}
    assert {reg.licence_at(code, D).typ for code in others} == {"LICENS"}
    assert all(reg.bbic_ansvarig_at(code, D) for code in reg.district_codes() - {"ostermalm"})
    assert [s.enhet for s in reg.underlicenser_at({"0180"}, D)] == ["Socialjouren"]
    assert [s.enhet for s in reg.underlicenser_at({"hasselby_vallingby"}, D)] == ["Ungdomsboendet Vällingby"]
    assert reg.underlicenser_at({"kungsholmen"}, D) == []
    assert reg.licence_at("enskede_arsta_vantor", dt.date(2010, 10, 1)).typ == "INGEN"


def test_sample_scopes() -> None:
    reg = load_register(sample_register_dir(), today=D)
    assert len(reg.districts_for_scope(Scope(ScopeLevel.MUNICIPALITY, "0180"), D)) == 14
    assert reg.districts_for_scope(Scope(ScopeLevel.NETWORK, "sydost"), D) == [
        "enskede_arsta_vantor", "farsta", "skarpnack"]
    assert reg.districts_for_scope(Scope(ScopeLevel.DISTRICT, "bromma"), D) == ["bromma"]
