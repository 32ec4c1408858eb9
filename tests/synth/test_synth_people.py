from __future__ import annotations

import numpy as np

from bbic_core import personnummer
from bbic_core.synth import people
from bbic_core.synth.vdates import to_date


def test_numbers_are_valid_distinct_and_carry_sex_and_birth_date() -> None:
    rng = np.random.default_rng(3)
    n = 20_000
    birth = rng.integers(13_000, 13_060, n).astype(np.int32)  # crowded: many children per birth date
    sex = rng.integers(1, 3, n).astype(np.int8)
    coord = rng.random(n) < 0.05
    dash = rng.random(n) < 0.1
    birth = people.unique_birth_days(birth, sex, coord)
    numbers = people.make_numbers(birth, sex, coord, dash).to_pylist()
    assert len({str(x).replace("-", "") for x in numbers}) == n
    checked = personnummer.check_array(people.make_numbers(birth, sex, coord, dash))
    assert all(checked.column("valid").to_pylist())
    for i in range(0, n, 37):
        parsed = personnummer.parse(numbers[i])
        assert parsed is not None
        assert parsed.sex == str(sex[i])
        assert parsed.birth_date == to_date(int(birth[i]))
        assert parsed.samordningsnummer == bool(coord[i])
        assert ("-" in str(numbers[i])) == bool(dash[i])


def test_luhn_digit_of_a_known_number() -> None:
    # 811218-9876 is the classic textbook example (check digit 6).
    digits = np.array([[8, 1, 1, 2, 1, 8, 9, 8, 7]], dtype=np.int32)
    assert people.luhn_check_digit(digits).tolist() == [6]
