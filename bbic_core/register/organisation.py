"""Pydantic models of `organisation.yaml` and `utbildning.csv`, and the Register that answers questions.

Field names follow the file's keys; `from` is a Python keyword, so the attribute is `from_` with the
alias `from` (both accepted when building a model in code).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, model_validator

from bbic_core.register.errors import UnknownCodeError
from bbic_core.register.licence import LicenceStatus, in_force, licence_at, licence_periods
from bbic_core.register.targets import Target, merged_targets, target_problems
from bbic_core.scopes import Scope, ScopeLevel

Path = tuple[str | int, ...]

DISTRICT_CODE_PATTERN = r"^[a-z0-9_]{1,40}$"
MUNICIPALITY_CODE_PATTERN = r"^[0-9]{4}$"
ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
BASIC_TRAINING = frozenset({"GRUNDUTBILDNING", "SOS_GRUNDUTBILDNING"})
TRAINER_TRAINING = "UTBILDARUTBILDNING"
UtbildningKod = Literal["GRUNDUTBILDNING", "SOS_GRUNDUTBILDNING", "UTBILDARUTBILDNING", "E_LEARNING"]


def _date_only(value: Any) -> Any:
    # pydantic's lax mode would read an int as a Unix time and keep a datetime's clock; a register
    # date is a calendar day, written YYYY-MM-DD (YAML gives a date, a quoted one a str).
    if isinstance(value, dt.datetime):
        raise ValueError("expected a date YYYY-MM-DD without a time")
    if isinstance(value, dt.date) or value is None:
        return value
    if isinstance(value, str):
        try:
            if not ISO_DATE.match(value.strip()):
                raise ValueError(value)
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"expected a date YYYY-MM-DD, got {value!r}") from None
    raise ValueError(f"expected a date YYYY-MM-DD, got {value!r}")


Day = Annotated[dt.date, BeforeValidator(_date_only)]
DistrictCode = Annotated[str, Field(pattern=DISTRICT_CODE_PATTERN)]
MunicipalityCode = Annotated[str, Field(pattern=MUNICIPALITY_CODE_PATTERN)]
Text = Annotated[str, Field(min_length=1, max_length=200)]
HandlaggareId = Annotated[str, Field(min_length=1, max_length=40)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", validate_by_name=True, validate_by_alias=True,
                              str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _empty_means_default(cls, data: Any) -> Any:
        # `networks:` with nothing after it is YAML null; for a list or settings it means "none given".
        if isinstance(data, dict):
            return {key: value for key, value in data.items()
                    if not (value is None and key in cls.model_fields
                            and cls.model_fields[key].default_factory is not None)}
        return data


class Municipality(_Frozen):
    code: MunicipalityCode
    name: Text


class Network(_Frozen):
    code: DistrictCode
    name: Text
    districts: list[DistrictCode]
    from_: Day | None = Field(None, alias="from")
    to: Day | None = None

    def in_force(self, d: dt.date) -> bool:
        return in_force(self.from_, self.to, d)


class Appointment(_Frozen):
    """A BBIC-ansvarig or a local trainer, in force `from ≤ d ≤ to`."""

    handlaggare_id: HandlaggareId
    from_: Day = Field(alias="from")
    to: Day | None = None

    def in_force(self, d: dt.date) -> bool:
        return in_force(self.from_, self.to, d)


class Licence(_Frozen):
    typ: Literal["PROVOLICENS", "LICENS"]
    beviljad: Day
    ansokan_licens: Day | None = None
    to: Day | None = None


class District(_Frozen):
    code: DistrictCode
    name: Text
    from_: Day | None = Field(None, alias="from")
    to: Day | None = None
    bbic_ansvarig: list[Appointment] = Field(default_factory=list)
    lokala_utbildare: list[Appointment] = Field(default_factory=list)
    licenser: list[Licence] = Field(default_factory=list)

    def in_force(self, d: dt.date) -> bool:
        return in_force(self.from_, self.to, d)


class Underlicens(_Frozen):
    """A unit using BBIC on a committee's behalf; `huvudman` is a district code or the municipality code."""

    enhet: Text
    huvudman: DistrictCode
    from_: Day = Field(alias="from")
    to: Day | None = None

    def in_force(self, d: dt.date) -> bool:
        return in_force(self.from_, self.to, d)


class Settings(_Frozen):
    provolicens_manader: int = Field(24, ge=1, le=120)
    grupp_storlek: int = Field(20, ge=1)  # places in one basic-training group (C7)
    kursdagar: int = Field(3, ge=1)  # days of local basic training (C7)
    formular_troskel: float = Field(90, ge=0, le=100)  # % of form use that R5 asks for
    varning_dagar: int = Field(90, ge=0)  # C1.provolicens_slut warns within this many days
    avvikelse_pp: float = Field(15, ge=0, le=100)  # D3.avvikelse: a share changing this many points
    avvikelse_andel: float = Field(30, ge=0)  # D3.avvikelse: a count or median changing this many %
    mal: dict[str, Target | None] = Field(default_factory=dict)  # as written; see `targets`

    @property
    def targets(self) -> dict[str, Target]:
        """The key indicators' targets in force: the defaults with `mal`'s entries over them."""
        return merged_targets(self.mal)


