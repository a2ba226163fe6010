"""Shared view state: session-state keys mirrored into the URL (``st.query_params``).

A link copied from the browser opens the same view on the shared screen: area layout, level,
year, indicator and selected district travel in the URL. Streamlit drops query params when the
user switches pages, so the state lives in ``st.session_state`` and is written back to the URL on
every run (see ``sync_url``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st

from planning import pages


@dataclass(frozen=True)
class StateKey:
    key: str  # session_state key (also the widget key)
    param: str  # URL parameter (German, readable in a link)
    parse: Callable[[str], Any] = str


LAYOUT = StateKey("layout", pages.LAYOUT)
LEVEL = StateKey("level", pages.LEVEL, int)
YEAR = StateKey("year", pages.YEAR, int)
INDICATOR = StateKey("indicator", pages.INDICATOR)
DISTRICT = StateKey("district", pages.DISTRICT)
SCENARIO = StateKey("scenario", pages.SCENARIO)
PLAN_YEAR = StateKey("plan_year", pages.PLAN_YEAR, int)
INDICATOR_SET = StateKey("kennzahlenset", pages.INDICATOR_SET)
CROSS_X = StateKey("quer_x", pages.CROSS_X)
CROSS_Y = StateKey("quer_y", pages.CROSS_Y)
#: Kita/Schule: pages.PLAN_PART or pages.FACTS_PART.
DOMAIN_VIEW = StateKey("domain_view", pages.DOMAIN_VIEW)
#: A saved view (snapshot) whose dataset versions and scenario are pinned.
SNAPSHOT = StateKey("snapshot", pages.SNAPSHOT, int)
#: Meeting mode: the meeting and the agenda item (TOP, 1-based) on the shared screen.
MEETING = StateKey("meeting", pages.MEETING, int)
AGENDA_POS = StateKey("agenda_pos", pages.AGENDA_POS, int)
SHARED: tuple[StateKey, ...] = (
    LAYOUT,
    LEVEL,
    YEAR,
    INDICATOR,
    DISTRICT,
    SCENARIO,
    PLAN_YEAR,
    INDICATOR_SET,
    CROSS_X,
    CROSS_Y,
    DOMAIN_VIEW,
    SNAPSHOT,
    MEETING,
    AGENDA_POS,
)
#: Keys that belong to one page: each page keeps its own tab and indicator, so a choice made on
#: Schule does not carry into Kita (and a view saved there is labelled with what Kita showed). The
#: district stays shared: "the district under discussion" follows the room from page to page.
PAGE_SCOPED: tuple[StateKey, ...] = (INDICATOR, DOMAIN_VIEW)
_PAGE = "_state_page"
_PAGE_MEMORY = "_state_of_page:"
#: What a saved view records (not the meeting mode itself).
VIEW_KEYS: tuple[StateKey, ...] = tuple(sk for sk in SHARED if sk not in (SNAPSHOT, MEETING, AGENDA_POS))

_LOADED_FLAG = "_url_state_loaded"


def load_from_url() -> None:
    """On the first run of a session, take the shared state from the URL."""
    if st.session_state.get(_LOADED_FLAG):
        # Re-assign so widget-bound values survive pages on which their widget is not drawn.
        for sk in SHARED:
            if sk.key in st.session_state:
                st.session_state[sk.key] = st.session_state[sk.key]
        return
    for sk in SHARED:
        raw = st.query_params.get(sk.param)
        if raw in (None, ""):
            continue
        try:
            st.session_state[sk.key] = sk.parse(raw)
        except ValueError:
            continue  # a mangled link must not break the page; the default applies
    st.session_state[_LOADED_FLAG] = True


def get(sk: StateKey, default: Any = None) -> Any:
    return st.session_state.get(sk.key, default)


def put(sk: StateKey, value: Any) -> None:
    st.session_state[sk.key] = value


def ensure_choice(sk: StateKey, options: list[Any], default: Any) -> Any:
    """Make the stored value one of ``options`` (a link may name a year that has no data)."""
    if sk.key not in st.session_state or st.session_state[sk.key] not in options:
        st.session_state[sk.key] = default if default in options else (options[0] if options else None)
    return st.session_state[sk.key]


def sync_url() -> None:
    """Write the shared state back into the URL, dropping parameters that are no longer set."""
    wanted = {
        sk.param: str(st.session_state[sk.key])
        for sk in SHARED
        if st.session_state.get(sk.key) not in (None, "")
    }
    current = {k: st.query_params.get(k) for k in st.query_params}
    if current != wanted:
        st.query_params.from_dict(wanted)


def view_state() -> dict[str, str]:
    """The current view as URL parameters (what a saved view stores)."""
    return {
        sk.param: str(st.session_state[sk.key])
        for sk in VIEW_KEYS
        if st.session_state.get(sk.key) not in (None, "")
    }


def apply_view_state(params: dict[str, str]) -> None:
    """Set the view keys from stored URL parameters; keys the view did not have are cleared."""
    for sk in VIEW_KEYS:
        raw = params.get(sk.param)
        if raw in (None, ""):
            st.session_state.pop(sk.key, None)
            continue
        try:
            st.session_state[sk.key] = sk.parse(raw)
        except ValueError:
            st.session_state.pop(sk.key, None)


def carry_to(page: str) -> None:
    """Let the current page-scoped values arrive with ``page`` (a saved view opens its page so)."""
    st.session_state[_PAGE_MEMORY + page] = {
        sk.key: st.session_state[sk.key] for sk in PAGE_SCOPED if sk.key in st.session_state
    }


def enter_page(page: str) -> None:
    """On a change of page, keep the page-scoped keys of the page left and bring back those of the
    page entered (or none: the page's own defaults apply). The first page of a session keeps what
    its link said."""
    previous = st.session_state.get(_PAGE)
    if previous == page:
        return
    if previous is not None:
        st.session_state[_PAGE_MEMORY + previous] = {
            sk.key: st.session_state[sk.key] for sk in PAGE_SCOPED if sk.key in st.session_state
        }
        saved = st.session_state.get(_PAGE_MEMORY + page, {})
        for sk in PAGE_SCOPED:
            if sk.key in saved:
                st.session_state[sk.key] = saved[sk.key]
            else:
                st.session_state.pop(sk.key, None)
    st.session_state[_PAGE] = page
