"""Meetings and their agenda: the TOPs with the view each one shows, their order, the
Beschlussvorschlag prepared per TOP and when a TOP was first shown (for the minutes).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from planning.db import session_or_scope, session_scope
from planning.formatting import local_stamp
from planning.models import AgendaItem, Meeting, SavedView, utcnow
from planning.rows import record_of
from planning.steering.common import SteeringError, _check_revision, _check_status, _edited, _stamp, _text
from planning.steering.views import View, _view

MEETING_STATUS: tuple[str, ...] = ("geplant", "laufend", "abgeschlossen")


@dataclass(frozen=True)
class AgendaEntry:
    id: int
    position: int
    title: str
    note: str
    presenter: str
    view: View | None
    shown_at: dt.datetime | None
    #: Beschlussvorschlag prepared before the meeting ("" = none), who wrote it last, its revision.
    proposal: str = ""
    proposal_by: str = ""
    revision: int = 1


@dataclass(frozen=True)
class MeetingInfo:
    id: int
    name: str
    body: str
    date: dt.date
    location: str
    status: str
    minutes: str
    agenda: tuple[AgendaEntry, ...] = ()
    updated_by: str = ""
    revision: int = 0

    @property
    def label(self) -> str:
        return f"{self.name} ({self.date:%d.%m.%Y})"


def _meeting(row: Meeting, s: Session) -> MeetingInfo:
    items = s.scalars(
        select(AgendaItem).where(AgendaItem.meeting_id == row.id).order_by(AgendaItem.position, AgendaItem.id)
    ).all()
    views = {
        v.id: _view(v)
        for v in s.scalars(select(SavedView).where(SavedView.id.in_([i.view_id for i in items if i.view_id])))
    }
    agenda = tuple(
        record_of(
            AgendaEntry,
            i,
            position=n,
            view=views.get(i.view_id) if i.view_id else None,
            proposal=i.proposal or "",
            proposal_by=i.proposal_by or "",
        )
        for n, i in enumerate(items, start=1)
    )
    return record_of(MeetingInfo, row, agenda=agenda)


def create_meeting(
    engine: Engine,
    name: str,
    date: dt.date,
    user: str,
    body: str = "Steuerkreis Bildung und Betreuung",
    location: str = "",
) -> MeetingInfo:
    name = _text(name, "Der Name der Sitzung", 160)
    user = _text(user, "Ihr Name", 120)
    with session_scope(engine) as s:
        if s.scalars(select(Meeting).where(Meeting.name == name)).first() is not None:
            raise SteeringError(f"Eine Sitzung „{name}“ gibt es schon; bitte einen anderen Namen wählen.")
        row = Meeting(
            name=name,
            date=date,
            body=body.strip() or "Steuerkreis",
            location=location.strip(),
            created_by=user,
            updated_by=user,
        )
        s.add(row)
        s.flush()
        return _meeting(row, s)


def list_meetings(engine: Engine) -> list[MeetingInfo]:
    """All meetings, newest first."""
    with session_scope(engine) as s:
        rows = s.scalars(select(Meeting).order_by(Meeting.date.desc(), Meeting.id.desc())).all()
        return [_meeting(r, s) for r in rows]


def get_meeting(engine: Engine, key: str | int) -> MeetingInfo:
    """A meeting by id or by name (the agenda's name); German error naming the known ones."""
    with session_scope(engine) as s:
        if isinstance(key, int):
            row = s.get(Meeting, key)
        else:
            row = s.scalars(select(Meeting).where(Meeting.name == key.strip())).first()
        if row is None:
            known = (
                ", ".join(f"„{n}“" for n in s.scalars(select(Meeting.name).order_by(Meeting.date))) or "keine"
            )
            raise SteeringError(f"Eine Sitzung/Tagesordnung „{key}“ gibt es nicht. Vorhanden: {known}.")
        return _meeting(row, s)


def update_meeting(
    engine: Engine,
    meeting_id: int,
    revision: int,
    user: str,
    *,
    status: str | None = None,
    minutes: str | None = None,
    date: dt.date | None = None,
    location: str | None = None,
) -> MeetingInfo:
    user = _text(user, "Ihr Name", 120)
    _check_status(status, MEETING_STATUS)
    with _edited(engine, Meeting, meeting_id, "Die Sitzung", "Die Sitzung gibt es nicht mehr.") as (s, row):
        _check_revision(row, revision, f"Die Sitzung „{row.name}“")
        if status is not None:
            row.status = status
        if minutes is not None:
            row.minutes = minutes.strip()
        if date is not None:
            row.date = date
        if location is not None:
            row.location = location.strip()
        _stamp(row, user)
        s.flush()
        return _meeting(row, s)


def add_agenda_item(
    engine: Engine,
    meeting_id: int,
    title: str,
    view_id: int | None = None,
    note: str = "",
    presenter: str = "",
    session: Session | None = None,
) -> int:
    """Append a TOP to the meeting's agenda; returns the item id."""
    title = _text(title, "Der Titel des Tagesordnungspunkts")

    with session_or_scope(engine, session) as s:
        if s.get(Meeting, meeting_id) is None:
            raise SteeringError("Die Sitzung gibt es nicht mehr.")
        last = s.scalars(select(AgendaItem.position).where(AgendaItem.meeting_id == meeting_id)).all()
        item = AgendaItem(
            meeting_id=meeting_id,
            position=max(last, default=0) + 1,
            title=title,
            view_id=view_id,
            note=note.strip(),
            presenter=presenter.strip(),
        )
        s.add(item)
        s.flush()
        return item.id


def move_agenda_item(engine: Engine, item_id: int, delta: int) -> None:
    """Move a TOP up (delta −1) or down (+1); positions are renumbered 1..n."""
    with session_scope(engine) as s:
        item = s.get(AgendaItem, item_id)
        if item is None:
            raise SteeringError("Der Tagesordnungspunkt ist nicht mehr da.")
        items = list(
            s.scalars(
                select(AgendaItem)
                .where(AgendaItem.meeting_id == item.meeting_id)
                .order_by(AgendaItem.position, AgendaItem.id)
            )
        )
        i = items.index(item)
        j = min(max(i + delta, 0), len(items) - 1)
        items.insert(j, items.pop(i))
        for n, it in enumerate(items, start=1):
            it.position = n


def remove_agenda_item(engine: Engine, item_id: int) -> None:
    with session_scope(engine) as s:
        item = s.get(AgendaItem, item_id)
        if item is not None:
            s.delete(item)


def set_proposal(engine: Engine, item_id: int, revision: int, user: str, text: str) -> AgendaEntry:
    """Write the TOP's Beschlussvorschlag ("" clears it), refused when somebody saved it since
    ``revision`` (the revision the person saw)."""
    user = _text(user, "Ihr Name", 120)
    text = (text or "").strip()
    if len(text) > 4000:
        raise SteeringError("Der Beschlussvorschlag ist zu lang (höchstens 4000 Zeichen).")
    gone = "Der Tagesordnungspunkt ist nicht mehr da."
    with _edited(engine, AgendaItem, item_id, "Der Beschlussvorschlag", gone) as (s, item):
        if item.revision != revision:
            raise SteeringError(
                f"Der Beschlussvorschlag zu „{item.title}“ wurde inzwischen von {item.proposal_by} "
                f"geändert (Stand {local_stamp(item.proposal_at or utcnow())} Uhr). "
                "Bitte neu laden; Ihre Änderung ist nicht gespeichert."
            )
        item.proposal, item.proposal_by, item.proposal_at = text, user, utcnow()
        item.revision = item.revision + 1
        s.flush()
        meeting = s.get(Meeting, item.meeting_id)
        assert meeting is not None
        return next(a for a in _meeting(meeting, s).agenda if a.id == item_id)


def mark_shown(engine: Engine, item_id: int) -> None:
    """Record the first time a TOP was shown in meeting mode (for the minutes)."""
    with session_scope(engine) as s:
        item = s.get(AgendaItem, item_id)
        if item is not None and item.shown_at is None:
            item.shown_at = utcnow()
