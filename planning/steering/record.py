"""The meeting record (the minutes): what a meeting showed, decided and assigned, plus the
comments written during it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine, select

from planning.db import session_scope
from planning.models import Comment, WorkOrder
from planning.steering.comments import CommentInfo, _comment
from planning.steering.decisions import DecisionInfo, list_decisions
from planning.steering.meetings import AgendaEntry, MeetingInfo, get_meeting
from planning.steering.work_orders import WorkOrderInfo, _order


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
