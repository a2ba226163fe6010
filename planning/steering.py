"""The steering process: saved views (snapshots), meetings with agendas, comments, decisions and
work orders, and the meeting record.

A decision keeps the link to the figures it was based on: a :class:`View` pins the dataset
versions by id and copies the scenario, so reopening it after a newer import shows the same
numbers. Every edit of a meeting, decision or work order counts a ``revision``; an edit that started
from an older revision is refused with a German message (two planners never overwrite each other
silently). All messages are German: they reach the user as they are.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import asdict, dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, and_, or_, select
from sqlalchemy.orm import Session

from planning import pages
from planning.db import compare_and_set, concurrent_edit_message, session_or_scope, session_scope
from planning.formatting import local_stamp
from planning.models import (
    AgendaItem,
    Comment,
    Decision,
    Meeting,
    SavedView,
    WorkOrder,
    utcnow,
)
from planning.scenarios import Measure, Scenario

DEPARTMENTS: tuple[str, ...] = (
    "Jugendamt",
    "Schulamt",
    "Statistikstelle",
    "Sozialplanung",
    "Stadtplanung",
    "Dezernat",
)
GROUPS: tuple[str, ...] = (
    "AG Fachplanung",
    "Projektgruppe Ganztag",
    "Projektgruppe Integration Geflüchteter",
    "Jugendamt",
    "Schulamt",
    "Statistikstelle",
    "Sozialplanung",
)
MEETING_STATUS: tuple[str, ...] = ("geplant", "laufend", "abgeschlossen")
DECISION_STATUS: tuple[str, ...] = ("beschlossen", "vertagt", "abgelehnt", "in Umsetzung", "umgesetzt")
ORDER_STATUS: tuple[str, ...] = ("offen", "in Arbeit", "erledigt", "zurückgestellt")
ORDER_CLOSED: frozenset[str] = frozenset({"erledigt", "zurückgestellt"})

#: Where printed links point (a shared installation sets its address).
BASE_URL_ENV = "PLANUNGSATLAS_BASE_URL"


#: Timestamps are stored in UTC; people read them in the municipality's time.
LOCAL_TZ = ZoneInfo("Europe/Berlin")


def local_time(ts: dt.datetime) -> dt.datetime:
    """A stored (naive UTC) timestamp in German local time, for display."""
    return ts.replace(tzinfo=dt.UTC).astimezone(LOCAL_TZ)


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


# --------------------------------------------------------------------------- saved views


@dataclass(frozen=True)
class View:
    """A saved view: the page, its URL parameters, the pinned versions and the frozen scenario."""

    id: int
    layout_id: int
    title: str
    page: str
    state: dict[str, str]
    versions: dict[str, int]
    scenario: dict[str, Any] | None
    created_at: dt.datetime
    created_by: str

    def frozen_scenario(self) -> Scenario | None:
        """The scenario as it was when the view was saved (parameters and measures copied)."""
        return frozen_scenario(self.scenario) if self.scenario else None

    def link(self, base_url: str | None = None) -> str:
        """The address that reopens this view (``/<page>?ansicht=<id>``)."""
        base = (base_url or os.environ.get(BASE_URL_ENV) or "http://localhost:8501").rstrip("/")
        path = "" if self.page == pages.DEFAULT_PAGE else self.page  # the start page lives at "/"
        return f"{base}/{path}?ansicht={self.id}"


def frozen_scenario(record: dict[str, Any]) -> Scenario:
    """A scenario from :func:`scenario_record` (the copy a saved view keeps)."""
    return Scenario(
        name=record["name"],
        description=record.get("description", ""),
        params=dict(record.get("params", {})),
        measures=tuple(Measure(**m) for m in record.get("measures", [])),
        id=record.get("id"),
        revision=int(record.get("revision", 0)),
        updated_by=record.get("updated_by", ""),
    )


def scenario_record(scenario: Scenario) -> dict[str, Any]:
    return {
        "name": scenario.name,
        "description": scenario.description,
        "params": dict(scenario.params),
        "measures": [asdict(m) for m in scenario.measures],
        "id": scenario.id,
        "revision": scenario.revision,
        "updated_by": scenario.updated_by,
    }


def _view(row: SavedView) -> View:
    return View(
        id=row.id,
        layout_id=row.layout_id,
        title=row.title,
        page=row.page,
        state=json.loads(row.state_json or "{}"),
        versions={k: int(v) for k, v in json.loads(row.versions_json or "{}").items()},
        scenario=json.loads(row.scenario_json) if row.scenario_json else None,
        created_at=row.created_at,
        created_by=row.created_by,
    )


def save_view(
    engine: Engine,
    layout_id: int,
    title: str,
    page: str,
    state: dict[str, Any],
    versions: dict[str, int],
    scenario: Scenario | None,
    user: str,
    session: Session | None = None,
) -> View:
    """Freeze the view: page, URL parameters, version ids and (if one is in use) the scenario."""
    row = SavedView(
        layout_id=layout_id,
        title=_text(title, "Der Titel der Ansicht"),
        page=_text(page, "Die Seite der Ansicht", 80),
        state_json=json.dumps({k: str(v) for k, v in state.items() if v not in (None, "")}, sort_keys=True),
        versions_json=json.dumps({k: int(v) for k, v in versions.items()}, sort_keys=True),
        scenario_json=json.dumps(scenario_record(scenario), ensure_ascii=False) if scenario else None,
        created_by=_text(user, "Ihr Name", 120),
    )
    with session_or_scope(engine, session) as s:
        s.add(row)
        s.flush()
        return _view(row)


def get_view(engine: Engine, view_id: int) -> View:
    with session_scope(engine) as s:
        row = s.get(SavedView, view_id)
        if row is None:
            raise SteeringError(f"Die gespeicherte Ansicht Nr. {view_id} gibt es nicht (mehr).")
        return _view(row)


def list_views(engine: Engine, layout_id: int) -> list[View]:
    with session_scope(engine) as s:
        rows = s.scalars(
            select(SavedView).where(SavedView.layout_id == layout_id).order_by(SavedView.id.desc())
        ).all()
        return [_view(r) for r in rows]


# --------------------------------------------------------------------------- meetings and agenda


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
        AgendaEntry(
            id=i.id,
            position=n,
            title=i.title,
            note=i.note,
            presenter=i.presenter,
            view=views.get(i.view_id) if i.view_id else None,
            shown_at=i.shown_at,
            proposal=i.proposal or "",
            proposal_by=i.proposal_by or "",
            revision=i.revision,
        )
        for n, i in enumerate(items, start=1)
    )
    return MeetingInfo(
        id=row.id,
        name=row.name,
        body=row.body,
        date=row.date,
        location=row.location,
        status=row.status,
        minutes=row.minutes,
        agenda=agenda,
        updated_by=row.updated_by,
        revision=row.revision,
    )


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
    if status is not None and status not in MEETING_STATUS:
        raise SteeringError(f"Status „{status}“ gibt es nicht; erlaubt: {', '.join(MEETING_STATUS)}.")
    with (
        compare_and_set(lambda: SteeringError(concurrent_edit_message("Die Sitzung"))),
        session_scope(engine) as s,
    ):
        row = s.get(Meeting, meeting_id)
        if row is None:
            raise SteeringError("Die Sitzung gibt es nicht mehr.")
        _check_revision(row, revision, f"Die Sitzung „{row.name}“")
        if status is not None:
            row.status = status
        if minutes is not None:
            row.minutes = minutes.strip()
        if date is not None:
            row.date = date
        if location is not None:
            row.location = location.strip()
        row.updated_at, row.updated_by, row.revision = utcnow(), user, row.revision + 1
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

    def _add(s: Session) -> int:
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

    with session_or_scope(engine, session) as s:
        return _add(s)


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
    with (
        compare_and_set(lambda: SteeringError(concurrent_edit_message("Der Beschlussvorschlag"))),
        session_scope(engine) as s,
    ):
        item = s.get(AgendaItem, item_id)
        if item is None:
            raise SteeringError("Der Tagesordnungspunkt ist nicht mehr da.")
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


# --------------------------------------------------------------------------- comments


@dataclass(frozen=True)
class CommentInfo:
    id: int
    indicator_code: str | None
    gebiet_id: str | None
    department: str
    author: str
    text: str
    created_at: dt.datetime
    meeting_id: int | None = None
    resolved: bool = False
    resolved_by: str | None = None
    replies: tuple[CommentInfo, ...] = ()
    revision: int = 1
    #: The year and the dataset versions ({kind: id}) the comment speaks about (None: not recorded).
    year: int | None = None
    versions: dict[str, int] | None = None

    @property
    def scope(self) -> str:
        """ "Kennzahl", "Gebiet" or "Gebiet × Kennzahl"."""
        if self.indicator_code and self.gebiet_id:
            return "Gebiet × Kennzahl"
        return "Kennzahl" if self.indicator_code else "Gebiet"


def _comment(row: Comment, replies: tuple[CommentInfo, ...] = ()) -> CommentInfo:
    return CommentInfo(
        id=row.id,
        indicator_code=row.indicator_code,
        gebiet_id=row.gebiet_id,
        department=row.department,
        author=row.author,
        text=row.text,
        created_at=row.created_at,
        meeting_id=row.meeting_id,
        resolved=row.resolved,
        resolved_by=row.resolved_by,
        replies=replies,
        revision=row.revision,
        year=row.year,
        versions={k: int(v) for k, v in json.loads(row.versions_json).items()} if row.versions_json else None,
    )


def add_comment(
    engine: Engine,
    layout_id: int,
    text: str,
    department: str,
    author: str,
    indicator: str | None = None,
    gebiet_id: str | None = None,
    parent_id: int | None = None,
    meeting_id: int | None = None,
    session: Session | None = None,
    year: int | None = None,
    versions: dict[str, int] | None = None,
) -> int:
    """A new interpretation (or a reply to ``parent_id``, which takes the thread's subject).

    ``year`` and ``versions`` ({kind: dataset version id}) are what was on screen: the comment is
    bound to them and says so when the figures have moved on (:func:`comment_basis`)."""
    text = _text(text, "Der Kommentartext", 4000)
    department = _text(department, "Das Fachamt", 120)
    author = _text(author, "Ihr Name", 120)

    def _add(s: Session) -> int:
        nonlocal indicator, gebiet_id
        if parent_id is not None:
            parent = s.get(Comment, parent_id)
            if parent is None:
                raise SteeringError("Der Kommentar, auf den Sie antworten, ist nicht mehr da.")
            while parent.parent_id is not None:  # replies hang on the thread's first comment
                parent = s.get(Comment, parent.parent_id)
                assert parent is not None
            indicator, gebiet_id = parent.indicator_code, parent.gebiet_id
            root_id: int | None = parent.id
        else:
            root_id = None
            if not indicator and not gebiet_id:
                raise SteeringError("Ein Kommentar gehört zu einer Kennzahl, einem Gebiet oder beidem.")
        row = Comment(
            layout_id=layout_id,
            indicator_code=indicator or None,
            gebiet_id=gebiet_id or None,
            parent_id=root_id,
            department=department,
            author=author,
            text=text,
            meeting_id=meeting_id,
            year=year,
            versions_json=json.dumps({k: int(v) for k, v in versions.items()}, sort_keys=True)
            if versions
            else None,
        )
        s.add(row)
        s.flush()
        return row.id

    with session_or_scope(engine, session) as s:
        return _add(s)


def resolve_thread(
    engine: Engine, comment_id: int, user: str, resolved: bool = True, revision: int | None = None
) -> None:
    """Mark a thread as resolved (erledigt) or open it again.

    ``revision`` is the thread's revision the person saw (``CommentInfo.revision``); when somebody
    toggled the thread since, the change is refused instead of silently undoing theirs.
    """
    user = _text(user, "Ihr Name", 120)
    with (
        compare_and_set(lambda: SteeringError(concurrent_edit_message("Der Kommentar"))),
        session_scope(engine) as s,
    ):
        row = s.get(Comment, comment_id)
        if row is None:
            raise SteeringError("Den Kommentar gibt es nicht mehr.")
        while row.parent_id is not None:
            row = s.get(Comment, row.parent_id)
            assert row is not None
        if revision is not None and row.revision != revision:
            state = f"als erledigt markiert von {row.resolved_by}" if row.resolved else "wieder geöffnet"
            raise SteeringError(
                f"Der Kommentar wurde inzwischen {state}. "
                "Bitte neu laden; Ihre Änderung ist nicht gespeichert."
            )
        row.revision += 1
        row.resolved = resolved
        row.resolved_by = user if resolved else None
        row.resolved_at = utcnow() if resolved else None


def comments_about(
    engine: Engine,
    layout_id: int,
    indicator: str | None = None,
    gebiet_id: str | None = None,
    include_resolved: bool = True,
) -> list[CommentInfo]:
    """The threads that belong beside a figure, oldest first.

    - an indicator alone: every comment on that indicator (city-wide and per district);
    - a district alone: every comment on that district (general and per indicator);
    - both: comments on the indicator city-wide, on the district × indicator, and on the district
      in general.
    """
    if indicator and gebiet_id:
        cond = or_(
            and_(
                Comment.indicator_code == indicator,
                or_(Comment.gebiet_id == gebiet_id, Comment.gebiet_id.is_(None)),
            ),
            and_(Comment.gebiet_id == gebiet_id, Comment.indicator_code.is_(None)),
        )
    elif indicator:
        cond = Comment.indicator_code == indicator
    elif gebiet_id:
        cond = Comment.gebiet_id == gebiet_id
    else:
        cond = Comment.id.is_not(None)
    with session_scope(engine) as s:
        roots = s.scalars(
            select(Comment)
            .where(Comment.layout_id == layout_id, Comment.parent_id.is_(None), cond)
            .order_by(Comment.created_at, Comment.id)
        ).all()
        if not include_resolved:
            roots = [r for r in roots if not r.resolved]
        replies: dict[int, list[CommentInfo]] = {}
        if roots:
            for r in s.scalars(
                select(Comment)
                .where(Comment.parent_id.in_([x.id for x in roots]))
                .order_by(Comment.created_at, Comment.id)
            ):
                assert r.parent_id is not None
                replies.setdefault(r.parent_id, []).append(_comment(r))
        return [_comment(r, tuple(replies.get(r.id, []))) for r in roots]


# --------------------------------------------------------------------------- decisions


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


# --------------------------------------------------------------------------- work orders


@dataclass(frozen=True)
class WorkOrderInfo:
    id: int
    title: str
    description: str
    group: str
    owner: str
    due: dt.date | None
    status: str
    decision_id: int | None
    decision_title: str | None
    meeting_id: int | None
    indicators: tuple[str, ...]
    done_at: dt.datetime | None
    created_at: dt.datetime
    created_by: str
    revision: int

    @property
    def is_open(self) -> bool:
        return self.status not in ORDER_CLOSED

    def overdue(self, on: dt.date) -> bool:
        return self.is_open and self.due is not None and self.due < on


def _order(row: WorkOrder, s: Session) -> WorkOrderInfo:
    decision = s.get(Decision, row.decision_id) if row.decision_id else None
    return WorkOrderInfo(
        id=row.id,
        title=row.title,
        description=row.description,
        group=row.group,
        owner=row.owner,
        due=row.due,
        status=row.status,
        decision_id=row.decision_id,
        decision_title=decision.title if decision else None,
        meeting_id=row.meeting_id,
        indicators=tuple(json.loads(row.indicators_json or "[]")),
        done_at=row.done_at,
        created_at=row.created_at,
        created_by=row.created_by,
        revision=row.revision,
    )


def add_work_order(
    engine: Engine,
    title: str,
    group: str,
    user: str,
    owner: str = "",
    due: dt.date | None = None,
    decision_id: int | None = None,
    meeting_id: int | None = None,
    indicators: tuple[str, ...] | list[str] = (),
    description: str = "",
    status: str = "offen",
    session: Session | None = None,
) -> WorkOrderInfo:
    title = _text(title, "Der Titel des Arbeitsauftrags")
    group = _text(group, "Die beauftragte Gruppe", 160)
    user = _text(user, "Ihr Name", 120)
    if status not in ORDER_STATUS:
        raise SteeringError(f"Status „{status}“ gibt es nicht; erlaubt: {', '.join(ORDER_STATUS)}.")

    def _add(s: Session) -> WorkOrderInfo:
        if decision_id is not None and s.get(Decision, decision_id) is None:
            raise SteeringError("Der verknüpfte Beschluss ist nicht mehr da.")
        row = WorkOrder(
            title=title,
            description=description.strip(),
            group=group,
            owner=owner.strip(),
            due=due,
            status=status,
            decision_id=decision_id,
            meeting_id=meeting_id,
            indicators_json=json.dumps(list(dict.fromkeys(indicators))),
            done_at=utcnow() if status == "erledigt" else None,
            created_by=user,
            updated_by=user,
        )
        s.add(row)
        s.flush()
        return _order(row, s)

    with session_or_scope(engine, session) as s:
        return _add(s)


def update_work_order(
    engine: Engine,
    order_id: int,
    revision: int,
    user: str,
    *,
    status: str | None = None,
    due: dt.date | None = None,
    owner: str | None = None,
    done_at: dt.datetime | None = None,
) -> WorkOrderInfo:
    """Change status, due date or owner. Setting "erledigt" records when (``done_at``)."""
    user = _text(user, "Ihr Name", 120)
    if status is not None and status not in ORDER_STATUS:
        raise SteeringError(f"Status „{status}“ gibt es nicht; erlaubt: {', '.join(ORDER_STATUS)}.")
    with (
        compare_and_set(lambda: SteeringError(concurrent_edit_message("Der Arbeitsauftrag"))),
        session_scope(engine) as s,
    ):
        row = s.get(WorkOrder, order_id)
        if row is None:
            raise SteeringError("Den Arbeitsauftrag gibt es nicht mehr.")
        _check_revision(row, revision, f"Der Arbeitsauftrag „{row.title}“")
        if status is not None and status != row.status:
            row.status = status
            row.done_at = (done_at or utcnow()) if status == "erledigt" else None
        if due is not None:
            row.due = due
        if owner is not None:
            row.owner = owner.strip()
        row.updated_at, row.updated_by, row.revision = utcnow(), user, row.revision + 1
        s.flush()
        return _order(row, s)


def list_work_orders(engine: Engine) -> list[WorkOrderInfo]:
    with session_scope(engine) as s:
        rows = s.scalars(
            select(WorkOrder).order_by(WorkOrder.due.is_(None), WorkOrder.due, WorkOrder.id)
        ).all()
        return [_order(r, s) for r in rows]


@dataclass(frozen=True)
class OrderOverview:
    """Work orders as the next meeting sees them."""

    on: dt.date
    since: dt.date | None  # date of the previous meeting
    open: tuple[WorkOrderInfo, ...]
    overdue: tuple[WorkOrderInfo, ...]
    done_since: tuple[WorkOrderInfo, ...]


def order_overview(
    engine: Engine, meeting: MeetingInfo | None = None, on: dt.date | None = None
) -> OrderOverview:
    """Open, overdue (due before the meeting) and done since the previous meeting."""
    day = on or (meeting.date if meeting else dt.date.today())
    previous = [
        m.date for m in list_meetings(engine) if m.date < day and (meeting is None or m.id != meeting.id)
    ]
    since = max(previous, default=None)
    orders = list_work_orders(engine)
    open_ = tuple(o for o in orders if o.is_open)
    done = tuple(
        o
        for o in orders
        if o.status == "erledigt"
        and o.done_at is not None
        and (since is None or o.done_at.date() >= since)
        and o.done_at.date() <= day
    )
    return OrderOverview(
        on=day, since=since, open=open_, overdue=tuple(o for o in open_ if o.overdue(day)), done_since=done
    )


# --------------------------------------------------------------------------- meeting record


@dataclass(frozen=True)
class MeetingRecord:
    """What a meeting showed, decided and assigned (the minutes), plus its comments."""

    meeting: MeetingInfo
    decisions: tuple[DecisionInfo, ...]
    orders: tuple[WorkOrderInfo, ...]
    comments: tuple[CommentInfo, ...] = field(default_factory=tuple)

    @property
    def shown(self) -> tuple[AgendaEntry, ...]:
        return tuple(a for a in self.meeting.agenda if a.shown_at is not None)


def meeting_record(engine: Engine, key: str | int) -> MeetingRecord:
    meeting = get_meeting(engine, key)
    with session_scope(engine) as s:
        orders = tuple(
            _order(r, s)
            for r in s.scalars(
                select(WorkOrder).where(WorkOrder.meeting_id == meeting.id).order_by(WorkOrder.id)
            )
        )
        comments = tuple(
            _comment(r)
            for r in s.scalars(select(Comment).where(Comment.meeting_id == meeting.id).order_by(Comment.id))
        )
    decisions = tuple(sorted(list_decisions(engine, meeting.id), key=lambda d: d.id))
    return MeetingRecord(meeting=meeting, decisions=decisions, orders=orders, comments=comments)
