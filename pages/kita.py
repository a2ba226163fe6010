"""Kita: where will U3 and Ü3 places be missing, when and how many (forecast), and today's supply."""

import streamlit as st

from ui import planview, views
from ui.frame import context

ctx = context()
if views.page_frame(ctx, "Kita-Versorgung"):
    view = st.segmented_control(
        "Ansicht",
        ["Bedarfsplanung", "Ist-Kennzahlen"],
        default="Bedarfsplanung",
        key="kita_view",
        label_visibility="collapsed",
    )
    if view == "Ist-Kennzahlen":
        indicator = views.indicator_explorer(
            ctx, domains=("Kita", "Demografie"), default="versorgung_ue3", points_default=(True, False)
        )
        views.footer(ctx, indicator)
    else:
        planview.kita_plan(ctx)
        views.footer(ctx, None, ("bevoelkerung", "kitas", "kindertagespflege", "wohnbau"))
