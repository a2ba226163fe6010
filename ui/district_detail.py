"""The indicator explorer's detail below the map: the chosen area (or the city) with its value, its
change against the previous year, its rank and light, beside the city's trend line. The figures
come from :mod:`planning.explorer`; ranks follow the Stadtteilprofil's rule
(:func:`planning.profile.rank_of`)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from planning import explorer, small_base
from planning.formatting import number
from planning.indicators import Indicator
from planning.profile import rank_of
from planning.targets import LIGHT_LABELS, Target, light
from ui import components, figures, state
from ui import data as uidata
from ui.frame import Context

#: Session key of the folded trend of the city and the chosen area (open or not).
TREND_OPEN = "lagebild_verlauf_offen"


def district_detail(
    ctx: Context,
    indicator: Indicator,
    table: pd.DataFrame,
    table_all: pd.DataFrame,
    year: int,
    names: pd.DataFrame,
    target: Target | None = None,
) -> None:
    """The area selector (shared with map and table), the chosen area's and the city's figure of
    ``year`` with change, rank and light, and the trend of both over the years."""
    label = dict(zip(names["gebiet_id"], names["name"], strict=True))
    c1, c2 = st.columns([1, 3], vertical_alignment="top")
    with c1:
        st.selectbox(
            f"{ctx.level_name} auswählen",
            [None, *names["gebiet_id"]],
            key=state.DISTRICT.key,
            format_func=lambda g: "– Gesamtstadt –" if g is None else f"{label[g]} ({g})",
            placeholder="– Gesamtstadt –",
            help="Auch per Klick in Karte oder Tabelle.",
        )
        selected = state.get(state.DISTRICT)
        city = uidata.city_series(ctx.url, ctx.layout.code, ctx.versions, indicator.code, ctx.registry_stamp)
        city_row = city[city["year"] == year]
        city_missing = int(city_row["missing"].iloc[0]) if not city_row.empty else 0
        if selected is not None:
            row = table[table["gebiet_id"] == selected]
            # Same rule as the Stadtteilprofil: secret districts take no part (a rank would narrow
            # their hidden value), ties on the displayed value share the rank.
            pos, n_shown = rank_of(table, selected, indicator.polarity, indicator.decimals)
            rank_text = f"Rang {pos} von {n_shown}" if pos is not None else None
            _metric(
                f"{label[selected]} {year}",
                explorer.metric_text(indicator, row),
                explorer.change_text(indicator, table_all[table_all["gebiet_id"] == selected], year),
                help=rank_text,
            )
            if rank_text:
                st.caption(rank_text + " (1 = günstigster Wert)")
            elif "few" in row and bool(row["few"].any()):
                base = number(float(row["denominator"].iloc[0]))
                st.caption(f"{small_base.label(indicator)} ({base} im Nenner): ohne Rang und Ampel.")
        _metric(
            f"Gesamtstadt {year}",
            explorer.metric_text(indicator, city_row),
            explorer.change_text(indicator, city, year),
        )
        if target is not None:
            city_light = light(
                None if city_row.empty else city_row["value"].iloc[0],
                target,
                indicator.polarity,
                indicator.decimals,
            )
            st.caption(
                target.describe(indicator.polarity, indicator.format)
                + (
                    f" · Gesamtstadt: {explorer.light_text(city_light)} ({LIGHT_LABELS[city_light]})"
                    if city_light
                    else ""
                )
            )
        if city_missing:
            st.caption(f"Gesamtstadt ohne {city_missing} Gebiet(e) ohne Angabe.")
    with c2:
        # Below the map: built only while open (a second chart drawn beside the map's first drawing
        # delayed it), and open at once for a chosen area.
        fold = components.lazy_fold(
            "Zeitverlauf: Gesamtstadt und ausgewähltes Gebiet",
            TREND_OPEN,
            follow=selected,
            icon=":material/show_chart:",
        )
        if fold.open:
            with fold:
                district = table_all[table_all["gebiet_id"] == selected] if selected is not None else None
                name = label.get(selected) if selected else None
                st.plotly_chart(
                    figures.figure("city_trend", city, indicator, year, district, name),
                    config={"displayModeBar": False},
                    key="trend",
                )


def _metric(label: str, value: str, change: tuple[str | None, str], help: str | None = None) -> None:
    """A big figure with its change against the previous year, green where it improved."""
    delta, colour = change
    st.metric(
        label,
        value,
        delta=delta,
        delta_color=colour,  # type: ignore[arg-type]
        # no arrow beside "unverändert" (Streamlit would draw "↑" for a text without a sign)
        delta_arrow="off" if delta and delta.startswith("unverändert") else "auto",
        help=help,
        border=True,
    )
