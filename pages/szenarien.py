"""Szenarien: compare scenarios side by side with the baseline, and edit them."""

import streamlit as st

from ui import scenarioview, views
from ui.frame import context

ctx = context()
if views.page_frame(ctx, "szenarien"):
    view = st.segmented_control(
        "Ansicht",
        ["Vergleichen", "Bearbeiten"],
        default="Vergleichen",
        key="scenario_view",
        label_visibility="collapsed",
    )
    if view == "Bearbeiten":
        scenarioview.editor_view(ctx)
    else:
        scenarioview.compare_view(ctx)
    views.footer(ctx, None, ("bevoelkerung", "kitas", "kindertagespflege", "schulen", "schueler", "wohnbau"))
