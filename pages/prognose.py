"""Prognosegüte: project from an earlier year and compare with what was observed (backtest)."""

import streamlit as st

from ui import backtestview, views
from ui.frame import context

ctx = context()
if views.page_frame(ctx, "prognose"):
    st.markdown(
        "Wie gut trifft die Prognose? Sie rechnet ab jedem früheren Jahr mit denselben Regeln wie heute "
        "und wird mit den später beobachteten Kinderzahlen verglichen – daneben zwei Prognosen, die "
        "jede:r von Hand machen könnte: **ohne Änderung** (die Zahl bleibt) und **Alterung ohne "
        "Wanderung** (die Jahrgänge rücken weiter). Eine Prognose ist nur etwas wert, wenn sie beide "
        "schlägt. Aus denselben Fehlern stammen die Spannen auf den Planungsseiten."
    )
    backtestview.backtest_view(ctx)
    views.footer(ctx, None, ("bevoelkerung", "geburten"))
