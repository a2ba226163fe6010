"""Decisions of the steering committee: what was decided, its status over time and the saved
view (snapshot) the decision rests on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from planning.db import compare_and_set, concurrent_edit_message, session_or_scope, session_scope
from planning.models import Decision, Meeting, SavedView, utcnow
from planning.steering.common import SteeringError, _check_revision, _text
from planning.steering.views import View, _view

DECISION_STATUS: tuple[str, ...] = ("beschlossen", "vertagt", "abgelehnt", "in Umsetzung", "umgesetzt")


@dataclass(frozen=True)
class DecisionInfo:
    id: int
    meeting_id: int | None
    date: dt.date
    title: str
    text: str
    status: str
    view: View | None
    created_by: str
    revision: int


def _decision(row: Decision, s: Session) -> DecisionInfo:
    view = s.get(SavedView, row.view_id) if row.view_id else None
    return DecisionInfo(
        id=row.id,
        meeting_id=row.meeting_id,
        date=row.date,
        title=row.title,
        text=row.text,
        status=row.status,
        view=_view(view) if view else None,
        created_by=row.created_by,
        revision=row.revision,
    )


def add_decision(
    engine: Engine,
    title: str,
    text: str,
    user: str,
    meeting_id: int | None = None,
    date: dt.date | None = None,
    status: str = "beschlossen",
    view_id: int | None = None,
    session: Session | None = None,
) -> DecisionInfo:
    title = _text(title, "Der Titel des Beschlusses")
    user = _text(user, "Ihr Name", 120)
    if status not in DECISION_STATUS:
        raise SteeringError(f"Status „{status}“ gibt es nicht; erlaubt: {', '.join(DECISION_STATUS)}.")

    def _add(s: Session) -> DecisionInfo:
        day = date
        if day is None:
            meeting = s.get(Meeting, meeting_id) if meeting_id else None
            day = meeting.date if meeting else dt.date.today()
        row = Decision(
            meeting_id=meeting_id,
            date=day,
            title=title,
            text=text.strip(),
            status=status,
            view_id=view_id,
            created_by=user,
            updated_by=user,
        )
        s.add(row)
        s.flush()
        return _decision(row, s)

    with session_or_scope(engine, session) as s:
        return _add(s)


def update_decision(engine: Engine, decision_id: int, revision: int, user: str, status: str) -> DecisionInfo:
    user = _text(user, "Ihr Name", 120)
    if status not in DECISION_STATUS:
        raise SteeringError(f"Status „{status}“ gibt es nicht; erlaubt: {', '.join(DECISION_STATUS)}.")
    with (
        compare_and_set(lambda: SteeringError(concurrent_edit_message("Der Beschluss"))),
        session_scope(engine) as s,
    ):
        row = s.get(Decision, decision_id)
        if row is None:
            raise SteeringError("Den Beschluss gibt es nicht mehr.")
        _check_revision(row, revision, f"Der Beschluss „{row.title}“")
        row.status = status
        row.updated_at, row.updated_by, row.revision = utcnow(), user, row.revision + 1
        s.flush()
        return _decision(row, s)


def list_decisions(engine: Engine, meeting_id: int | None = None) -> list[DecisionInfo]:
    """Decisions of one meeting (or all), newest first."""
    with session_scope(engine) as s:
        q = select(Decision).order_by(Decision.date.desc(), Decision.id.desc())
        if meeting_id is not None:
            q = q.where(Decision.meeting_id == meeting_id)
        return [_decision(r, s) for r in s.scalars(q)]
