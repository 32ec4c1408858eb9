"""Rules on the content of one row (V030–V035, V037) or of an assessment against its investigation (V036)."""

from __future__ import annotations

from bbic_core import codes
from bbic_core.validation.rows.sql import (
    HITS,
    Statement,
    hit,
    in_list,
    lit,
    message,
    n_table,
    safe_value,
    severity,
)


def statements() -> list[Statement]:
    return [
        # V030: a pre-assessment decision has both its date and its outcome, or neither.
        hit("aktualisering", "V030", "forhandsbedomning_beslut",
            where="(r.forhandsbedomning_datum IS NULL) <> (r.forhandsbedomning_beslut IS NULL)"),
        # V031: resultat belongs to closed investigations only.
        hit("utredning", "V031", "resultat", where="(r.avslutad_datum IS NULL) <> (r.resultat IS NULL)"),
        # V032: LVU is compulsory care: only on placement types.
        hit("insats", "V032", "lagrum",
            where=f"r.lagrum IN {in_list(codes.LVU_LAGRUM)} AND r.insatstyp IN {in_list(_open_types())}",
            msg=message("V032", "r.lagrum || ' på ' || r.insatstyp")),
        # V033: a reporter with a duty to report (14 kap. 1 § SoL) cannot be anonymous.
        hit("aktualisering", "V033", "anonym",
            where=f"r.anonym = 'J' AND r.anmalare IN {in_list(codes.DUTY_TO_REPORT)}"),
        hit("aktualisering", "V034", "anmalare", where="r.typ = 'ANMALAN' AND r.anmalare IS NULL"),
        hit("dokument", "V035", "insats_id",
            where=f"r.typ IN {in_list(codes.INTERVENTION_DOCUMENTS)} AND r.insats_id IS NULL",
            msg=message("V035", "r.typ")),
        _v036(),
        hit("aktualisering", "V037", "skyddsbedomning_datum",
            where="r.typ = 'ANMALAN' AND r.skyddsbedomning_datum IS NULL"),
    ]


def _open_types() -> list[str]:
    return [c for c in codes.INSATSTYP.values() if c not in codes.PLACEMENT_TYPES]


def _v036() -> str:
    """An area of the other triangle version; its investigation's version (default 2006) decides."""
    v2006 = in_list(codes.TRIANGEL_OMRADE_2006.values())
    v2016 = in_list(codes.TRIANGEL_OMRADE_2016.values())
    return f"""
        INSERT INTO {HITS}
        SELECT DISTINCT 'utredning_bedomning', r._line, 'omrade', 'V036', {lit(severity("V036"))},
               {message("V036", safe_value("r.omrade") + " || ' i version ' || u.version")}, true
        FROM {n_table('utredning_bedomning')} r JOIN (
            SELECT utredning_id, coalesce(triangel_version, '2006') AS version FROM {n_table('utredning')}
        ) u ON u.utredning_id = r.utredning_id
        WHERE (u.version = '2006' AND r.omrade NOT IN {v2006} AND r.omrade IN {v2016})
           OR (u.version = '2016' AND r.omrade NOT IN {v2016} AND r.omrade IN {v2006})
    """
