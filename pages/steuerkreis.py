"""Sitzung & Beschlüsse: agenda of saved views, meeting mode, decision paper, decisions, work orders."""

import streamlit as st

from ui import since, steuerkreis, views
from ui.frame import context

ctx = context()
if views.page_frame(ctx, "steuerkreis") and not since.opening(ctx):
    t_meet, t_orders, t_dec, t_com, t_views = st.tabs(
        ["Sitzungen", "Arbeitsaufträge", "Beschlüsse", "Kommentare", "Gespeicherte Ansichten"]
    )
    with t_meet:
        steuerkreis.meetings_tab(ctx)
    with t_orders:
        steuerkreis.orders_tab(ctx)
    with t_dec:
        steuerkreis.decisions_tab(ctx)
    with t_com:
        steuerkreis.comments_tab(ctx)
    with t_views:
        steuerkreis.views_tab(ctx)
