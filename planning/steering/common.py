"""What every steering record shares: the German error, text and status checks, the edit of one row
in a compare-and-set transaction (:func:`_edited`, :func:`_stamp`) and the revision check.

Every edit of a meeting, decision or work order counts a ``revision``; an edit that started from an
older revision is refused with a German message naming who saved since (two planners never
overwrite each other silently). All messages are German: they reach the user as they are.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from planning.db import compare_and_set, concurrent_edit_message, session_scope
from planning.formatting import local_stamp
from planning.models import utcnow


class SteeringError(ValueError):
    """A steering record cannot be saved; the message is German and names the cause."""


def _text(value: str, what: str, limit: int = 200) -> str:
    value = (value or "").strip()
    if not value:
        raise SteeringError(f"{what} fehlt.")
    if len(value) > limit:
        raise SteeringError(f"{what} ist zu lang (höchstens {limit} Zeichen).")
    return value


def _check_status(status: str | None, allowed: tuple[str, ...]) -> None:
    """Refuse a status that is not one of ``allowed`` (None: the status is not changed)."""
    if status is not None and status not in allowed:
        raise SteeringError(f"Status „{status}“ gibt es nicht; erlaubt: {', '.join(allowed)}.")


@contextmanager
def _edited(engine: Engine, model: type, key: int, what: str, gone: str) -> Iterator[tuple[Session, Any]]:
    """The row ``key`` of ``model`` to change, in one compare-and-set transaction: refused with
    ``gone`` when the row was deleted, with a message naming ``what`` when another save won."""
    with (
        compare_and_set(lambda: SteeringError(concurrent_edit_message(what))),
        session_scope(engine) as s,
    ):
        row = s.get(model, key)
        if row is None:
            raise SteeringError(gone)
        yield s, row


def _stamp(row: Any, user: str) -> None:
    """Record who saved ``row`` and when, and count its revision."""
    row.updated_at, row.updated_by, row.revision = utcnow(), user, row.revision + 1


def _check_revision(row: Any, revision: int, what: str) -> None:
    if row.revision != revision:
        raise SteeringError(
            f"{what} wurde inzwischen von {row.updated_by} geändert "
            f"(Stand {local_stamp(row.updated_at)} Uhr). "
            "Bitte neu laden; Ihre Änderung ist nicht gespeichert."
        )
