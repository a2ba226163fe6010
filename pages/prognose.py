"""Prognosegüte: project from an earlier year and compare with what was observed (backtest)."""

import streamlit as st

from ui import scenarioview, views
from ui.frame import context

ctx = context()
if views.page_frame(ctx, "Prognosegüte"):
    st.markdown(
        "Die Prognose rechnet ab einem früheren Basisjahr mit denselben Regeln wie heute und wird "
        "mit den später beobachteten Kinderzahlen verglichen. Gute kleinräumige Prognosen liegen ein "
        "Jahr voraus bei wenigen Prozent; der Fehler wächst mit dem Abstand und in kleinen Gebieten."
    )
    scenarioview.backtest_view(ctx)
    views.footer(ctx, None, ("bevoelkerung", "geburten"))
