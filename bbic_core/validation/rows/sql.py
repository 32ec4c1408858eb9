"""Small helpers that write the SQL of the row rules: literals, names and the shape of one rule hit.

Every rule contributes rows (tbl, line, column_name, code, severity, message, counts) to
`_v_hits`; `counts` says whether the hit counts towards X008 (an error the row broke itself).
A rule that looks at one row of one table is a `Hit` (a condition, not yet SQL): the engine
merges all of a table's `Hit`s into one statement that reads the table once. Rules that join
tables are `INSERT INTO _v_hits …` statements of their own.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bbic_core import rules
from bbic_core.personnummer import PERSONAL_NUMBER_ROUGH_RE2

HITS = "_v_hits"
# Lines already in quarantine (any error, or a V004W copy): what V005 cascades over.
QUARANTINED = "_v_quarantined"
# Personal-number shapes (10 or 12 digits, optional separator): masked wherever free text may hold one.
PNR_LIKE = PERSONAL_NUMBER_ROUGH_RE2
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
    """The rows whose values as read differ from their normalised form (padding, case), as read."""
    return f"_v_raw_{table}"


def date_col(column: str) -> str:
    """The parsed twin of a date column in the normalised table (null when absent or unparsable)."""
    return ident(column + "__d")


def flag_col(column: str) -> str:
    """The boolean twin of a flag column; an absent flag is its default (null when it has none)."""
    return ident(column + "__b")


def default_col(column: str) -> str:
    """The value of a text column with a default, the default filled in (`triangel_version`)."""
    return ident(column + "__v")


def safe_value(expr: str) -> str:
    """A value fit for a message: personal-number shapes masked, at most 40 characters."""
    return f"left(regexp_replace({expr}, {lit(PNR_LIKE)}, '***', 'g'), 40)"


def message(code: str, detail_sql: str | None = None) -> str:
    """SQL for a finding's message: the catalogue's Swedish text, then a detail when given."""
    base = lit(rules.rule(code).message_sv)
    return base if detail_sql is None else f"{base} || ': ' || {detail_sql}"


def severity(code: str) -> str:
    return rules.rule(code).severity.value


@dataclass(frozen=True, slots=True)
class Hit:
    """A one-row rule: the rows of `table`'s normalised rows (alias `r`) that satisfy `where`."""

    table: str
    code: str
    column: str | None
    where: str
    msg: str
    counts: bool

    def select(self, source: str) -> str:
        """The hit rows of `source` (alias `r`, the normalised table or a subset of its rows)."""
        col = "NULL" if self.column is None else lit(self.column)
        return (
            f"SELECT {lit(self.table)}, r._line, {col}, {lit(self.code)}, {lit(severity(self.code))}, "
            f"{self.msg}, {'true' if self.counts else 'false'} FROM {source} r WHERE {self.where}"
        )


Statement = str | Hit


def hit(table: str, code: str, column: str | None, *, where: str, msg: str | None = None,
        counts: bool | None = None) -> Hit:
    """The rows of `table` (alias `r`) that satisfy `where` are hits of `code`."""
    rule = rules.rule(code)
    counted = rule.counts_as_error if counts is None else counts
    return Hit(table, code, column, where, msg or message(code), counted)


def merged_hits(table: str, hits: Sequence[Hit]) -> str:
    """One statement for all one-row rules of `table`: a single scan picks the rows that break any
    of them (usually few), and each rule is then judged again on those rows only."""
    if len(hits) == 1:
        return f"INSERT INTO {HITS} {hits[0].select(n_table(table))}"
    anyone = " OR ".join(f"({h.where})" for h in hits)
    parts = " UNION ALL ".join(h.select("_f") for h in hits)
    return (f"INSERT INTO {HITS} WITH _f AS MATERIALIZED (SELECT * FROM {n_table(table)} r WHERE {anyone}) "
            f"{parts}")
