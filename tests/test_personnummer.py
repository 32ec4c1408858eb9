"""Personal numbers: vectorised `check_array` equals `parse`; `parse` equals the `personnummer` package."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st
from personnummer import personnummer as lib
from spec_sample_export import luhn_digit

from bbic_core.personnummer import (
    PERSONAL_NUMBER_IN_TEXT,
    Personnummer,
    check_array,
    holds_personal_number,
    normalise,
    parse,
    redact_personal_numbers,
)

SETTINGS = settings(max_examples=300, database=None, deadline=None)
DIGITS = "0123456789"


def number(yyyymmdd: str, serial: str, sep: str = "") -> str:
    return f"{yyyymmdd}{sep}{serial}{luhn_digit(yyyymmdd[2:] + serial)}"


separators = st.sampled_from(["", "", "-", "+"])
serials = st.integers(0, 999).map(lambda n: f"{n:03d}")  # 000 included: never valid
# Only spaces and tabs are trimmed; the rest is whitespace to Python or Arrow but part of the value here.
padding = st.sampled_from(["", "", " ", "\t", "  \t", "\n", "\r", "\u00a0", "\x1c", "\x1f", "\x85", "\u2003",
                           "\u3000", "\x0b"])


@st.composite
def well_formed(draw: st.DrawFn, coordination: bool | None = None) -> str:
    """A number with a correct check digit for a real date; day + 60 for a samordningsnummer."""
    day = draw(st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)))
    coord = draw(st.booleans()) if coordination is None else coordination
    yyyymmdd = f"{day.year:04d}{day.month:02d}{day.day + (60 if coord else 0):02d}"
    return number(yyyymmdd, draw(serials), draw(separators))


@st.composite
def impossible_dates(draw: st.DrawFn) -> str:
    """A correct check digit on a date that does not exist (Feb 29 in a common year, month 00 or 13+, …)."""
    year = draw(st.integers(1, 9999))
    month, day = draw(st.sampled_from([
        (2, 29), (2, 30), (4, 31), (13, 1), (0, 10), (99, 1),
        (1, 0), (1, 32), (1, 60), (2, 89), (4, 91), (1, 99),
    ]))
    return number(f"{year:04d}{month:02d}{day:02d}", draw(serials), draw(separators))


@st.composite
def wrong_check_digit(draw: st.DrawFn) -> str:
    good = draw(well_formed())
    wrong = draw(st.sampled_from([d for d in DIGITS if d != good[-1]]))
    return good[:-1] + wrong


@st.composite
def foreign_digit(draw: st.DrawFn) -> str:
    """A valid number with one digit written in another script (Python's `\\d` and `int` accept those)."""
    good = draw(well_formed())
    i = draw(st.sampled_from([i for i, ch in enumerate(good) if ch.isdigit()]))
    base = draw(st.sampled_from([0x660, 0x6F0, 0x966, 0xFF10]))  # Arabic-Indic, Persian, Devanagari, wide
    return good[:i] + chr(base + int(good[i])) + good[i + 1:]


@st.composite
def padded(draw: st.DrawFn, inner: st.SearchStrategy[str]) -> str:
    return draw(padding) + draw(inner) + draw(padding)


raw_inputs = st.one_of(
    st.text(max_size=16),
    st.text(alphabet=DIGITS + "-+ \t\u0663\uff11", max_size=16),  # with Arabic-Indic and full-width digits
    st.text(alphabet=DIGITS, min_size=12, max_size=12),
    st.text(alphabet=DIGITS, min_size=10, max_size=13),
    well_formed(),
    impossible_dates(),
    wrong_check_digit(),
    foreign_digit(),
    padded(well_formed()),
    padded(impossible_dates()),
)
contract_form = st.one_of(
    st.text(alphabet=DIGITS, min_size=12, max_size=12),
    st.builds(lambda a, s, b: a + s + b, st.text(alphabet=DIGITS, min_size=8, max_size=8),
              st.sampled_from(["-", "+"]), st.text(alphabet=DIGITS, min_size=4, max_size=4)),
    well_formed(),
    impossible_dates(),
    wrong_check_digit(),
)


def _as_row(parsed: Personnummer | None) -> dict[str, object]:
    if parsed is None:
        return {"normalised": None, "valid": False, "birth_date": None, "sex": None}
    return {"normalised": parsed.normalised, "valid": True, "birth_date": parsed.birth_date,
            "sex": parsed.sex}


@SETTINGS
@given(st.lists(st.one_of(st.none(), raw_inputs), max_size=25))
def test_check_array_agrees_with_parse_on_every_input(values: list[str | None]) -> None:
    table = check_array(pa.array(values, pa.string()))
    assert table.num_rows == len(values)
    assert table.to_pylist() == [_as_row(parse(v)) for v in values]


@SETTINGS
@given(st.lists(raw_inputs, min_size=1, max_size=12), st.integers(0, 11))
def test_check_array_agrees_on_sliced_and_chunked_arrays(values: list[str], cut: int) -> None:
    cut = min(cut, len(values))
    expected = [_as_row(parse(v)) for v in values]
    chunked = pa.chunked_array([pa.array(values[:cut], pa.string()), pa.array(values[cut:], pa.string())])
    assert check_array(chunked).to_pylist() == expected
    padded_array = pa.array(["x", *values], pa.large_string()).slice(1)
    assert check_array(padded_array).to_pylist() == expected


@SETTINGS
@given(contract_form)
def test_parse_agrees_with_the_personnummer_package(value: str) -> None:
    ours = parse(value)
    assert (ours is not None) == lib.valid(value)
    if ours is not None:
        theirs = lib.parse(value)
        assert ours.birth_date == theirs.get_date()
        assert ours.sex == ("1" if theirs.is_male() else "2")
        assert ours.samordningsnummer == theirs.is_coordination_number()
        assert ours.normalised == value.replace("-", "").replace("+", "")


@SETTINGS
@given(st.dates(min_value=dt.date(1850, 1, 1), max_value=dt.date(2030, 12, 31)),
       serials.filter(lambda s: s != "000"), separators)
def test_a_samordningsnummer_is_born_on_day_minus_60_with_the_ninth_digit_as_sex(
        born: dt.date, serial: str, sep: str) -> None:
    value = number(f"{born.year:04d}{born.month:02d}{born.day + 60:02d}", serial, sep)
    parsed = parse(value)
    assert parsed is not None and parsed.samordningsnummer
    assert parsed.birth_date == born
    ninth = int(value.replace("-", "").replace("+", "")[2:][8])  # the 9th digit of the 10-digit form
    assert parsed.sex == ("1" if ninth % 2 else "2")
    row = check_array(pa.array([value])).to_pylist()[0]
    assert (row["birth_date"], row["sex"]) == (born, parsed.sex)


def test_known_cases() -> None:
    assert parse(number("20000229", "123")) is not None  # 2000 is a leap year
    assert parse(number("19000229", "123")) is None  # 1900 is not
    assert parse(number("20000289", "123")) is not None  # samordningsnummer of 29 Feb 2000
    assert parse(number("20150101", "000")) is None  # serial 000 does not exist
    assert parse(number("20150160", "123")) is None  # day 60: neither a date nor a samordningsnummer
    assert parse(number("20151301", "123")) is None
    assert parse(number("20150100", "123")) is None
    assert parse(" \t" + number("20150101", "123", "-") + "\t ") is not None  # spaces and tabs are trimmed
    assert parse("\n" + number("20150101", "123")) is None  # other whitespace is part of the value
    assert parse(number("150101", "123")) is None  # the 10-digit form is not the contract's
    assert parse(None) is None and parse("") is None
    assert normalise("20150101+1234") == "201501011234" and normalise("2015-01-01") is None


def test_check_array_on_empty_and_all_null_arrays() -> None:
    assert check_array(pa.array([], pa.string())).num_rows == 0
    assert check_array(pa.array([None, None], pa.string())).column("valid").to_pylist() == [False, False]


def test_every_shape_of_a_personal_number_in_text_is_redacted() -> None:
    twelve = number("19900101", "123")
    ten = twelve[2:]
    for form in (twelve, ten, f"{twelve[:8]}-{twelve[8:]}", f"{ten[:6]}+{ten[6:]}"):
        text = f"fel i rad 3: värdet {form}; se barn.csv"
        assert redact_personal_numbers(text) == "fel i rad 3: värdet ***; se barn.csv"
        assert PERSONAL_NUMBER_IN_TEXT.search(f"<td>{form}</td>")
        assert redact_personal_numbers(f"export.{form}.csv") == "export.***.csv"
    assert redact_personal_numbers(f"{ten},{twelve}") == "***,***"


def test_other_digit_runs_are_no_personal_number() -> None:
    # An 11-digit run, a chart's decimals, a checksum's digits and an ISO date are left alone.
    others = ("12345678901", 'x="614.451923076923"', "y=339.62264150943395", "sha 01234567890123456789",
              "2025-05-01", "123456789")
    for text in others:
        assert PERSONAL_NUMBER_IN_TEXT.search(text) is None
        assert redact_personal_numbers(text) == text


# Runs of digits of every length around the pattern's, the characters its boundaries look at, other
# ASCII, UTF-8 of other scripts (Arabic-Indic digits are no ASCII digits) and bytes that are no UTF-8.
_digit_runs = st.integers(1, 14).flatmap(lambda n: st.text(DIGITS, min_size=n, max_size=n))
_text_parts = st.one_of(
    _digit_runs.map(str.encode),
    st.sampled_from([b".", b"-", b"+", b" ", b"x", b"<td>", b"\r\n", "٣".encode(), "ö".encode(),
                     b"\xe2", b"\x80", b"\xff", b"\xe2\x28"]),
)


@SETTINGS
@given(st.lists(_text_parts, max_size=12).map(b"".join))
def test_holds_personal_number_agrees_with_the_pattern_on_the_decoded_text(data: bytes) -> None:
    expected = PERSONAL_NUMBER_IN_TEXT.search(data.decode("utf-8", errors="replace")) is not None
    assert holds_personal_number(data) is expected


@SETTINGS
@given(st.binary(max_size=64))
def test_holds_personal_number_agrees_with_the_pattern_on_any_bytes(data: bytes) -> None:
    expected = PERSONAL_NUMBER_IN_TEXT.search(data.decode("utf-8", errors="replace")) is not None
    assert holds_personal_number(data) is expected


def test_holds_personal_number_on_the_known_shapes() -> None:
    twelve = number("19900101", "123")
    ten = twelve[2:]
    for form in (twelve, ten, f"{twelve[:8]}-{twelve[8:]}", f"{ten[:6]}+{ten[6:]}"):
        assert holds_personal_number(f"<td>{form}</td>".encode())
        assert holds_personal_number(form.encode())
        assert not holds_personal_number(f"x=\"4.{form}\"".encode())  # a decimal's fraction
    for other in ("12345678901", 'x="614.451923076923"', "2025-05-01", "123456789", "12345-1234", ""):
        assert not holds_personal_number(other.encode())
