"""V001 (required value missing), V002 (value does not parse or is too long), V003 (code not in its
list, including an unknown `stadsdel`), V006 (more fields than the header)."""

from __future__ import annotations

from bbic_core import contract
from bbic_core.validation.rows.row_context import RowContext
from bbic_core.validation.rows.sql import (
    Statement,
    date_col,
    flag_col,
    hit,
    ident,
    in_list,
    lit,
    message,
    safe_value,
)


def statements(spec: contract.FileSpec, ctx: RowContext) -> list[Statement]:
    out: list[Statement] = []
    t = spec.table
    for column in spec.columns:
        c = f"r.{ident(column.name)}"
        if column.kind is contract.Kind.PERSONNUMMER:
            continue  # an invalid number is V010 (personnummer_rules)
        if column.required:
            out.append(hit(t, "V001", column.name, where=f"{c} IS NULL"))
        detail = message("V002", safe_value(c))
        if column.kind is contract.Kind.DATE:
            unparsed = f"{c} IS NOT NULL AND r.{date_col(column.name)} IS NULL"
            out.append(hit(t, "V002", column.name, where=unparsed, msg=detail))
        elif column.kind is contract.Kind.FLAG:
            unparsed = f"{c} IS NOT NULL AND r.{flag_col(column.name)} IS NULL"
            out.append(hit(t, "V002", column.name, where=unparsed, msg=detail))
        elif column.kind is contract.Kind.MUNICIPALITY:
            unparsed = f"NOT regexp_full_match({c}, '[0-9]{{4}}')"
            out.append(hit(t, "V002", column.name, where=unparsed, msg=detail))
        if column.max_length is not None:
            out.append(hit(t, "V002", column.name, where=f"length({c}) > {column.max_length}",
                           msg=message("V002", lit(f"längre än {column.max_length} tecken"))))
        if column.kind is contract.Kind.CODE and column.codes is not None:
            out.append(hit(t, "V003", column.name, where=f"{c} NOT IN {in_list(column.codes.values())}",
                           msg=message("V003", safe_value(c))))
        if column.kind is contract.Kind.DISTRICT and ctx.districts is not None:
            # A code too long for a district is already V002.
            unknown = f"{c} NOT IN {in_list(ctx.districts)} AND length({c}) <= {contract.TEXT_MAX}"
            out.append(hit(t, "V003", column.name, where=unknown,
                           msg=message("V003", lit("okänd stadsdel ") + " || " + safe_value(c))))
    out.append(hit(t, "V006", None, where="r._extra IS NOT NULL"))
    return out
