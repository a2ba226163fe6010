"""Lagebild: city key figures, the indicator set with traffic lights, any indicator on the map."""

import streamlit as st

from planning.summary import missing_domains
from ui import components, sets, state, views
from ui import data as uidata
from ui.frame import context

ctx = context()
if views.page_frame(ctx, "lagebild"):
    if state.get(state.MEETING):  # the room sees the TOP's map and ranking first, the overview below
        indicator = views.indicator_explorer(ctx, points_default=(True, False))
        components.city_kpis(uidata.summary(ctx.url, ctx.layout.code, ctx.versions, ctx.year))
        st.subheader("Kennzahlenset mit Ampeln")
        sets.set_overview(ctx)
    else:
        components.city_kpis(uidata.summary(ctx.url, ctx.layout.code, ctx.versions, ctx.year))
        components.missing_domains_notice(missing_domains(ctx.data))
        st.subheader("Kennzahlenset mit Ampeln")
        sets.set_overview(ctx)
        st.subheader("Kennzahl auf der Karte")
        indicator = views.indicator_explorer(ctx, points_default=(True, False))
    views.footer(ctx, indicator, extra=("bevoelkerung", "kitas", "schueler"))
