"""Plotly figure builders. Plain functions (no streamlit) so tests can inspect ``fig.data``.

Maps use ``map_style="white-bg"``: it renders without internet access (any tile style would leave
the whole map blank offline).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go

from geodata.crs import map_view
from planning.indicators import Indicator

NO_DATA_COLOR = "#d9d9d9"
OUTLINE_COLOR = "#5f6b7a"
SELECTED_COLOR = "#111111"
# Sequential scales: dark = "more". For polarity -1 more is worse (red), for +1 more is better (blue).
# Every scale starts at a clearly visible tint, so a low value never looks like an empty (white) area
# on a projector.
SCALES: dict[int, list[list[float | str]]] = {
    1: [[0, "#d4e4f4"], [0.5, "#5b9bd0"], [1, "#0b3d78"]],
    -1: [[0, "#fde7c7"], [0.5, "#f08a4b"], [1, "#8c1d04"]],
    0: [[0, "#e5f1e0"], [0.5, "#6bb38a"], [1, "#1b5e4b"]],
}
# Point layers: dark marks on a white halo stay visible on every fill colour of the scales above.
KITA_COLOR, SCHOOL_COLOR = "#111827", "#6a1b9a"


def choropleth(
    geojson: dict[str, Any],
    bounds: tuple[float, float, float, float],
    table: pd.DataFrame,
    indicator: Indicator,
    selected: str | None = None,
    points: dict[str, pd.DataFrame] | None = None,
    height: int = 560,
    value_range: tuple[float, float] | None = None,
    diverging: bool = False,
) -> go.Figure:
    """Choropleth of ``table`` (``gebiet_id, name, value``) over the district layer ``geojson``.

    ``value_range`` fixes the colour scale (e.g. over all years, so colours compare across years);
    ``diverging`` draws changes: red for less, blue for more, white at zero.

    Districts without a value are drawn grey as "keine Daten"; ``selected`` gets a dark outline;
    ``points`` maps a layer label ("Kitas", "Schulen") to a frame with ``lon, lat, name, info``.
    """
    missing_cols = {"gebiet_id", "name", "value"} - set(table.columns)
    if missing_cols:
        raise ValueError(f"Kartentabelle ohne Spalte(n): {', '.join(sorted(missing_cols))}")
    has = table[table["value"].notna()]
    nodata = table[table["value"].isna()]
    fig = go.Figure()
    if not nodata.empty:
        fig.add_trace(
            go.Choroplethmap(
                geojson=geojson,
                locations=nodata["gebiet_id"],
                z=[0] * len(nodata),
                featureidkey="properties.gebiet_id",
                colorscale=[[0, NO_DATA_COLOR], [1, NO_DATA_COLOR]],
                showscale=False,
                name="keine Daten",
                marker={"line": {"color": OUTLINE_COLOR, "width": 0.8}},
                customdata=nodata[["name"]].to_numpy(),
                hovertemplate="<b>%{customdata[0]}</b><br>keine Daten<extra></extra>",
                showlegend=True,
            )
        )
    values = has["value"].astype(float)
    labels = [indicator.format(v) for v in values]
    fig.add_trace(
        go.Choroplethmap(
            geojson=geojson,
            locations=has["gebiet_id"],
            z=values,
            featureidkey="properties.gebiet_id",
            colorscale="RdBu" if diverging else SCALES.get(indicator.polarity, SCALES[0]),
            zmid=0 if diverging else None,
            zmin=value_range[0] if value_range else None,
            zmax=value_range[1] if value_range else None,
            marker={"line": {"color": OUTLINE_COLOR, "width": 0.8}, "opacity": 0.9},
            colorbar={"title": {"text": indicator.unit}, "thickness": 14, "len": 0.7},
            customdata=list(zip(has["name"], labels, has["gebiet_id"], strict=True)),
            name=indicator.label_de,
            hovertemplate="<b>%{customdata[0]}</b> (%{customdata[2]})<br>"
            + indicator.label_de
            + ": %{customdata[1]}<extra></extra>",
            showlegend=False,
        )
    )
    if selected is not None and selected in set(table["gebiet_id"]):
        fig.add_trace(
            go.Choroplethmap(
                geojson=geojson,
                locations=[selected],
                z=[1],
                featureidkey="properties.gebiet_id",
                colorscale=[[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]],
                showscale=False,
                hoverinfo="skip",
                marker={"line": {"color": SELECTED_COLOR, "width": 4}},
                name="Ausgewählt",
                showlegend=False,
            )
        )
    for label, df in (points or {}).items():
        if df.empty:
            continue
        color = KITA_COLOR if label.startswith("Kita") else SCHOOL_COLOR
        symbol_size = 8 if label.startswith("Kita") else 11
        fig.add_trace(
            go.Scattermap(
                lon=df["lon"],
                lat=df["lat"],
                mode="markers",
                hoverinfo="skip",
                showlegend=False,
                marker={"size": symbol_size + 5, "color": "#ffffff", "opacity": 0.9},
            )
        )
        fig.add_trace(
            go.Scattermap(
                lon=df["lon"],
                lat=df["lat"],
                mode="markers",
                name=label,
                marker={"size": symbol_size, "color": color, "opacity": 0.95},
                customdata=df[["name", "info"]].to_numpy(),
                hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]}<extra>" + label + "</extra>",
            )
        )
    center, zoom = map_view(bounds, width_px=620, height_px=height)
    fig.update_layout(
        map={"style": "white-bg", "center": center, "zoom": zoom},
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        height=height,
        legend={
            "orientation": "h",
            "yanchor": "bottom",
            "y": 0.01,
            "xanchor": "left",
            "x": 0.01,
            "bgcolor": "rgba(255,255,255,0.85)",
        },
        font={"size": 15},
        hoverlabel={"font_size": 15},
    )
    return fig


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
        },
        xaxis={"dtick": 1, "title": None},
        legend={"orientation": "h", "y": -0.25},
        separators=",.",
    )
    return fig