class Utbildning(_Frozen):
    """One row of `utbildning.csv`: a completed (or, when in the future, booked) training."""

    handlaggare_id: HandlaggareId
    utbildning: UtbildningKod
    genomford_datum: Day


class Organisation(_Frozen):
    """`organisation.yaml` as written, before the checks that span several entries."""

    municipality: Municipality
    networks: list[Network] = Field(default_factory=list)
    districts: list[District]
    underlicenser: list[Underlicens] = Field(default_factory=list)
    settings: Settings = Field(default_factory=Settings)


def _overlap(a_from: dt.date | None, a_to: dt.date | None, b_from: dt.date | None, b_to: dt.date | None,
             ) -> bool:
    """Two inclusive spans, an empty bound being open, share at least one day."""
    return ((a_to is None or b_from is None or b_from <= a_to)
            and (b_to is None or a_from is None or a_from <= b_to))


def organisation_problems(org: Organisation) -> list[tuple[Path, str]]:
    """The register errors that span entries (register.md): each with the path of the key at fault."""
    problems: list[tuple[Path, str]] = list(target_problems(org.settings.mal))
    district_codes: set[str] = set()
    for i, district in enumerate(org.districts):
        if district.code in district_codes:
            problems.append((("districts", i, "code"), f"district {district.code} is listed twice"))
        district_codes.add(district.code)
        _check_span(problems, ("districts", i), district.from_, district.to)
        for role in ("bbic_ansvarig", "lokala_utbildare"):
            for k, appointment in enumerate(getattr(district, role)):
                _check_span(problems, ("districts", i, role, k), appointment.from_, appointment.to)
        granted: dict[dt.date, int] = {}
        for k, lic in enumerate(district.licenser):
            if lic.beviljad in granted:
                problems.append((("districts", i, "licenser", k, "beviljad"),
                                 f"two licences of {district.code} granted on {lic.beviljad} "
                                 f"(also licenser[{granted[lic.beviljad]}])"))
            granted.setdefault(lic.beviljad, k)
            _check_span(problems, ("districts", i, "licenser", k), lic.beviljad, lic.to, start_key="beviljad")
    network_codes: set[str] = set()
    for i, network in enumerate(org.networks):
        if network.code in network_codes:
            problems.append((("networks", i, "code"), f"network {network.code} is listed twice"))
        network_codes.add(network.code)
        _check_span(problems, ("networks", i), network.from_, network.to)
        for j, code in enumerate(network.districts):
            if code not in district_codes:
                problems.append((("networks", i, "districts", j), f"unknown district {code}"))
            elif code in network.districts[:j]:
                problems.append((("networks", i, "districts", j), f"district {code} is listed twice"))
        for earlier in org.networks[:i]:
            if not _overlap(earlier.from_, earlier.to, network.from_, network.to):
                continue
            for j, code in enumerate(network.districts):
                if code in earlier.districts:
                    problems.append((("networks", i, "districts", j),
                                     f"district {code} is also in network {earlier.code} at the same time"))
    for i, sub in enumerate(org.underlicenser):
        if sub.huvudman not in district_codes and sub.huvudman != org.municipality.code:
            problems.append((("underlicenser", i, "huvudman"),
                             f"huvudman {sub.huvudman} is neither a district nor the municipality "
                             f"{org.municipality.code}"))
        _check_span(problems, ("underlicenser", i), sub.from_, sub.to)
    return problems


def _check_span(problems: list[tuple[Path, str]], path: Path, start: dt.date | None, to: dt.date | None,
                start_key: str = "from") -> None:
    if start is not None and to is not None and to < start:
        problems.append(((*path, "to"), f"to {to} is before {start_key} {start}"))


