"""Quervergleich: two indicators across the districts, and a priority list over several indicators."""

import streamlit as st

from ui import crossview, views
from ui.frame import context

ctx = context()
if views.page_frame(ctx, "querschnitt"):
    compare, ranking = st.tabs(["Zwei Kennzahlen vergleichen", "Prioritätenliste"])
    with compare:
        pair = crossview.cross_view(ctx)
    with ranking:
        chosen = crossview.ranking_view(ctx)
    used = [*(pair or ()), *chosen]
    extra = tuple(s for ind in used for s in ind.sources)
    views.footer(ctx, None, extra=extra)
