"""Planungsatlas — router and frame: page config, shared sidebar selectors, navigation."""

from __future__ import annotations

import streamlit as st

from planning import pages
from planning.steering import View
from ui import auth as uiauth
from ui import components, meeting, preload, state, steering
from ui import data as uidata
from ui.frame import Context, set_context

st.set_page_config(page_title="Planungsatlas", page_icon="🗺️", layout="wide", initial_sidebar_state="expanded")
state.load_from_url()
# Streamlit's own input hints ("Press Enter to apply") and the "Stop" beside the running
# indicator are English: the interface speaks German (the indicator itself stays). The file
# uploader's button ("Upload") and its line "50MB per file • CSV, …" have no German option either:
# the button reads „Datei wählen“, the line „oder hierher ziehen“; every uploader names its size
# limit and file kinds in its own German caption or help.
_UPLOAD = "[data-testid='stFileUploaderDropzone']"
st.html(
    "<style>[data-testid='InputInstructions'] { display: none; }"
    " [data-testid='stStatusWidget'] button { display: none; }"
    f" {_UPLOAD} button [data-testid='stMarkdownContainer'] p {{ font-size: 0; }}"
    f" {_UPLOAD} button [data-testid='stMarkdownContainer'] p::after"
    " { content: 'Datei wählen'; font-size: 0.875rem; }"
    " [data-testid='stFileUploaderDropzoneInstructions'] span { font-size: 0; }"
    " [data-testid='stFileUploaderDropzoneInstructions'] span::after"
    " { content: 'oder hierher ziehen'; font-size: 0.875rem; }</style>"
)


def _sidebar(view: View | None, page: str) -> Context | None:
    layouts = uidata.layouts()
    if not layouts:
        return None
    codes = [lay.code for lay in layouts]
    by_code = {lay.code: lay for lay in layouts}
    state.ensure_choice(state.LAYOUT, codes, codes[0])
    with st.sidebar:
        layout = by_code[state.get(state.LAYOUT)]
        st.markdown(f"### {components.plain(layout.municipality)}")
        if len(layouts) > 1:
            st.selectbox("Gebietsstand", codes, key=state.LAYOUT.key, format_func=lambda c: by_code[c].name)
        pinned = view is not None and view.layout_id == layout.id
        versions = uidata.as_version_key(view.versions) if pinned and view else uidata.version_key(layout.id)
        data = uidata.planning_data(uidata.db_url(), layout.code, versions)
        levels = list(range(len(layout.levels)))
        state.ensure_choice(
            state.LEVEL, levels, uidata.default_level(data) if not data.areas.empty else levels[-1]
        )
        st.radio(
            "Gebietsebene",
            levels,
            key=state.LEVEL.key,
            format_func=lambda i: layout.levels[i],
            horizontal=True,
        )
        pop = data.population
        years = sorted(int(y) for y in pop["year"].unique()) if not pop.empty else []
        if not years:
            st.caption("Keine Bevölkerungsdaten vorhanden.")
            return None
        state.ensure_choice(state.YEAR, years, years[-1])
        st.selectbox(
            "Jahr",
            years,
            key=state.YEAR.key,
            help="Stichtag 31.12. des Jahres; Schuljahr, das im Jahr beginnt",
        )
    registry, stamp = uidata.current_registry()
    return Context(
        view=view if pinned else None,
        frozen_scenario=view.frozen_scenario() if pinned and view else None,
        page=page,
        registry=registry,
        registry_stamp=stamp,
        url=uidata.db_url(),
        layout=layout,
        versions=versions,
        data=data,
        level=state.get(state.LEVEL),
        year=state.get(state.YEAR),
        years=tuple(years),
    )


sections = {
    name: [st.Page(p.file, title=p.title, icon=p.icon, default=p.slug == pages.DEFAULT_PAGE) for p in group]
    for name, group in pages.sections().items()
}
by_name = {p.url_path or pages.DEFAULT_PAGE: p for group in sections.values() for p in group}
uiauth.gate(sections)  # the sign-in page instead, until somebody signed in (where users exist)
# A meeting link (?sitzung=N&top=K) opens that TOP's saved view, as the arrows in the bar do.
meeting.follow_link()
# A saved view (link ?ansicht=N or a TOP in meeting mode) brings its filters and pins its data.
view = steering.pinned_view()
# Navigation first, so the sidebar shows the sections at once (no flash of file names).
pg = st.navigation(sections, expanded=True)  # all pages; collapsed shows an English "View more"
page = pg.url_path or pages.DEFAULT_PAGE
goto = steering.pending_page()
if goto in by_name and goto != page:
    state.sync_url()
    st.switch_page(by_name[goto])
state.enter_page(page)  # tab and indicator are each page's own
preload.chart_library(page)  # before the data are prepared: the browser compiles plotly meanwhile
ctx = _sidebar(view, page)
uiauth.sidebar_account()
set_context(ctx)
uiauth.read_only_banner()
meeting.frame(ctx)
steering.show_flash(bool(state.get(state.MEETING)))
if ctx is not None:
    steering.view_banner(ctx)
uiauth.run_page(pg)
state.sync_url()