class Register(Organisation):
    """The coordinator's register: organisation, licences, appointments and training.

    Every method taking a district code raises UnknownCodeError for a code the register lacks.
    """

    utbildning: list[Utbildning] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)

    _training: dict[str, list[Utbildning]] | None = PrivateAttr(None)

    @model_validator(mode="after")
    def _consistent(self) -> Register:
        problems = organisation_problems(self)
        if problems:
            from bbic_core.register.yaml_lines import format_path

            raise ValueError("; ".join(f"{format_path(path)}: {message}" for path, message in problems))
        return self

    def model_copy(self, *, update: Any = None, deep: bool = False) -> Register:
        copy = super().model_copy(update=update, deep=deep)
        copy._training = None  # the index belongs to the old training list
        return copy

    # --- organisation -------------------------------------------------------------------------

    def district(self, code: str) -> District:
        for district in self.districts:
            if district.code == code:
                return district
        raise UnknownCodeError(f"district {code!r} is not in the register")

    def network(self, code: str) -> Network:
        for network in self.networks:
            if network.code == code:
                return network
        raise UnknownCodeError(f"network {code!r} is not in the register")

    def district_codes(self) -> set[str]:
        """Every district of the register, in force or not."""
        return {district.code for district in self.districts}

    def districts_in_force(self, d: dt.date) -> list[District]:
        return [district for district in self.districts if district.in_force(d)]

    def districts_for_scope(self, scope: Scope, period_end: dt.date) -> list[str]:
        """The districts a report covers: the municipality takes every district of the register; a
        district or network scope those in force on the period's last day (register.md)."""
        if scope.level == ScopeLevel.MUNICIPALITY:
            if scope.code != self.municipality.code:
                raise UnknownCodeError(f"municipality {scope.code!r} is not the register's "
                                       f"{self.municipality.code}")
            return [district.code for district in self.districts]
        if scope.level == ScopeLevel.DISTRICT:
            district = self.district(scope.code)
            return [district.code] if district.in_force(period_end) else []
        network = self.network(scope.code)
        if not network.in_force(period_end):
            return []
        return [district.code for district in self.districts
                if district.code in network.districts and district.in_force(period_end)]

    def network_of(self, district: str, d: dt.date) -> str | None:
        """The network holding `district` on `d`, None when it is in none."""
        self.district(district)
        for network in self.networks:
            if district in network.districts and network.in_force(d):
                return network.code
        return None

    # --- licence and appointments ---------------------------------------------------------------

    def licence_at(self, district: str, d: dt.date) -> LicenceStatus:
        """C1.licens: the licence in force on `d` with its exclusive `end`, or typ INGEN."""
        return licence_at(self.district(district).licenser, self.settings.provolicens_manader, d)

    def licence_periods(self, district: str) -> list[LicenceStatus]:
        """Every licence of `district` with its end, in granting order (history, charts)."""
        return licence_periods(self.district(district).licenser, self.settings.provolicens_manader)

    def bbic_ansvarig_at(self, district: str, d: dt.date) -> list[str]:
        """C2.bbic_ansvarig: ids appointed on `d`."""
        return _ids_in_force(self.district(district).bbic_ansvarig, d)

    def lokala_utbildare_at(self, district: str, d: dt.date) -> list[str]:
        """C3.utbildare: ids appointed on `d`."""
        return _ids_in_force(self.district(district).lokala_utbildare, d)

    def underlicenser_at(self, huvudman_codes: set[str], d: dt.date) -> list[Underlicens]:
        """C6.underlicenser: sub-licences in force on `d` whose huvudman is one of the codes."""
        return [sub for sub in self.underlicenser if sub.huvudman in huvudman_codes and sub.in_force(d)]

    # --- training ------------------------------------------------------------------------------

    def _training_by_id(self) -> dict[str, list[Utbildning]]:
        if self._training is None:
            index: dict[str, list[Utbildning]] = {}
            for row in self.utbildning:
                index.setdefault(row.handlaggare_id, []).append(row)
            self._training = index
        return self._training

    def trainings_of(self, handlaggare_id: str) -> list[Utbildning]:
        return list(self._training_by_id().get(handlaggare_id, []))

    def has_basic_training(self, handlaggare_id: str, d: dt.date) -> bool:
        """GRUNDUTBILDNING or SOS_GRUNDUTBILDNING completed on or before `d` (R4)."""
        return any(row.utbildning in BASIC_TRAINING and row.genomford_datum <= d
                   for row in self._training_by_id().get(handlaggare_id, []))

    def is_trained_trainer(self, handlaggare_id: str, d: dt.date) -> bool:
        """UTBILDARUTBILDNING completed on or before `d` (R3)."""
        return any(row.utbildning == TRAINER_TRAINING and row.genomford_datum <= d
                   for row in self._training_by_id().get(handlaggare_id, []))

    def first_basic_training(self) -> dict[str, dt.date]:
        """handlaggare_id → the earliest basic-training date, for set-based SQL."""
        first: dict[str, dt.date] = {}
        for row in self.utbildning:
            if row.utbildning in BASIC_TRAINING:
                known = first.get(row.handlaggare_id)
                if known is None or row.genomford_datum < known:
                    first[row.handlaggare_id] = row.genomford_datum
        return first


def _ids_in_force(appointments: Iterable[Appointment], d: dt.date) -> list[str]:
    ids: list[str] = []
    for appointment in appointments:
        if appointment.in_force(d) and appointment.handlaggare_id not in ids:
            ids.append(appointment.handlaggare_id)
    return ids
