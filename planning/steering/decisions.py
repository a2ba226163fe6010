"""Decisions of the steering committee: what was decided, its status over time and the saved
view (snapshot) the decision rests on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from planning.db import session_or_scope, session_scope
from planning.models import Decision, Meeting, SavedView
from planning.rows import record_of
from planning.steering.common import _check_revision, _check_status, _edited, _stamp, _text
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
    return record_of(DecisionInfo, row, view=_view(view) if view else None)


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
    _check_status(status, DECISION_STATUS)

    with session_or_scope(engine, session) as s:
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


def update_decision(engine: Engine, decision_id: int, revision: int, user: str, status: str) -> DecisionInfo:
    user = _text(user, "Ihr Name", 120)
    _check_status(status, DECISION_STATUS)
    gone = "Den Beschluss gibt es nicht mehr."
    with _edited(engine, Decision, decision_id, "Der Beschluss", gone) as (s, row):
        _check_revision(row, revision, f"Der Beschluss „{row.title}“")
        row.status = status
        _stamp(row, user)
        s.flush()
        return _decision(row, s)


def list_decisions(engine: Engine, meeting_id: int | None = None) -> list[DecisionInfo]:
    """Decisions of one meeting (or all), newest first."""
    with session_scope(engine) as s:
        q = select(Decision).order_by(Decision.date.desc(), Decision.id.desc())
        if meeting_id is not None:
            q = q.where(Decision.meeting_id == meeting_id)
        return [_decision(r, s) for r in s.scalars(q)]
