"""When a licence, an appointment or a sub-licence is in force (register.md).

A licence is in force on `beviljad ≤ d < end`, `end` being the earliest of the next licence's
`beviljad`, for a PROVOLICENS `beviljad + provolicens_manader` months, and `to + 1 day`.
Appointments and sub-licences are in force when `from ≤ d` and (`to` empty or `d ≤ to`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict

from bbic_core.dates import add_months, days

if TYPE_CHECKING:
    from bbic_core.register.organisation import Licence

LicenceTyp = Literal["INGEN", "PROVOLICENS", "LICENS"]


class LicenceStatus(BaseModel):
    """The licence in force at a date (C1.licens), or `INGEN` with every date None."""

    model_config = ConfigDict(frozen=True)

    typ: LicenceTyp
    beviljad: dt.date | None = None
    end: dt.date | None = None  # exclusive: the first day the licence is no longer in force; None: open
    ansokan_licens: dt.date | None = None

    @property
    def last_day(self) -> dt.date | None:
        """The last day in force (`end − 1 day`), None when open-ended."""
        return None if self.end is None else self.end - dt.timedelta(days=1)

    def days_left(self, d: dt.date) -> int | None:
        """`end − d` in days (C1.provolicens_slut's `dagar_kvar`), None when open-ended."""
        return None if self.end is None else days(d, self.end)

    def application_sent(self, d: dt.date) -> bool:
        """`ansokan_licens` set on or before `d`."""
        return self.ansokan_licens is not None and self.ansokan_licens <= d


NO_LICENCE = LicenceStatus(typ="INGEN")


def in_force(valid_from: dt.date | None, to: dt.date | None, d: dt.date) -> bool:
    """`from ≤ d ≤ to`, an empty bound being open (appointments, sub-licences, districts, networks)."""
    return (valid_from is None or valid_from <= d) and (to is None or d <= to)


def licence_periods(licences: Iterable[Licence], provolicens_manader: int) -> list[LicenceStatus]:
    """Every licence of one district with its end, in `beviljad` order."""
    ordered: Sequence[Licence] = sorted(licences, key=lambda lic: lic.beviljad)
    periods: list[LicenceStatus] = []
    for index, lic in enumerate(ordered):
        ends: list[dt.date] = []
        if index + 1 < len(ordered):
            ends.append(ordered[index + 1].beviljad)
        if lic.typ == "PROVOLICENS":
            ends.append(add_months(lic.beviljad, provolicens_manader))
        if lic.to is not None:
            ends.append(lic.to + dt.timedelta(days=1))
        periods.append(LicenceStatus(typ=lic.typ, beviljad=lic.beviljad, end=min(ends) if ends else None,
                                     ansokan_licens=lic.ansokan_licens))
    return periods


def licence_at(licences: Iterable[Licence], provolicens_manader: int, d: dt.date) -> LicenceStatus:
    """The licence in force on `d` (R1), or INGEN."""
    for period in licence_periods(licences, provolicens_manader):
        assert period.beviljad is not None
        if period.beviljad <= d and (period.end is None or d < period.end):
            return period
    return NO_LICENCE
