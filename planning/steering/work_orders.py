"""Work orders (Arbeitsaufträge) given to a group: owner, due date, status, the decision they
follow from, and the overview the next meeting sees (open, overdue, done since the last meeting).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from planning.db import session_or_scope, session_scope
from planning.models import Decision, WorkOrder, utcnow
from planning.rows import record_of
from planning.steering.common import SteeringError, _check_revision, _check_status, _edited, _stamp, _text
from planning.steering.meetings import MeetingInfo, list_meetings

GROUPS: tuple[str, ...] = (
    "AG Fachplanung",
    "Projektgruppe Ganztag",
    "Projektgruppe Integration Geflüchteter",
    "Jugendamt",
    "Schulamt",
    "Statistikstelle",
    "Sozialplanung",
)
ORDER_STATUS: tuple[str, ...] = ("offen", "in Arbeit", "erledigt", "zurückgestellt")
ORDER_CLOSED: frozenset[str] = frozenset({"erledigt", "zurückgestellt"})


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
    return record_of(
        WorkOrderInfo,
        row,
        decision_title=decision.title if decision else None,
        indicators=tuple(json.loads(row.indicators_json or "[]")),
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
    _check_status(status, ORDER_STATUS)

    with session_or_scope(engine, session) as s:
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
    _check_status(status, ORDER_STATUS)
    gone = "Den Arbeitsauftrag gibt es nicht mehr."
    with _edited(engine, WorkOrder, order_id, "Der Arbeitsauftrag", gone) as (s, row):
        _check_revision(row, revision, f"Der Arbeitsauftrag „{row.title}“")
        if status is not None and status != row.status:
            row.status = status
            row.done_at = (done_at or utcnow()) if status == "erledigt" else None
        if due is not None:
            row.due = due
        if owner is not None:
            row.owner = owner.strip()
        _stamp(row, user)
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
