"""Kennzahlen & Ziele: the indicator register, targets, indicator sets, added indicators."""

import streamlit as st

from ui import sets, views
from ui.frame import context

ctx = context()
if views.page_frame(ctx, "kennzahlen"):
    st.caption(
        "Das gemeinsame Kennzahlenregister: Definition (Zähler/Nenner), zuständiges Amt, Geheimhaltung "
        "und vereinbarter Zielwert. Änderungen gelten sofort für alle Seiten und Exporte."
    )
    user = sets.user_field()
    register, targets, sets_tab, new = st.tabs(
        ["Register", "Zielwerte", "Kennzahlensets", "Kennzahl hinzufügen"]
    )
    with register:
        sets.register_table(ctx)
    with targets:
        sets.target_editor(ctx, user)
    with sets_tab:
        sets.set_editor(ctx, user)
    with new:
        sets.indicator_form(user)
