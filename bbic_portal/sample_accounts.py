"""One account per role for the built-in sample data (and the tests): random passwords, owner-only file.

The passwords go to a file beside the sample data (`var/sample/portal-passwords.txt`), never into the
repository; the accounts are made only when the users file does not exist yet.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from bbic_core.register import Register
from bbic_portal.roles import Role
from bbic_portal.users import HASHER, Account, write_users


def sample_roles(register: Register) -> dict[str, tuple[Role, ...]]:
    """samordnare, the first district (bromma when present), the network holding it, and a reader."""
    codes = [d.code for d in register.districts]
    district = "bromma" if "bromma" in codes else codes[0]
    network = next((n.code for n in register.networks if district in n.districts), None)
    accounts: dict[str, tuple[Role, ...]] = {
        "samordnare": (Role("samordnare"),),
        district: (Role("stadsdel", district),),
    }
    if network is not None:
        accounts[network] = (Role("natverk", network),)
    accounts["lasare"] = (Role("lasare"),)
    return accounts


def make_sample_accounts(users_file: Path, password_file: Path, register: Register) -> dict[str, str]:
    """Writes the users file and `password_file` (name: password lines, 0600); returns the passwords."""
    passwords = {name: secrets.token_urlsafe(12) for name in sample_roles(register)}
    accounts = {
        name: Account(name, HASHER.hash(passwords[name]), roles)
        for name, roles in sample_roles(register).items()
    }
    write_users(users_file, accounts)
    password_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(password_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write("# Sample accounts of the BBIC portal (sample data only): user, roles, password\n")
        for name, roles in sample_roles(register).items():
            fh.write(f"{name}\t{','.join(str(r) for r in roles)}\t{passwords[name]}\n")
    return passwords


def read_password_file(password_file: Path) -> dict[str, str]:
    out = {}
    for line in password_file.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _roles, password = line.split("\t")
            out[name] = password
    return out
