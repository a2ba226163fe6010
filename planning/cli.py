"""Command line of Planungsatlas: everything that is not UI.

``python -m planning [--db URL] COMMAND``. Command names, options and JSON keys are contracts:
scheduled jobs and scripts call them. Messages are German (the users are); exit code 0 on
success, 1 on a user error with a German message on stderr, 2 on wrong usage.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Engine, inspect

from planning.config import resolve_db_url
from planning.db import make_engine, migrate
from planning.repository import NoDataError, get_layout, load_areas, load_planning_data
from planning.summary import city_summary


class CliError(Exception):
    """A user-facing error; its message is German and printed without a traceback."""


def _engine(args: argparse.Namespace) -> Engine:
    engine = make_engine(resolve_db_url(args.db))
    migrate(engine)
    return engine


def _print_json(obj: Any) -> None:
    json.dump(obj, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def cmd_demo(args: argparse.Namespace) -> int:
    from planning.demo import build_demo

    url = resolve_db_url(args.db)
    engine = make_engine(url)
    migrate(engine)
    has_data = bool(inspect(engine).has_table("area_layout")) and _has_layout(engine)
    if has_data and not args.force:
        print(
            f"Die Datenbank enthält bereits Daten ({_safe_url(engine)}). "
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
    print(f"Datenbank: {_safe_url(engine)}")
    return 0


def _has_layout(engine: Engine) -> bool:
    try:
        get_layout(engine)
    except NoDataError:
        return False
    return True


def _drop_sqlite_file(url: str) -> None:
    from pathlib import Path

    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        raise CliError("--force ersetzt nur SQLite-Dateien; eine Server-Datenbank bitte gezielt leeren.")
    for suffix in ("", "-wal", "-shm"):
        Path(parsed.database + suffix).unlink(missing_ok=True)


def _safe_url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def cmd_areas(args: argparse.Namespace) -> int:
    engine = _engine(args)
    layout = get_layout(engine, args.layout)
    areas = load_areas(engine, layout.id, layout.epsg)
    level = len(layout.levels) - 1 if args.level is None else args.level
    if not 0 <= level < len(layout.levels):
        raise CliError(
            f"Ebene {level} gibt es nicht; Ebenen: "
            + ", ".join(f"{i} = {n}" for i, n in enumerate(layout.levels))
        )
    rows = areas[areas["level"] == level]
    items = [{"gebiet_id": g, "name": n} for g, n in zip(rows["gebiet_id"], rows["name"], strict=True)]
    if args.json:
        _print_json(items)
    else:
        print(f"{layout.name} ({layout.municipality}), Ebene {layout.levels[level]}: {len(items)} Gebiete")
        for it in items:
            print(f"{it['gebiet_id']}\t{it['name']}")
    return 0


_SUMMARY_LABELS = {
    "municipality": "Kommune",
    "layout": "Gebietsstand",
    "areas": "Gebiete (unterste Ebene)",
    "population_year": "Jahr",
    "population_total": "Einwohner:innen",
    "children_0_3": "Kinder 0 bis unter 3",
    "children_3_6": "Kinder 3 bis unter 6",
    "children_6_10": "Kinder 6 bis unter 10",
    "kitas": "Kitas in Betrieb",
    "kita_places": "Kita-Plätze",
    "versorgung_u3": "Versorgungsquote U3 (%)",
    "versorgung_ue3": "Versorgungsquote Ü3 (%)",
    "schools": "Schulen",
    "school_year": "Schuljahr",
    "pupils": "Schüler:innen",
    "primary_pupils": "davon Grundschule (Stufe 1–4)",
}


def cmd_summary(args: argparse.Namespace) -> int:
    engine = _engine(args)
    data = load_planning_data(engine, args.layout)
    summary = city_summary(data, args.year)
    if args.json:
        _print_json(summary)
    else:
        for key, value in summary.items():
            print(f"{_SUMMARY_LABELS.get(key, key)}: {value if value is not None else 'keine Daten'}")
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    engine = _engine(args)
    print(f"Schema aktuell: {_safe_url(engine)}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m planning",
        description="Planungsatlas – Kommandozeile (Daten, Prognose, Exporte).",
    )
    p.add_argument(
        "--db",
        metavar="URL",
        help="Datenbank-URL (Standard: PLANUNGSATLAS_DB_URL, secrets.toml oder data/planungsatlas.db)",
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = sub.add_parser("demo", help="Demo-Kommune Weidenstadt in die Datenbank schreiben")
    s.add_argument("--force", action="store_true", help="vorhandene SQLite-Datenbank ersetzen")
    s.add_argument("--seed", type=int, default=2025, help="Startwert des Zufallsgenerators")
    s.set_defaults(func=cmd_demo)

    s = sub.add_parser("areas", help="Gebiete des aktiven Gebietsstands auflisten")
    s.add_argument("--json", action="store_true", help="JSON-Liste von {gebiet_id, name}")
    s.add_argument("--layout", help="Code des Gebietsstands (Standard: aktiver)")
    s.add_argument("--level", type=int, help="Ebene (0 = oberste; Standard: unterste)")
    s.set_defaults(func=cmd_areas)

    s = sub.add_parser("summary", help="Eckzahlen der Kommune")
    s.add_argument("--json", action="store_true", help="ein JSON-Objekt")
    s.add_argument("--layout", help="Code des Gebietsstands (Standard: aktiver)")
    s.add_argument("--year", type=int, help="Jahr (Standard: neuestes Bevölkerungsjahr)")
    s.set_defaults(func=cmd_summary)

    s = sub.add_parser("migrate", help="Datenbankschema auf den neuesten Stand bringen")
    s.set_defaults(func=cmd_migrate)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except (CliError, NoDataError, KeyError) as exc:
        msg = exc.args[0] if exc.args else str(exc)
        if isinstance(exc, NoDataError):
            msg += " Mit 'python -m planning demo' eine Demo-Kommune anlegen oder Daten importieren."
        print(f"Fehler: {msg}", file=sys.stderr)
        return 1
