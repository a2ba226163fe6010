"""The demo city: ``demo`` writes Weidenstadt (and its demo accounts) into the database."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from sqlalchemy import Engine, inspect
from sqlalchemy.engine import make_url

from planning.cli.common import CliError, Subcommands, safe_url
from planning.config import resolve_db_url
from planning.db import make_engine, migrate
from planning.repository import NoDataError, get_layout


def cmd_demo(args: argparse.Namespace) -> int:
    from planning.demo import build_demo

    url = resolve_db_url(args.db)
    engine = make_engine(url)
    migrate(engine)
    has_data = bool(inspect(engine).has_table("area_layout")) and _has_layout(engine)
    if has_data and not args.force:
        print(
            f"Die Datenbank enthält bereits Daten ({safe_url(engine)}). "
            "Nichts geändert; mit --force wird sie durch die Demo-Kommune ersetzt."
        )
        return 0
    if has_data:
        engine.dispose()
        _drop_sqlite_file(url)
        engine = make_engine(url)
        migrate(engine)
    t0 = time.perf_counter()
    report = build_demo(engine, seed=args.seed)
    print(f"Demo-Kommune erstellt in {time.perf_counter() - t0:.1f} s: {report}")
    if not args.ohne_konten:
        from planning.demo.accounts import DEMO_PASSWORD, add_demo_accounts

        names = ", ".join(p.username for p in add_demo_accounts(engine))
        print(f"Demo-Konten (Passwort „{DEMO_PASSWORD}“, steht auf der Anmeldeseite): {names}")
    print(f"Datenbank: {safe_url(engine)}")
    return 0


def _has_layout(engine: Engine) -> bool:
    try:
        get_layout(engine)
    except NoDataError:
        return False
    return True


def _drop_sqlite_file(url: str) -> None:

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        raise CliError("--force ersetzt nur SQLite-Dateien; eine Server-Datenbank bitte gezielt leeren.")
    for suffix in ("", "-wal", "-shm"):
        Path(parsed.database + suffix).unlink(missing_ok=True)


def add_demo(sub: Subcommands) -> None:
    """``demo [--force] [--seed N] [--ohne-konten]``"""
    s = sub.add_parser("demo", help="Demo-Kommune Weidenstadt in die Datenbank schreiben")
    s.add_argument("--force", action="store_true", help="vorhandene SQLite-Datenbank ersetzen")
    s.add_argument("--seed", type=int, default=2025, help="Startwert des Zufallsgenerators")
    s.add_argument(
        "--ohne-konten",
        action="store_true",
        help="keine Demo-Konten anlegen (ein Arbeitsplatz ohne Anmeldung, nur auf diesem Rechner)",
    )
    s.set_defaults(func=cmd_demo)
