"""How the forecast's uncertainty and its data problems are shown on every plan page.

The figures come from :mod:`planning.plan` (ranges: :mod:`planning.plan_ranges`, data guards:
:func:`planning.projection.check_children`); here only their German presentation.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd
import streamlit as st

from planning.formatting import number
from planning.plan import PlanResult
from planning.plan_tables import spanne  # its home; the plan views read it from here
from ui import components
from ui.components import plural
from ui.frame import Context

#: Caption under every chart with a shaded range.
BAND_NOTE = (
    "Schattiert: Spanne, in der 8 von 10 früheren Prognosen dieser Art lagen (Rückrechnung ab jedem "
    "früheren Jahr, nach Prognosejahren und Gebietsgröße)."
)


def range_caption(row: pd.Series, items: Sequence[tuple[str, str]], when: str) -> None:
    """One caption with the ranges of the figures above (``items``: ``(column, label)``)."""
    parts = [f"{label} {text}" for column, label in items if (text := spanne(row, column))]
    if parts:
        st.caption(f"Spanne {when} (8 von 10 früheren Prognosen): " + " · ".join(parts) + ".")


def notes(ctx: Context, result: PlanResult) -> None:
    """Data problems of the forecast and areas too small for one, each named."""
    names = ctx.data.areas.set_index("gebiet_id")["name"]

    def named(text: str) -> str:
        return re.sub(r"^Gebiet (\S+):", lambda m: f"{names.get(m[1], 'Gebiet')} ({m[1]}):", text)

    problems = [named(p) for p in result.derived.get("prognose_warnungen", [])]
    if problems:
        head = (
            f"{len(problems)} Hinweis(e) zu den Kinderzahlen: betroffene Gebiete gehen nicht in die "
            "stadtweiten Quoten ein; ohne Zahlen im Basisjahr gibt es dort keine Prognose."
        )
        if len(problems) <= 3:
            st.warning(head + "\n\n" + "\n".join(f"- {components.plain(p)}" for p in problems))
        else:
            with st.expander(f"⚠ {head}"):
                st.markdown("\n".join(f"- {components.plain(p)}" for p in problems))
    small: list[str] = result.derived.get("zu_klein", [])
    if small and ctx.level == ctx.data.data_level:
        shown = ", ".join(components.plain(str(names.get(g, g))) for g in small[:8])
        more = f" und {len(small) - 8} weitere" if len(small) > 8 else ""
        limit = number(result.params["mindestgroesse_prognose"])
        upper = (
            f" – die Ebene „{ctx.data.layout.levels[ctx.level - 1]}“ ist verlässlicher"
            if ctx.level > 0 and len(ctx.data.layout.levels) > 1
            else ""
        )
        st.caption(
            f"Zu klein für eine verlässliche Prognose (höchstens {limit} Kinder): {shown}{more}{upper}. "
            f"Diese {plural(ctx.level_name)} sind in den Tabellen markiert."
        )


def small_marker(result: PlanResult) -> set[str]:
    return set(result.derived.get("zu_klein", []))
