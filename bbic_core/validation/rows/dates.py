"""V020 (dates out of order), V021 (after the as-of date), V022 (before 1900), V023 (age at the event
outside 0–20), V024 (event outside its case's open period). Unparsable dates (V002) are absent here."""

from __future__ import annotations

from bbic_core import contract
from bbic_core.validation.rows import inputs
from bbic_core.validation.rows.row_context import RowContext
from bbic_core.validation.rows.sql import HITS, Statement, date_col, hit, lit, message, n_table, severity

# insats: an empty start_datum means the decision date (contract), so V020 orders slut_datum against that.
_EFFECTIVE = {
    ("insats", "start_datum"): f"coalesce(r.{date_col('start_datum')}, r.{date_col('beslut_datum')})",
}
_MIN_DATE = "DATE '1900-01-01'"
# Completed years on the event's date; a child born on 29 February completes a year on 1 March.
_AGE = ("(year({e}) - year({b}) - CASE WHEN month({e}) * 100 + day({e}) < month({b}) * 100 + day({b}) "
        "THEN 1 ELSE 0 END)")


def _dates(spec: contract.FileSpec) -> list[str]:
    return [c.name for c in spec.columns if c.kind is contract.Kind.DATE]


def statements(spec: contract.FileSpec, ctx: RowContext) -> list[Statement]:
    t = spec.table
    out: list[Statement] = []
    for order in spec.date_order:
        later = f"r.{date_col(order.later)}"
        earlier = _EFFECTIVE.get((t, order.earlier), f"r.{date_col(order.earlier)}")
        op = "<=" if order.strict else "<"
        out.append(hit(t, "V020", order.later, where=f"{later} {op} {earlier}",
                       msg=message("V020", lit(f"{order.later} före {order.earlier}"))))
    as_of = f"DATE {lit(ctx.as_of.isoformat())}"
    for name in _dates(spec):
        d = f"r.{date_col(name)}"
        if name not in contract.PLANNED_DATES:
            out.append(hit(t, "V021", name, where=f"{d} > {as_of}",
                           msg=message("V021", lit(f"{name} efter {ctx.as_of.isoformat()}"))))
        out.append(hit(t, "V022", name, where=f"{d} < {_MIN_DATE}"))
    for name in _dates(spec):
        if name in contract.EVENT_DATES:
            out.append(_v023(t, name))
            out.append(_v024(t, name))
    return out


def _v023(t: str, event: str) -> str:
    e = f"r.{date_col(event)}"
    age = _AGE.format(e=e, b="b.birth")
    return f"""
        INSERT INTO {HITS}
        SELECT DISTINCT {lit(t)}, r._line, {lit(event)}, 'V023', {lit(severity("V023"))},
               {message("V023", f"'{event}: ' || CASE WHEN {e} < b.birth THEN 'före födelsen' "
                                f"ELSE {age}::VARCHAR || ' år' END")}, false
        FROM {n_table(t)} r JOIN (
            SELECT barn_id,
                   CASE WHEN {inputs.PNR_VALID} THEN {inputs.PNR_BIRTH}
                        ELSE {date_col('fodelsedatum')} END AS birth
            FROM {n_table('barn')}
        ) b ON b.barn_id = r.barn_id
        WHERE b.birth IS NOT NULL AND {e} IS NOT NULL AND ({e} < b.birth OR {age} > 20)
    """


def _v024(t: str, event: str) -> str:
    e = f"r.{date_col(event)}"
    opened, closed = f"a.{date_col('oppnat_datum')}", f"a.{date_col('avslutat_datum')}"
    return f"""
        INSERT INTO {HITS}
        SELECT DISTINCT {lit(t)}, r._line, {lit(event)}, 'V024', {lit(severity("V024"))},
               {message("V024", lit(f"{event} utanför ärendets period"))}, false
        FROM {n_table(t)} r JOIN {n_table('arende')} a ON a.arende_id = r.arende_id
        WHERE {e} IS NOT NULL AND {opened} IS NOT NULL
          AND ({e} < {opened} OR ({closed} IS NOT NULL AND {e} > {closed}))
    """
