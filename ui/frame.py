"""The app frame's context: what ``app.py`` resolved for this run (layout, level, year, data)."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from planning.repository import LayoutInfo, PlanningData
from ui import data as uidata

_CTX_KEY = "_frame_context"


@dataclass(frozen=True)
class Context:
    url: str
    layout: LayoutInfo
    versions: uidata.VersionKey
    data: PlanningData
    level: int
    year: int
    years: tuple[int, ...]

    @property
    def level_name(self) -> str:
        return self.layout.levels[self.level]


def set_context(ctx: Context | None) -> None:
    st.session_state[_CTX_KEY] = ctx


def context() -> Context | None:
    """The context of this run, or None when the database holds no area layout yet."""
    return st.session_state.get(_CTX_KEY)
