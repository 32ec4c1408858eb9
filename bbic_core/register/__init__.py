"""The coordinator's register: organisation (districts, networks, licences, roles) and training.

`load_register(folder)` reads `organisation.yaml` and `utbildning.csv`/`.xlsx` (register.md) into a
frozen `Register` that answers the licence report's questions at any date.
"""

from pathlib import Path

from bbic_core.register.duckdb_tables import register_to_duckdb
from bbic_core.register.errors import RegisterError, UnknownCodeError
from bbic_core.register.licence import NO_LICENCE, LicenceStatus, in_force
from bbic_core.register.loader import load_register
from bbic_core.register.organisation import (
    Appointment,
    District,
    Licence,
    Municipality,
    Network,
    Organisation,
    Register,
    Settings,
    Underlicens,
    Utbildning,
)
from bbic_core.register.utbildning import unknown_trainees

__all__ = [
    "NO_LICENCE",
    "Appointment",
    "District",
    "Licence",
    "LicenceStatus",
    "Municipality",
    "Network",
    "Organisation",
    "Register",
    "RegisterError",
    "Settings",
    "Underlicens",
    "UnknownCodeError",
    "Utbildning",
    "in_force",
    "load_register",
    "register_to_duckdb",
    "sample_register_dir",
    "unknown_trainees",
]


def sample_register_dir() -> Path:
    """The built-in Stockholm register (`bbic_core/sample_data/register`)."""
    return Path(__file__).resolve().parent.parent / "sample_data" / "register"

