"""The Stadtteilprofil's own figures: children by age against the city, the area among its
neighbours with its Kitas and schools. Pure builders (no streamlit), cached in the app through
``ui/figures.py``; the data comes from :mod:`planning.profile`."""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go

from geodata.crs import map_view
from planning.charts.maps import OUTLINE_COLOR, SELECTED_COLOR, add_points, subset
from planning.charts.plan import PLAN_COLORS
from planning.formatting import format_value
from planning.plot_text import escape, escape_figure
from planning.profile.facilities import facility_layers

DISTRICT_COLOR = PLAN_COLORS["district"]
CITY_COLOR = PLAN_COLORS["city"]


def pyramid_figure(pyramid: pd.DataFrame, district_name: str, height: int | None = None) -> go.Figure:
    """Children by age: the area's bars against the city's profile (open markers), in % per year of
    age, so a two-year band is not drawn twice as long as a single year."""
    width = (pyramid["age_to"] - pyramid["age_from"] + 1).astype(float)
    d_year = pyramid["district_share"].astype(float) / width
    c_year = pyramid["city_share"].astype(float) / width

    def hover(share: pd.Series, count: pd.Series) -> list[list[str]]:
        return [[format_value(s, 1, "%"), format_value(c, 0)] for s, c in zip(share, count, strict=True)]

    labels = [f"{lab} J." for lab in pyramid["label"]]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            y=labels,
            x=d_year.round(2),
            orientation="h",
            name=district_name,
            marker={"color": DISTRICT_COLOR, "opacity": 0.85},
            customdata=hover(pyramid["district_share"], pyramid["district"]),
            hovertemplate="%{y}: %{customdata[0]} der Kinder (%{customdata[1]})<extra>"
            + escape(district_name)
            + "</extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            y=labels,
            x=c_year.round(2),
            mode="markers",
            name="Gesamtstadt",
            marker={
                "symbol": "line-ns-open",
                "size": 22,
                "color": CITY_COLOR,
                "line": {"width": 4, "color": CITY_COLOR},
            },
            customdata=hover(pyramid["city_share"], pyramid["city"]),
            hovertemplate="%{y}: %{customdata[0]} der Kinder (%{customdata[1]})<extra>Gesamtstadt</extra>",
        )
    )
    bands = bool((width > 1).any())
    fig.update_layout(
        height=height or max(260, 80 + 21 * len(pyramid)),
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        font={"size": 15},
        bargap=0.15,
        xaxis={
            "title": "% der Kinder je Altersjahr" if bands else "% der Kinder",
            "rangemode": "tozero",
            "ticksuffix": " %",
        },
        yaxis={
            "categoryorder": "array",
            "categoryarray": labels,
            "title": None,
            "dtick": 1,
            "tickfont": {"size": 13},
        },
        legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0},
        separators=",.",
        hovermode="closest",
    )
    return escape_figure(fig)  # names are text, never markup


def district_map(
    geojson: dict[str, Any] | str,
    bounds: tuple[float, float, float, float],
    district: tuple[str, str],
    neighbours: pd.DataFrame,
    facilities: pd.DataFrame,
    height: int = 360,
    width: int = 560,
) -> go.Figure:
    """The area (filled, dark outline) among its neighbours (outlined) with its Kitas and schools."""
    gid, name = district
    fig = go.Figure()
    for ids, names, fill, line, label in (
        (neighbours["gebiet_id"], neighbours["name"], "#eef1f4", 1.2, "Nachbargebiet"),
        ([gid], [name], "#fde3cf", 4.0, name),
    ):
        if len(ids) == 0:
            continue
        fig.add_trace(
            go.Choroplethmap(
                geojson=subset(geojson, ids),
                locations=list(ids),
                z=[0] * len(ids),
                featureidkey="properties.gebiet_id",
                colorscale=[[0, fill], [1, fill]],
                showscale=False,
                marker={
                    "line": {
                        "color": SELECTED_COLOR if line > 2 else OUTLINE_COLOR,
                        "width": line,
                    }
                },
                customdata=[[n, label] for n in names],
                hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]}<extra></extra>",
                showlegend=False,
            )
        )
    add_points(fig, facility_layers(facilities), sizes=(10, 13))
    center, zoom = map_view(bounds, width_px=width, height_px=height)
    fig.update_layout(
        map={"style": "white-bg", "center": center, "zoom": zoom},
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        height=height,
        font={"size": 15},
        legend={"orientation": "h", "y": 0.01, "x": 0.01, "bgcolor": "rgba(255,255,255,0.85)"},
        hoverlabel={"font_size": 15},
    )
    return escape_figure(fig)  # names are text, never markup
