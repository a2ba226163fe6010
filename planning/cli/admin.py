"""Running an installation: ``backup`` and ``restore``, ``user`` (the built-in user store),
``audit`` (the change log and its chain check), ``migrate`` and ``geheimnis`` (the cookie secret)."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import os
import secrets
import sys
import tomllib
from pathlib import Path

from planning import audit, auth
from planning.cli.common import CliError, Subcommands, open_engine, print_json, safe_url, user_errors
from planning.cli.options import add_json
from planning.config import PROJECT_ROOT, resolve_db_url
from planning.db import make_engine


def cmd_backup(args: argparse.Namespace) -> int:
    """A consistent copy of the whole database (SQLite file or pg_dump), also while the app runs."""
    from planning.backup import BackupError, backup

    engine = make_engine(resolve_db_url(args.db))
    with user_errors(BackupError):
        info = backup(engine, Path(args.out))
    print(
        f"Sicherung geschrieben: {info.path} ({info.size_bytes / 1e6:.1f} MB, Schema {info.revision}) "
        f"aus {safe_url(engine)}"
    )
    return 0


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise CliError("Passwort bitte interaktiv eingeben oder mit --passwort-stdin übergeben.")

    first = getpass.getpass("Passwort: ")
    if getpass.getpass("Passwort wiederholen: ") != first:
        raise CliError("Die beiden Passwörter stimmen nicht überein.")
    return first


def cmd_user(args: argparse.Namespace) -> int:
    """Built-in user store: add, list, disable, enable (passwords never on the command line)."""
    engine = open_engine(args)
    with user_errors(auth.UserError):
        if args.action == "list":
            users = auth.list_users(engine)
            if args.json:
                print_json(
                    [
                        {
                            "username": p.username,
                            "name": p.display_name,
                            "role": p.role.value,
                            "department": p.department,
                            "active": active,
                        }
                        for p, active in users
                    ]
                )
                return 0
            for p, active in users:
                print(f"{p.username:<24} {p.label}{'' if active else '  [gesperrt]'}")
            if not users:
                print("Keine Benutzer angelegt (python -m planning user add NAME --rolle ROLLE).")
            return 0
        if not args.username:
            raise CliError(
                "Benutzername fehlt, z. B.: python -m planning user add j.planer --rolle fachplanung"
            )
        if args.action == "add":
            if not args.role:
                raise CliError("--rolle fehlt (admin, leitung, fachplanung, lesend).")
            password = _read_password(args)
            p = auth.add_user(
                engine, args.username, args.name or "", args.role, password, args.department or ""
            )
            print(f"Benutzer angelegt: {p.username} – {p.label}")
        else:
            auth.set_active(engine, args.username, args.action == "enable")
            state = "entsperrt" if args.action == "enable" else "gesperrt"
            print(f"Benutzer {args.username.strip().lower()} {state}.")
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    """The audit trail, newest first (read only: it cannot be changed)."""
    if args.verify:
        report = audit.verify_chain(open_engine(args))
        print(report.message, file=sys.stdout if report.ok else sys.stderr)
        return 0 if report.ok else 1
    flt = audit.AuditFilter(
        actor=args.person or "",
        object_type=args.object or "",
        since=dt.date.fromisoformat(args.since) if args.since else None,
        limit=args.limit,
    )
    table = audit.events(open_engine(args), flt)
    if args.json:
        print_json(table.to_dict(orient="records"))
        return 0
    for row in table.itertuples(index=False):
        print(f"{row[0]:%d.%m.%Y %H:%M}  {row[1]} ({row[3]})  {row[4]}  {row[5]} {row[6]}  {row[7]}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from planning.backup import BackupError, restore

    engine = make_engine(resolve_db_url(args.db))
    if not args.yes:
        raise CliError(
            f"Die Wiederherstellung ersetzt alle Daten in {safe_url(engine)} durch {args.source}. "
            "Zum Bestätigen --yes angeben (vorher am besten: python -m planning backup --out DATEI)."
        )
    with user_errors(BackupError):
        info = restore(engine, Path(args.source))
    print(f"Wiederhergestellt: {safe_url(engine)} aus {info.path} (Schema der Sicherung {info.revision})")
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    engine = open_engine(args)
    print(f"Schema aktuell: {safe_url(engine)}")
    return 0


def cmd_secret(args: argparse.Namespace) -> int:
    """Make a sign-in secret, or (``--pruefen``) refuse a weak configured one before the app starts."""
    if not args.check:
        print(secrets.token_urlsafe(48))
        return 0
    configured, where = os.environ.get(auth.SESSION_SECRET_ENV, ""), auth.SESSION_SECRET_ENV
    secrets_file = PROJECT_ROOT / ".streamlit" / "secrets.toml"
    if not configured and secrets_file.is_file():
        with secrets_file.open("rb") as fh:
            configured = str(tomllib.load(fh).get("planungsatlas", {}).get("session_secret", "") or "")
        where = "[planungsatlas] session_secret in .streamlit/secrets.toml"
    problem = auth.session_secret_problem(configured, where)
    if problem:
        print(f"Fehler: {problem}", file=sys.stderr)
        return 1
    print("Das Geheimnis für die Anmelde-Cookies ist in Ordnung.")
    return 0


def add_backup(sub: Subcommands) -> None:
    """``backup --out FILE``"""
    s = sub.add_parser("backup", help="ganze Datenbank sichern (SQLite-Datei oder pg_dump)")
    s.add_argument("--out", required=True, metavar="FILE", help="Zieldatei, z. B. sicherung-2026-11-21.db")
    s.set_defaults(func=cmd_backup)


def add_restore(sub: Subcommands) -> None:
    """``restore --from FILE --yes``"""
    s = sub.add_parser("restore", help="ganze Datenbank aus einer Sicherung wiederherstellen")
    s.add_argument("--from", dest="source", required=True, metavar="FILE", help="Sicherungsdatei")
    s.add_argument("--yes", action="store_true", help="bestätigt: alle Daten werden ersetzt")
    s.set_defaults(func=cmd_restore)


def add_user(sub: Subcommands) -> None:
    """``user add|list|disable|enable [NAME] …``"""
    s = sub.add_parser("user", help="Benutzer: add NAME --rolle ROLLE | list | disable NAME | enable NAME")
    s.add_argument("action", choices=("add", "list", "disable", "enable"))
    s.add_argument("username", nargs="?", metavar="NAME")
    s.add_argument("--rolle", dest="role", metavar="ROLLE", help="admin, leitung, fachplanung, lesend")
    s.add_argument("--name", help="angezeigter Name, z. B. „Dr. Dora Dezernentin“")
    s.add_argument("--abteilung", dest="department", help="Fachamt (Pflicht für Fachplanung)")
    s.add_argument(
        "--passwort-stdin",
        dest="password_stdin",
        action="store_true",
        help="Passwort als eine Zeile von stdin",
    )
    add_json(s)
    s.set_defaults(func=cmd_user)


def add_audit(sub: Subcommands) -> None:
    """``audit [--person NAME] [--objekt TABELLE] [--seit DATUM] [--pruefen] [--json]``"""
    s = sub.add_parser("audit", help="Änderungsprotokoll: wer hat wann was geändert (neueste zuerst)")
    s.add_argument("--person", metavar="BENUTZERNAME")
    s.add_argument(
        "--objekt", dest="object", metavar="TABELLE", help="z. B. comment, decision, dataset_version"
    )
    s.add_argument("--seit", dest="since", metavar="JJJJ-MM-TT")
    s.add_argument("--limit", type=int, default=200)
    s.add_argument(
        "--pruefen",
        dest="verify",
        action="store_true",
        help="Prüfsummen-Kette prüfen: nennt den ersten veränderten, eingefügten oder fehlenden Eintrag",
    )
    add_json(s)
    s.set_defaults(func=cmd_audit)


def add_migrate(sub: Subcommands) -> None:
    """``migrate``"""
    s = sub.add_parser("migrate", help="Datenbankschema auf den neuesten Stand bringen")
    s.set_defaults(func=cmd_migrate)


def add_secret(sub: Subcommands) -> None:
    """``geheimnis [--pruefen]``"""
    s = sub.add_parser(
        "geheimnis",
        help="Geheimnis für die Anmelde-Cookies erzeugen; mit --pruefen das eingestellte prüfen",
    )
    s.add_argument(
        "--pruefen",
        dest="check",
        action="store_true",
        help="PLANUNGSATLAS_SESSION_SECRET (sonst secrets.toml) prüfen: fehlt, zu kurz, Platzhalter → Fehler",
    )
    s.set_defaults(func=cmd_secret)
