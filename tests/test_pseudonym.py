"""Keyed pseudonyms: stable per key, different across keys, never revealing the number; key loading."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from spec_sample_export import luhn_digit

from bbic_core.personnummer import parse
from bbic_core.pseudonym import ENV_KEY, ENV_KEY_FILE, MIN_KEY_BYTES, KeyMissingError, Pseudonymiser, load_key

KEY_A = b"a" * 16 + b"synthetic-test-key-A"
KEY_B = b"b" * 16 + b"synthetic-test-key-B"
SETTINGS = settings(max_examples=150, database=None, deadline=None)


@st.composite
def valid_numbers(draw: st.DrawFn) -> str:
    """A 12-digit number with a correct check digit (a samordningsnummer half the time), no separator."""
    born = draw(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2030, 12, 31)))
    day = born.day + (60 if draw(st.booleans()) else 0)
    serial = f"{draw(st.integers(1, 999)):03d}"
    yyyymmdd = f"{born.year:04d}{born.month:02d}{day:02d}"
    return yyyymmdd + serial + luhn_digit(yyyymmdd[2:] + serial)


@SETTINGS
@given(valid_numbers())
def test_stable_for_one_key_different_across_keys(number: str) -> None:
    a1, a2, b = Pseudonymiser(KEY_A), Pseudonymiser(KEY_A), Pseudonymiser(KEY_B)
    assert a1.pseudonym(number) == a2.pseudonym(number)
    assert a1.pseudonym(number) != b.pseudonym(number)


@SETTINGS
@given(valid_numbers())
def test_a_pseudonym_never_shows_the_number(number: str) -> None:
    pseudonym = Pseudonymiser(KEY_A).pseudonym(number)
    assert pseudonym.startswith("p_") and len(pseudonym) == 2 + 64
    for run in (number, number[2:], number[:8]):  # the number, its 10-digit form, its date
        assert run not in pseudonym


@SETTINGS
@given(valid_numbers())
def test_separator_forms_of_one_number_give_one_pseudonym(number: str) -> None:
    p = Pseudonymiser(KEY_A)
    dash, plus = f"{number[:8]}-{number[8:]}", f"{number[:8]}+{number[8:]}"
    expected = p.pseudonym(number)
    assert p.pseudonym(dash) == p.pseudonym(plus) == expected
    assert p.pseudonym_of(dash) == p.pseudonym_of(f" {plus}\t") == expected
    parsed = parse(dash)
    assert parsed is not None and p.pseudonym(parsed.normalised) == expected


def test_the_array_form_equals_the_single_form_and_keeps_nulls() -> None:
    p = Pseudonymiser(KEY_A)
    numbers = ["201501011231", None, "201603712467"]
    out = p.pseudonymise_array(pa.array(numbers, pa.string())).to_pylist()
    assert out == [p.pseudonym("201501011231"), None, p.pseudonym("201603712467")]


def test_a_malformed_value_is_refused_without_echoing_it() -> None:
    with pytest.raises(ValueError) as info:
        Pseudonymiser(KEY_A).pseudonym("20150101-12")
    assert "20150101" not in str(info.value)
    assert Pseudonymiser(KEY_A).pseudonym_of("201501011230") is None  # wrong check digit
    assert Pseudonymiser(KEY_A).pseudonym_of(None) is None


def test_repr_hides_the_key() -> None:
    p = Pseudonymiser(KEY_A)
    for text in (repr(p), str(p), f"{p!r}"):
        assert "synthetic-test-key" not in text and "aaaa" not in text


def test_a_short_key_is_refused() -> None:
    with pytest.raises(KeyMissingError):
        Pseudonymiser(b"short")


# --- load_key ------------------------------------------------------------------------------------


def test_load_key_from_the_environment_variable() -> None:
    key = "k" * MIN_KEY_BYTES
    assert load_key({ENV_KEY: f"  {key}\n"}) == key.encode()


def test_load_key_from_the_key_file(tmp_path: Path) -> None:
    path = tmp_path / "pseudonym.key"
    path.write_bytes(KEY_B + b"\n")
    path.chmod(0o600)
    assert load_key({ENV_KEY_FILE: str(path)}) == KEY_B


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604])
def test_a_key_file_others_can_read_is_refused(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "pseudonym.key"
    path.write_bytes(KEY_B)
    path.chmod(mode)
    with pytest.raises(KeyMissingError, match=f"can be read by others \\(mode {mode:04o}\\)"):
        load_key({ENV_KEY_FILE: str(path)})


def test_a_key_file_that_is_a_device_or_too_large_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    with pytest.raises(KeyMissingError, match="not a regular file"):
        load_key({ENV_KEY_FILE: "/dev/zero"})
    big = tmp_path / "big.key"
    big.write_bytes(b"k" * 10_000)
    big.chmod(0o600)
    with pytest.raises(KeyMissingError, match="larger than 4096 bytes"):
        load_key({ENV_KEY_FILE: str(big)})


def test_the_fingerprint_names_the_key_without_revealing_it() -> None:
    a, b = Pseudonymiser(KEY_A), Pseudonymiser(KEY_B)
    assert a.fingerprint() == Pseudonymiser(KEY_A).fingerprint() != b.fingerprint()
    assert KEY_A.decode() not in a.fingerprint() and len(a.fingerprint()) == 16


def test_the_variable_wins_over_the_file(tmp_path: Path) -> None:
    path = tmp_path / "pseudonym.key"
    path.write_bytes(KEY_B)
    assert load_key({ENV_KEY: KEY_A.decode(), ENV_KEY_FILE: str(path)}) == KEY_A


def test_without_a_key_loading_is_refused_with_a_clear_message() -> None:
    with pytest.raises(KeyMissingError) as info:
        load_key({})
    message = str(info.value)
    assert ENV_KEY in message and ENV_KEY_FILE in message and "refused" in message


def test_an_unreadable_key_file_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.key"
    with pytest.raises(KeyMissingError, match=r"nowhere\.key"):
        load_key({ENV_KEY_FILE: str(missing)})


def test_a_short_configured_key_is_refused(tmp_path: Path) -> None:
    with pytest.raises(KeyMissingError, match=str(MIN_KEY_BYTES)):
        load_key({ENV_KEY: "too-short"})
    path = tmp_path / "short.key"
    path.write_bytes(b"x" * (MIN_KEY_BYTES - 1))
    path.chmod(0o600)
    with pytest.raises(KeyMissingError):
        load_key({ENV_KEY_FILE: str(path)})


def test_allow_demo_gives_a_fresh_random_key() -> None:
    first, second = load_key({}, allow_demo=True), load_key({}, allow_demo=True)
    assert len(first) >= MIN_KEY_BYTES and first != second
    assert load_key({ENV_KEY: KEY_A.decode()}, allow_demo=True) == KEY_A  # a configured key still wins


def test_load_key_reads_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_KEY, KEY_A.decode())
    monkeypatch.delenv(ENV_KEY_FILE, raising=False)
    assert load_key() == KEY_A
