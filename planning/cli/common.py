"""What every command shares: the German user error, opening the database, JSON output."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeAlias

from sqlalchemy import Engine

from planning.config import resolve_db_url
from planning.db import make_engine, migrate

#: The ``sub.add_parser`` collection each command module adds its commands to.
Subcommands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


class CliError(Exception):
    """A user-facing error; its message is German and printed without a traceback."""


@contextmanager
def user_errors(*kinds: type[Exception]) -> Iterator[None]:
    """The domain's own errors of ``kinds`` (German messages) as :class:`CliError`."""
    try:
        yield
    except kinds as exc:
        raise CliError(str(exc)) from None


def open_engine(args: argparse.Namespace) -> Engine:
    """The database of ``--db`` (or the configured one), migrated to the current schema."""
    engine = make_engine(resolve_db_url(args.db))
    migrate(engine)
    return engine


def print_json(obj: Any) -> None:
    json.dump(obj, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def safe_url(engine: Engine) -> str:
    """The database address to print: the password hidden."""
    return engine.url.render_as_string(hide_password=True)
