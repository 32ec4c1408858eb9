"""Small helpers that write the SQL of the row rules: literals, names and the shape of one rule hit.

Every rule contributes `INSERT INTO _v_hits SELECT …` statements whose rows are
(tbl, line, column_name, code, severity, message, counts); `counts` says whether the hit
counts towards X008 (an error the row broke itself).
"""

from __future__ import annotations

from collections.abc import Iterable

from bbic_core import rules

HITS = "_v_hits"
# Lines already in quarantine (any error, or a V004W copy): what V005 cascades over.
QUARANTINED = "_v_quarantined"
# Personal-number shapes (10 or 12 digits, optional separator): masked wherever free text may hold one.
PNR_LIKE = r"\d{6}(?:\d{2})?[-+]?\d{4}"
DATE_SHAPE = "[0-9]{4}-[0-9]{2}-[0-9]{2}"


def lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def in_list(values: Iterable[str]) -> str:
    items = sorted(values)
    return "(" + ", ".join(lit(v) for v in items) + ")" if items else "(NULL)"


def n_table(table: str) -> str:
    """The normalised rows of a contract table (trimmed, empty → null, codes cased, dates parsed)."""
    return f"_v_n_{table}"


def raw_table(table: str) -> str:
    """The rows as read (personal numbers already replaced), with unknown columns as `_u0`, `_u1`, …"""
    return f"_v_raw_{table}"


def date_col(column: str) -> str:
    """The parsed twin of a date column in the normalised table (null when absent or unparsable)."""
    return ident(column + "__d")


def flag_col(column: str) -> str:
    return ident(column + "__b")


def safe_value(expr: str) -> str:
    """A value fit for a message: personal-number shapes masked, at most 40 characters."""
    return f"left(regexp_replace({expr}, {lit(PNR_LIKE)}, '***', 'g'), 40)"


def message(code: str, detail_sql: str | None = None) -> str:
    """SQL for a finding's message: the catalogue's Swedish text, then a detail when given."""
    base = lit(rules.rule(code).message_sv)
    return base if detail_sql is None else f"{base} || ': ' || {detail_sql}"


def severity(code: str) -> str:
    return rules.rule(code).severity.value


def hit(table: str, code: str, column: str | None, *, where: str, msg: str | None = None,
        source: str | None = None, alias: str = "r", counts: bool | None = None) -> str:
    """One INSERT of the rows of `table` (alias `r`) that satisfy `where` as hits of `code`."""
    rule = rules.rule(code)
    counted = rule.counts_as_error if counts is None else counts
    col = "NULL" if column is None else lit(column)
    return (
        f"INSERT INTO {HITS} SELECT {lit(table)}, {alias}._line, {col}, {lit(code)}, {lit(severity(code))}, "
        f"{msg or message(code)}, {'true' if counted else 'false'} "
        f"FROM {source or n_table(table)} {alias} WHERE {where}"
    )
