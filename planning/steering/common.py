"""What every steering record shares: the German error, text checks and the revision check.

Every edit of a meeting, decision or work order counts a ``revision``; an edit that started from an
older revision is refused with a German message naming who saved since (two planners never
overwrite each other silently). All messages are German: they reach the user as they are.
"""

from __future__ import annotations

from typing import Any

from planning.formatting import local_stamp


class SteeringError(ValueError):
    """A steering record cannot be saved; the message is German and names the cause."""


def _text(value: str, what: str, limit: int = 200) -> str:
    value = (value or "").strip()
    if not value:
        raise SteeringError(f"{what} fehlt.")
    if len(value) > limit:
        raise SteeringError(f"{what} ist zu lang (höchstens {limit} Zeichen).")
    return value


def _check_revision(row: Any, revision: int, what: str) -> None:
    if row.revision != revision:
        raise SteeringError(
            f"{what} wurde inzwischen von {row.updated_by} geändert "
            f"(Stand {local_stamp(row.updated_at)} Uhr). "
            "Bitte neu laden; Ihre Änderung ist nicht gespeichert."
        )
