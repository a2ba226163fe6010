"""The app frame's context: what ``app.py`` resolved for this run (layout, level, year, data)."""

from __future__ import annotations

from dataclasses import dataclass, field

import streamlit as st

from planning import pages
from planning.indicators import Indicator
from planning.registry import Registry
from planning.repository import LayoutInfo, PlanningData
from planning.scenarios import Scenario
from planning.steering import View
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
    registry: Registry = field(default_factory=Registry)
    #: Changes with every save in the register (cache key for tables of added indicators).
    registry_stamp: tuple[object, ...] = ()
    #: A saved view being shown: its versions are ``versions``, its scenario is frozen here.
    view: View | None = None
    frozen_scenario: Scenario | None = None
    #: The page's URL path (what a saved view records).
    page: str = ""

    @property
    def level_name(self) -> str:
        return self.layout.levels[self.level]

    def indicator(self, code: str) -> Indicator:
        return self.registry.indicator(code)


def set_context(ctx: Context | None) -> None:
    st.session_state[_CTX_KEY] = ctx


def context() -> Context | None:
    """The context of this run, or None when the database holds no area layout yet.

    Every page calls this first. Streamlit treats a project with a ``pages/`` folder as a legacy
    multipage app until ``st.navigation`` has run once in the server process: a deep link
    (``/kita?jahr=2025``) that is the very first request after a server start would run the page
    file alone, without the frame. Then declare the app's pages with ``st.navigation`` (which is what
    switches Streamlit to that mode, public API) and rerun, so the link opens through ``app.py`` with
    its sidebar, data and URL state.
    """
    if _CTX_KEY not in st.session_state:
        st.navigation(
            [st.Page(p.file, title=p.title, default=p.slug == pages.DEFAULT_PAGE) for p in pages.PAGES],
            position="hidden",
        )
        st.rerun()
    return st.session_state.get(_CTX_KEY)
