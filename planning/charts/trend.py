"""The city's (and one area's) figure over the years."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from planning.indicators import Indicator
from planning.plot_text import escape_figure


def city_trend(
    series: pd.DataFrame,
    indicator: Indicator,
    year: int | None = None,
    district: pd.DataFrame | None = None,
    district_name: str | None = None,
) -> go.Figure:
    """Line chart of the city value per year, optionally with one district beside it."""
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=series["year"],
            y=series["value"].astype(float),
            mode="lines+markers",
            name="Gesamtstadt",
            line={"width": 3, "color": "#3b5b92"},
        )
    )
    if district is not None and district_name:
        fig.add_trace(
            go.Scatter(
                x=district["year"],
                y=district["value"].astype(float),
                mode="lines+markers",
                name=district_name,
                line={"width": 3, "color": "#e6550d"},
            )
        )
    if year is not None:
        fig.add_vline(x=year, line={"dash": "dot", "color": "#888"})
    fig.update_layout(
        height=260,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        font={"size": 14},
        yaxis={
            "title": indicator.unit,
            "rangemode": "tozero",
            "separatethousands": True,
            "tickformat": ",~r",  # "150.000", not "150k"
        },
        xaxis={"dtick": 1, "title": None},
        legend={"orientation": "h", "y": -0.25},
        separators=",.",
    )
    return escape_figure(fig)  # the district's name is text, never markup
