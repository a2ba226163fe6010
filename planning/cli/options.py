"""Options several commands take alike: ``--layout`` (which Gebietsstand) and ``--json``."""

from __future__ import annotations

import argparse


def add_layout(s: argparse.ArgumentParser) -> None:
    """``--layout CODE``: which Gebietsstand (default: the active one)."""
    s.add_argument("--layout", help="Code des Gebietsstands (Standard: aktiver)")


def add_json(s: argparse.ArgumentParser, help_text: str | None = None) -> None:
    """``--json``: the output as JSON."""
    s.add_argument("--json", action="store_true", help=help_text)
