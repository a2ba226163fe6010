"""What a comment speaks about: the year and the dataset versions on screen when it was written.

A comment about "33 % in 2024" must not read as one about the 38,4 % of 2025 beside it. So every
comment keeps its year and its versions ({kind: id}); wherever it is shown (app, paper) this says
"bezieht sich auf 2024, Datenstand …" and, when the figures shown have moved on (another year, a
newer delivery of a source the figure uses), says that too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from planning.models import KIND_LABELS
from planning.repository import VersionInfo
from planning.steering import CommentInfo

#: The area layout is no figure: a new Gebietsstand is a new layout, not a moved figure.
_NOT_FIGURES = frozenset({"gebiete"})
#: A line names at most this many sources (a profile uses all of them).
MAX_SOURCES = 3


@dataclass(frozen=True)
class Basis:
    about: str  # "bezieht sich auf 2024, Datenstand Bevölkerung 31.12.2024 (Nr. 3)"
    moved: str  # "" or "Zahlen inzwischen fortgeschrieben: …"


def _version(v: VersionInfo | None, vid: int) -> str:
    if v is None:
        return f"Nr. {vid}"
    stand = f" {v.stand:%d.%m.%Y}" if v.stand else ""
    return f"{KIND_LABELS.get(v.kind, v.kind)}{stand} (Nr. {v.id})"


def basis(
    comment: CommentInfo,
    known: Mapping[int, VersionInfo],
    kinds: Iterable[str] = (),
    shown_year: int | None = None,
    shown_versions: Mapping[str, int] | None = None,
) -> Basis | None:
    """The comment's basis as German text, or None for a comment that recorded none.

    ``known``: every dataset version by id (old ones too); ``kinds``: the sources of the figure
    (an indicator's ``sources``; empty: all recorded); ``shown_year``/``shown_versions``: what the
    figure beside the comment shows now.
    """
    if comment.year is None and not comment.versions:
        return None
    stored = {k: v for k, v in (comment.versions or {}).items() if k not in _NOT_FIGURES}
    wanted = [k for k in dict.fromkeys(kinds) if k in stored] or sorted(stored)
    if shown_versions is not None:  # the sources that moved on first: they are the news
        wanted.sort(key=lambda k: shown_versions.get(k, stored[k]) == stored[k])
    wanted = wanted[:MAX_SOURCES]
    parts = []
    if comment.year is not None:
        parts.append(f"bezieht sich auf {comment.year}")
    if wanted:
        parts.append("Datenstand " + ", ".join(_version(known.get(stored[k]), stored[k]) for k in wanted))
    elif not parts:
        return None
    moved = []
    if shown_versions is not None:
        for k in wanted:
            now = shown_versions.get(k)
            if now is not None and now != stored[k]:
                moved.append(f"jetzt {_version(known.get(now), now)}")
    if shown_year is not None and comment.year is not None and shown_year != comment.year:
        moved.append(f"hier gezeigt: {shown_year}")
    return Basis(
        about=", ".join(parts),
        moved=("Zahlen inzwischen fortgeschrieben: " + "; ".join(moved)) if moved else "",
    )


def text(b: Basis | None) -> str:
    """One line for print and captions ("" without a basis)."""
    if b is None:
        return ""
    return f"({b.about}" + (f" – {b.moved}" if b.moved else "") + ")"
