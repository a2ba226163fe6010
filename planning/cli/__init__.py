"""Command line of Planungsatlas: everything that is not UI.

``python -m planning [--db URL] COMMAND``. Command names, options and JSON keys are contracts:
scheduled jobs and scripts call them. Messages are German (the users are); exit code 0 on
success, 1 on a user error with a German message on stderr, 2 on wrong usage.

One module per command group, each with its commands' options (``add_…``) and handlers (``cmd_…``):
:mod:`~planning.cli.importing` (check, import, import-bundle, template, mapping),
:mod:`~planning.cli.data` (areas, summary, versions, activate, indicators, export-table),
:mod:`~planning.cli.forecast` (forecast, plan, scenarios, backtest), :mod:`~planning.cli.paper`,
:mod:`~planning.cli.admin` (backup, restore, user, audit, migrate, geheimnis) and
:mod:`~planning.cli.demo`; shared helpers in :mod:`~planning.cli.common`. Heavy modules (import,
paper, demo, plan) are imported inside the command that needs them, so every command starts fast and
small (``bench/memory.py`` measures ``check`` from start-up).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from planning.auth import SYSTEM, acting_as
from planning.cli import admin, data, demo, forecast, importing, paper
from planning.cli.common import CliError, Subcommands
from planning.repository import NoDataError

#: The commands in the order ``--help`` lists them (each module adds its own with their options).
COMMANDS: tuple[Callable[[Subcommands], None], ...] = (
    demo.add_demo,
    data.add_areas,
    data.add_summary,
    importing.add_check_and_import,
    importing.add_import_bundle,
    forecast.add_forecast,
    forecast.add_plan,
    forecast.add_scenarios,
    forecast.add_backtest,
    data.add_indicators,
    data.add_export_table,
    admin.add_backup,
    admin.add_restore,
    paper.add_paper,
    importing.add_template,
    data.add_versions,
    data.add_activate,
    importing.add_mapping,
    admin.add_user,
    admin.add_audit,
    admin.add_migrate,
    admin.add_secret,
)


def build_parser() -> argparse.ArgumentParser:
    """The whole command line: ``--db`` and every command of :data:`COMMANDS`."""
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
    for add in COMMANDS:
        add(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        # The command line and the scheduled jobs (deploy/systemd) act as the system service, said
        # explicitly: nothing else in the process writes without an acting person.
        with acting_as(SYSTEM):
            return func(args)
    except (CliError, NoDataError, KeyError) as exc:
        msg = exc.args[0] if exc.args else str(exc)
        if isinstance(exc, NoDataError):
            msg += " Mit 'python -m planning demo' eine Demo-Kommune anlegen oder Daten importieren."
        print(f"Fehler: {msg}", file=sys.stderr)
        return 1
