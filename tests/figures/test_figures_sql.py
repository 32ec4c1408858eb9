"""The SQL building blocks agree with the conventions (and with bbic_core.dates)."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from bbic_core.dates import add_months
from bbic_core.figures import sql


@pytest.fixture(scope="module")
def db() -> duckdb.DuckDBPyConnection:
    return duckdb.connect()


def test_plus_months_clamps_like_add_months(db: duckdb.DuckDBPyConnection) -> None:
    # 2024-10-31 + 4 months = 2025-02-28; every day of 2023–2025 and several month counts
    days = [dt.date(2023, 1, 1) + dt.timedelta(days=i) for i in range(3 * 366)]
    found = db.execute(f"""
        SELECT d, n, {sql.plus_months_sql('d', 'n')}
          FROM unnest($days::DATE[]) t(d), unnest([1, 4, 6, 12, 18, 24, 30]) s(n)
    """, {"days": days}).fetchall()
    assert len(found) == len(days) * 7
    assert all(got == add_months(d, n) for d, n, got in found)
    clamp = sql.plus_months_sql("DATE '2024-10-31'", "4")
    assert db.execute(f"SELECT {clamp}").fetchone() == (dt.date(2025, 2, 28),)


def age_in_python(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def test_age_in_completed_years(db: duckdb.DuckDBPyConnection) -> None:
    # every birth day of 2011–2013 (2012 is a leap year) against every day of 2023–2025 that is the
    # 27th to the 2nd of a month (where the month-and-day comparison can go wrong), in one query
    births = [dt.date(2011, 1, 1) + dt.timedelta(days=i) for i in range(3 * 365 + 1)]
    ons = [d for d in (dt.date(2023, 1, 1) + dt.timedelta(days=i) for i in range(3 * 365 + 1))
           if d.day >= 27 or d.day <= 2]
    found = db.execute(f"""
        SELECT b, o, {sql.age_sql('b', 'o')} FROM unnest($b::DATE[]) x(b), unnest($o::DATE[]) y(o)
    """, {"b": births, "o": ons}).fetchall()
    assert len(found) == len(births) * len(ons)
    assert all(age == age_in_python(b, o) for b, o, age in found)


def test_born_on_29_february(db: duckdb.DuckDBPyConnection) -> None:
    query = f"SELECT {sql.age_sql('$b', '$o')}, date_diff('year', $b, $o)"
    born = dt.date(2012, 2, 29)
    # on 28 February 2025 the child is still 12: DuckDB's date_diff says 13, which is why it is not used
    assert db.execute(query, {"b": born, "o": dt.date(2025, 2, 28)}).fetchone() == (12, 13)
    assert db.execute(query, {"b": born, "o": dt.date(2025, 3, 1)}).fetchone() == (13, 13)
    assert db.execute(query, {"b": born, "o": dt.date(2024, 2, 29)}).fetchone() == (12, 12)
    assert db.execute(query, {"b": born, "o": dt.date(2024, 2, 28)}).fetchone() == (11, 12)


@pytest.mark.parametrize(("age", "band"), [
    (-1, "0-6"), (0, "0-6"), (6, "0-6"), (7, "7-12"), (12, "7-12"), (13, "13-15"), (15, "13-15"),
    (16, "16-17"), (17, "16-17"), (18, "18-20"), (20, "18-20"), (21, "21+"), (40, "21+"),
])
def test_age_bands(db: duckdb.DuckDBPyConnection, age: int, band: str) -> None:
    assert db.execute(f"SELECT {sql.age_band_sql('$age')}", {"age": age}).fetchone() == (band,)


def test_only_the_parameters_a_query_names_are_bound(db: duckdb.DuckDBPyConnection) -> None:
    assert sql.rows(db, "SELECT $x + 1", {"x": 1, "unused": 2}) == [(2,)]
    with pytest.raises(KeyError):
        sql.rows(db, "SELECT $y", {"x": 1})
