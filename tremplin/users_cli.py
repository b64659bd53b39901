"""`tremplin users …`: console accounts from the command line (add, list, disable, enable,
reset-password). A password comes from standard input; without one, a generated password is
printed once and never stored in clear."""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from accounts import audit
from accounts.passwords import PasswordError, generate_password
from accounts.service import (
    ROLES,
    AccountError,
    AccountView,
    create_account,
    disable_account,
    enable_account,
    list_accounts,
    reset_password,
)
from coaching.partners import SHIPPED, import_partners
from migrations.apply import upgrade_async
from storage.engine import Database
from tremplin.settings import Settings


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `users` and its sub-commands on the `tremplin` parser."""
    users = commands.add_parser(
        "users",
        help="manage web console accounts (admins, operators, coaches)",
        description="Manage the web console's accounts. Passwords are read from standard input "
        "(one line); when none is given, a generated password is printed once.",
    )
    actions = users.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = actions.add_parser(
        "add",
        help="create an account",
        description="Create an account. A coach belongs to exactly one partner programme.",
    )
    add.add_argument("email", help="the e-mail address the person signs in with")
    add.add_argument("--role", required=True, choices=ROLES, help="what the account may do")
    add.add_argument("--programme", metavar="CODE", help="the coach's partner programme code")
    add.add_argument("--name", default="", help="the name shown to colleagues and users")
    add.add_argument("--language", default="fr", choices=("fr", "en"), help="console language")
    add.add_argument("--time-zone", default="Europe/Paris", help="e.g. America/Martinique")
    actions.add_parser("list", help="list every account", description="List every account.")
    for name, what in (
        ("disable", "stop an account from signing in and end its sessions"),
        ("enable", "let a disabled account sign in again"),
        ("reset-password", "set a new password (standard input, or generated) and end sessions"),
    ):
        action = actions.add_parser(name, help=what, description=what[0].upper() + what[1:] + ".")
        action.add_argument("email")


def _password_from(stdin: TextIO) -> tuple[str, bool]:
    """The password given on standard input (first line), or a generated one; whether generated.

    An interactive terminal is not read: the person would not know they are asked to type.
    """
    if not stdin.isatty():
        given = stdin.readline().rstrip("\r\n")
        if given:
            return given, False
    return generate_password(), True


def _describe(account: AccountView) -> str:
    programme = f" programme={account.programme_code}" if account.programme_code else ""
    state = "active" if account.active else "disabled"
    last = account.last_login_at.strftime("%Y-%m-%d %H:%M UTC") if account.last_login_at else "-"
    return f"{account.email}  role={account.role}{programme}  {state}  last sign-in {last}"


async def run_users(
    args: argparse.Namespace, settings: Settings, stdin: TextIO | None = None
) -> int:
    """Carry out one `users` action; 0 on success, 1 when refused (the reason on stderr)."""
    stdin = stdin if stdin is not None else sys.stdin
    await upgrade_async(settings.database_url)
    db = Database(settings.database_url)
    try:
        async with db.transaction() as session:
            # The programmes a coach may belong to are the operators' file's.
            await import_partners(session, settings.partners_file or SHIPPED)
        try:
            async with db.transaction() as session:
                if args.action == "list":
                    for account in await list_accounts(session):
                        print(_describe(account))
                    return 0
                if args.action == "disable":
                    account = await disable_account(session, args.email)
                    await audit.record(session, None, audit.ACCOUNT_DISABLED, detail=_who(account))
                    print(f"{account.email} is disabled; its sessions have ended")
                    return 0
                if args.action == "enable":
                    account = await enable_account(session, args.email)
                    await audit.record(session, None, audit.ACCOUNT_ENABLED, detail=_who(account))
                    print(f"{account.email} can sign in again")
                    return 0
                password, generated = _password_from(stdin)
                if args.action == "add":
                    account = await create_account(
                        session,
                        args.email,
                        args.role,
                        password,
                        programme_code=args.programme,
                        display_name=args.name,
                        language=args.language,
                        time_zone=args.time_zone,
                    )
                    await audit.record(session, None, audit.ACCOUNT_CREATED, detail=_who(account))
                    print(f"created {_describe(account)}")
                else:
                    account = await reset_password(session, args.email, password)
                    await audit.record(session, None, audit.PASSWORD_RESET, detail=_who(account))
                    print(f"new password set for {account.email}; its sessions have ended")
                if generated:
                    print(f"password (shown once, write it down): {password}")
                return 0
        except (AccountError, PasswordError) as exc:
            print(f"tremplin: {exc}", file=sys.stderr)
            return 1
    finally:
        await db.dispose()


def _who(account: AccountView) -> dict[str, str | None]:
    return {"email": account.email, "role": account.role, "programme": account.programme_code}
