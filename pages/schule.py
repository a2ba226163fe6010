"""Schule & Ganztag: school entrants, entry classes vs Züge, Ganztag under the GaFöG phase-in."""

import streamlit as st

from ui import planview, views
from ui.frame import context

ctx = context()
if views.page_frame(ctx, "Schule & Ganztag"):
    view = st.segmented_control(
        "Ansicht",
        ["Bedarfsplanung", "Ist-Kennzahlen"],
        default="Bedarfsplanung",
        key="school_view",
        label_visibility="collapsed",
    )
    if view == "Ist-Kennzahlen":
        indicator = views.indicator_explorer(
            ctx, domains=("Schule", "Ganztag"), default="ganztag_quote", points_default=(False, True)
        )
        views.footer(ctx, indicator)
    else:
        planview.school_plan(ctx)
        views.footer(ctx, None, ("bevoelkerung", "schulen", "schueler", "wohnbau"))
