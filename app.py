"""Planungsatlas — router and frame: page config, shared sidebar selectors, navigation."""

from __future__ import annotations

import streamlit as st

from ui import data as uidata
from ui import state
from ui.frame import Context, set_context

st.set_page_config(page_title="Planungsatlas", page_icon="🗺️", layout="wide", initial_sidebar_state="expanded")
state.load_from_url()


def _sidebar() -> Context | None:
    layouts = uidata.layouts()
    if not layouts:
        return None
    codes = [lay.code for lay in layouts]
    by_code = {lay.code: lay for lay in layouts}
    state.ensure_choice(state.LAYOUT, codes, codes[0])
    with st.sidebar:
        layout = by_code[state.get(state.LAYOUT)]
        st.markdown(f"### {layout.municipality}")
        if len(layouts) > 1:
            st.selectbox("Gebietsstand", codes, key=state.LAYOUT.key, format_func=lambda c: by_code[c].name)
        versions = uidata.version_key(layout.id)
        data = uidata.planning_data(uidata.db_url(), layout.code, versions)
        levels = list(range(len(layout.levels)))
        state.ensure_choice(state.LEVEL, levels, levels[-1])
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


P = "pages/"
pages = {
    "Lagebild": [st.Page(P + "lagebild.py", title="Übersicht", icon=":material/dashboard:", default=True)],
    "Kita": [st.Page(P + "kita.py", title="Kita-Versorgung", icon=":material/child_care:")],
    "Schule": [st.Page(P + "schule.py", title="Schule & Ganztag", icon=":material/school:")],
    "Jugendhilfe & Sozialraum": [
        st.Page(P + "sozialraum.py", title="Jugendhilfe & Soziales", icon=":material/diversity_3:"),
        st.Page(P + "stadtteilprofil.py", title="Stadtteilprofil", icon=":material/location_city:"),
        st.Page(P + "querschnitt.py", title="Quervergleich", icon=":material/scatter_plot:"),
    ],
    "Szenarien": [
        st.Page(P + "szenarien.py", title="Szenarien", icon=":material/compare_arrows:"),
        st.Page(P + "kohorten.py", title="Kohortenkette", icon=":material/timeline:"),
        st.Page(P + "prognose.py", title="Prognosegüte", icon=":material/fact_check:"),
    ],
    "Steuerkreis": [st.Page(P + "steuerkreis.py", title="Sitzung & Beschlüsse", icon=":material/gavel:")],
    "Daten": [
        st.Page(P + "kennzahlen.py", title="Kennzahlen & Ziele", icon=":material/flag:"),
        st.Page(P + "datenstaende.py", title="Datenstände", icon=":material/database:"),
        st.Page(P + "import.py", title="Import", icon=":material/upload_file:"),
    ],
}
# Navigation first, so the sidebar shows the sections at once (no flash of file names).
pg = st.navigation(pages, expanded=True)  # all pages; collapsed shows an English "View more"
set_context(_sidebar())
pg.run()
state.sync_url()
