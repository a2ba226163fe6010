"""Comments of the departments beside a figure: threads on an indicator, an area or both,
replies, resolving a thread, and the year and data versions a comment speaks about.

How a comment's basis is described when the figures have moved on: :mod:`planning.comment_basis`.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import Engine, and_, or_, select
from sqlalchemy.orm import Session

from planning.db import session_or_scope, session_scope
from planning.models import Comment, utcnow
from planning.rows import record_of
from planning.steering.common import SteeringError, _edited, _text

DEPARTMENTS: tuple[str, ...] = (
    "Jugendamt",
    "Schulamt",
    "Statistikstelle",
    "Sozialplanung",
    "Stadtplanung",
    "Dezernat",
)


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
    versions = {k: int(v) for k, v in json.loads(row.versions_json).items()} if row.versions_json else None
    return record_of(CommentInfo, row, replies=replies, versions=versions)


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

    with session_or_scope(engine, session) as s:
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


def resolve_thread(
    engine: Engine, comment_id: int, user: str, resolved: bool = True, revision: int | None = None
) -> None:
    """Mark a thread as resolved (erledigt) or open it again.

    ``revision`` is the thread's revision the person saw (``CommentInfo.revision``); when somebody
    toggled the thread since, the change is refused instead of silently undoing theirs.
    """
    user = _text(user, "Ihr Name", 120)
    gone = "Den Kommentar gibt es nicht mehr."
    with _edited(engine, Comment, comment_id, "Der Kommentar", gone) as (s, row):
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
