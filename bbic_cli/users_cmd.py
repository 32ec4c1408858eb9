"""`bbic users add|remove|list`: the portal's local accounts (Argon2id hashes in BBIC_USERS_FILE)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from bbic_cli.extras import require

users_app = typer.Typer(help="Lokala konton i BBIC-portalen.", no_args_is_help=True)


def _users_file() -> Path:
    from bbic_portal.config import config_from_env

    return config_from_env().users_file


@users_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="Användarnamn")],
    role: Annotated[
        list[str], typer.Option("--role", help="samordnare, lasare, stadsdel:<kod>, natverk:<kod>")
    ],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Läs lösenordet från stdin")
    ] = False,
) -> None:
    """Lägg till ett konto (eller byt lösenord och roller på ett befintligt)."""
    require("portal", "users add")
    from bbic_portal.roles import RoleError, parse_roles
    from bbic_portal.users import UsersError, add_user

    try:
        roles = parse_roles(role)
    except RoleError as exc:
        typer.echo(f"bbic users add: {exc}", err=True)
        raise typer.Exit(1) from None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Lösenord", hide_input=True, confirmation_prompt=True)
    try:
        add_user(_users_file(), name, password, roles)
    except UsersError as exc:
        typer.echo(f"bbic users add: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{name}: {', '.join(str(r) for r in roles)}")


@users_app.command("remove")
def remove(name: Annotated[str, typer.Argument(help="Användarnamn")]) -> None:
    """Ta bort ett konto."""
    require("portal", "users remove")
    from bbic_portal.users import remove_user

    if not remove_user(_users_file(), name):
        typer.echo(f"bbic users remove: no account named {name!r}", err=True)
        raise typer.Exit(1)
    typer.echo(f"{name}: borttagen")


@users_app.command("list")
def list_users() -> None:
    """Visa konton och roller (aldrig lösenord)."""
    require("portal", "users list")
    from bbic_portal.users import read_users

    for account in read_users(_users_file()).values():
        typer.echo(f"{account.name}\t{','.join(str(r) for r in account.roles)}")
