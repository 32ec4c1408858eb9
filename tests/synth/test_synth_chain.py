"""The generated case chain is coherent: references resolve, dates are in order, nothing is in the future."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from synth_helpers import read_rows

from bbic_core import personnummer
from bbic_core.synth.generate import SynthResult
from bbic_core.synth.register_copy import read_register

AS_OF = dt.date(2026, 11, 24)
PLANNED = {"forlangd_till", "start_datum", "slut_datum", "anstalld_till"}


def _d(value: str) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _tables(result: SynthResult) -> dict[str, list[dict[str, str]]]:
    return {name.removesuffix(".csv"): read_rows(result.export_dir / name)[1] for name in result.row_counts}


def test_demo_is_the_size_asked_for(demo_clean: SynthResult) -> None:
    t = _tables(demo_clean)
    assert 150 <= len(t["barn"]) <= 600  # a few hundred children
    assert 400 <= len(t["aktualisering"]) <= 650  # about 260 a year for two years
    assert {r["stadsdel"] for r in t["aktualisering"]} == {"rinkeby_kista", "spanga_tensta"}
    assert all(len(t[name]) > 0 for name in t)


def test_personnummer_are_valid_and_agree_with_kon_and_fodelsedatum(demo_clean: SynthResult) -> None:
    barn = _tables(demo_clean)["barn"]
    numbers = [r for r in barn if r["personnummer"]]
    assert len(numbers) >= 0.95 * len(barn)
    for row in barn:
        parsed = personnummer.parse(row["personnummer"]) if row["personnummer"] else None
        if row["personnummer"]:
            assert parsed is not None, "synthetic number must be valid"
            if row["kon"]:
                assert row["kon"] == parsed.sex
            if row["fodelsedatum"]:
                assert _d(row["fodelsedatum"]) == parsed.birth_date
        else:
            assert row["fodelsedatum"], "a child without a number needs a birth date"
    assert len({r["personnummer"].replace("-", "") for r in numbers}) == len(numbers)


def test_every_reference_resolves_to_the_same_child(demo_clean: SynthResult) -> None:
    t = _tables(demo_clean)
    owner = {name: {r[f"{name}_id"]: r["barn_id"] for r in t[name]}
             for name in ("arende", "aktualisering", "utredning", "insats")}
    children = {r["barn_id"] for r in t["barn"]}
    staff = {r["handlaggare_id"] for r in t["personal"]}
    for name, rows in t.items():
        for row in rows:
            if "barn_id" in row:
                assert row["barn_id"] in children
            for ref, target in (("arende_id", "arende"), ("aktualisering_id", "aktualisering"),
                                ("utredning_id", "utredning"), ("insats_id", "insats")):
                if name == target or not row.get(ref):
                    continue
                assert row[ref] in owner[target], (name, ref)
                if "barn_id" in row:
                    assert owner[target][row[ref]] == row["barn_id"], (name, ref)
            if row.get("handlaggare_id") and name != "personal":
                assert row["handlaggare_id"] in staff


def test_dates_are_in_order_and_not_after_the_as_of_date(demo_clean: SynthResult) -> None:
    t = _tables(demo_clean)
    for name, rows in t.items():
        for row in rows:
            for col, value in row.items():
                if col in PLANNED or not value or not (col.endswith("_datum") or col.startswith("anstalld")):
                    continue
                assert dt.date(1900, 1, 1) <= _d(value) <= AS_OF, (name, col)  # type: ignore[operator]
    cases = {r["arende_id"]: r for r in t["arende"]}
    for r in t["aktualisering"]:
        inkom = _d(r["inkom_datum"])
        for col in ("skyddsbedomning_datum", "forhandsbedomning_datum"):
            assert r[col] == "" or _d(r[col]) >= inkom  # type: ignore[operator]
        assert bool(r["forhandsbedomning_datum"]) == bool(r["forhandsbedomning_beslut"])
        if r["arende_id"]:
            case = cases[r["arende_id"]]
            assert _d(case["oppnat_datum"]) <= inkom  # type: ignore[operator]
            assert not case["avslutat_datum"] or inkom <= _d(case["avslutat_datum"])  # type: ignore[operator]
    for r in t["utredning"]:
        inledd = _d(r["inledd_datum"])
        for col in ("utredningsplan_datum", "avslutad_datum"):
            assert r[col] == "" or _d(r[col]) >= inledd  # type: ignore[operator]
        assert r["forlangd_till"] == "" or _d(r["forlangd_till"]) > inledd  # type: ignore[operator]
        assert bool(r["resultat"]) == bool(r["avslutad_datum"])
    for r in t["insats"]:
        start = _d(r["start_datum"]) or _d(r["beslut_datum"])
        assert r["slut_datum"] == "" or _d(r["slut_datum"]) >= start  # type: ignore[operator]
        if r["lagrum"] != "SOL":
            assert r["insatstyp"] in {"FAMILJEHEM", "NATVERKSHEM", "JOURHEM", "HVB", "SIS", "STODBOENDE"}


def test_the_chain_has_every_step_in_plausible_shares(demo_clean: SynthResult) -> None:
    t = _tables(demo_clean)
    typ = Counter(r["typ"] for r in t["aktualisering"])
    assert typ["ANMALAN"] > typ["INFORMATION"] > 0 and typ["ANSOKAN"] > 0
    assert all(r["forhandsbedomning_beslut"] == "INLEDA" for r in t["aktualisering"]
               if r["typ"] == "ANSOKAN" and r["forhandsbedomning_beslut"])
    decided = Counter(r["forhandsbedomning_beslut"] for r in t["aktualisering"] if r["typ"] != "ANSOKAN")
    assert decided["INTE_INLEDA"] > decided["INLEDA"] > 0
    docs = Counter(r["typ"] for r in t["dokument"])
    assert {"GRUNDUPPGIFTER", "VARDPLAN", "GENOMFORANDEPLAN", "PLACERINGSINFORMATION", "UPPFOLJNING",
            "AVSLUTNING"} <= set(docs)
    assert docs["OVERVAGANDE"] + docs["OMPROVNING"] > 0
    assert any(r["forlangd_till"] for r in t["utredning"])
    assert any(not r["utredningsplan_datum"] for r in t["utredning"])
    assert {r["lagrum"] for r in t["insats"]} >= {"SOL", "LVU_2"}


def test_staff_holds_the_register_people_and_their_training(demo_clean: SynthResult) -> None:
    t = _tables(demo_clean)
    staff = {r["handlaggare_id"]: r for r in t["personal"]}
    reg = read_register(demo_clean.register_dir / "organisation.yaml", None)
    assert reg.districts == ("rinkeby_kista", "spanga_tensta")
    for a in reg.appointments:
        assert staff[a.handlaggare_id]["stadsdel"] == a.district
    _, training = read_rows(demo_clean.register_dir / "utbildning.csv")
    kinds = Counter(r["utbildning"] for r in training)
    assert kinds["GRUNDUTBILDNING"] > 0 and kinds["UTBILDARUTBILDNING"] > 0
    basic = {"GRUNDUTBILDNING", "SOS_GRUNDUTBILDNING"}
    trained = {r["handlaggare_id"] for r in training if r["utbildning"] in basic}
    users = [h for h, r in staff.items() if r["bbic_anvandare"] == "J"]
    assert 0.7 * len(users) <= len(trained & set(users)) <= len(users)
    assert all(h in staff for h in {r["handlaggare_id"] for r in training})
