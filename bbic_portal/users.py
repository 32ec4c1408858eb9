"""Local accounts: a JSON users file of names, Argon2id hashes and roles (`bbic users …`).

The file is written whole to a temporary file and renamed (owner-only), so a reader never sees
half of it. A name is free text chosen by the coordinator: it is escaped wherever it is shown.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from bbic_portal.roles import Role, parse_roles

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
HASHER = PasswordHasher()  # argon2-cffi's default type is Argon2id
# Verified against when the account does not exist, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = HASHER.hash("no such account")


class UsersError(ValueError):
    pass


@dataclass(frozen=True)
class Account:
    name: str
    password_hash: str
    roles: tuple[Role, ...]


def check_name(name: str) -> str:
    if not _NAME.match(name):
        raise UsersError(
            "a user name is 1–64 letters a–z, digits and . _ @ -, starting with a letter or digit"
        )
    return name


def read_users(path: Path) -> dict[str, Account]:
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    out = {}
    for name, entry in data.get("users", {}).items():
        out[name] = Account(name, str(entry["hash"]), parse_roles(list(entry["roles"])))
    return out


def write_users(path: Path, accounts: dict[str, Account]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "users": {
            a.name: {"hash": a.password_hash, "roles": [str(r) for r in a.roles]}
            for a in sorted(accounts.values(), key=lambda a: a.name)
        }
    }
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, ensure_ascii=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def add_user(path: Path, name: str, password: str, roles: tuple[Role, ...]) -> Account:
    check_name(name)
    if not roles:
        raise UsersError("give at least one --role")
    if len(password) < 12:
        raise UsersError("a password has at least 12 characters")
    accounts = read_users(path)
    account = Account(name, HASHER.hash(password), roles)
    accounts[name] = account
    write_users(path, accounts)
    return account


def remove_user(path: Path, name: str) -> bool:
    accounts = read_users(path)
    if accounts.pop(name, None) is None:
        return False
    write_users(path, accounts)
    return True


def verify(accounts: dict[str, Account], name: str, password: str) -> Account | None:
    account = accounts.get(name)
    try:
        HASHER.verify(account.password_hash if account else _DUMMY_HASH, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    return account
