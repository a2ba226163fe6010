"""Plotly figure builders. Plain functions (no streamlit) so tests can inspect ``fig.data``.

Maps use ``map_style="white-bg"``: it renders without internet access (any tile style would leave
the whole map blank offline).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go

from geodata.crs import map_view
from planning import small_base
from planning.formatting import format_value
from planning.indicators import Indicator
from planning.map_scale import nice_ticks, robust_range
from planning.plot_text import escape, escape_figure
from planning.suppression import GEHEIM
from planning.targets import LIGHT_COLOURS, LIGHT_LABELS, LIGHT_SYMBOLS

NO_DATA_COLOR = "#ffffff"
#: Secret (small-number protection) is a distinct mid grey, never the white of "keine Daten".
SECRET_COLOR = "#8d939b"
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
#: Balances and changes: ColorBrewer RdBu (colour-blind safe), red = less / places missing, blue =
#: more / surplus, near-white at 0; the largest gap is the strongest red.
DIVERGING: list[list[float | str]] = [
    [0.0, "#b2182b"],
    [0.2, "#d6604d"],
    [0.4, "#f4a582"],
    [0.5, "#f7f7f7"],
    [0.6, "#92c5de"],
    [0.8, "#4393c3"],
    [1.0, "#2166ac"],
]
#: A rate on too small a base (planning.small_base): shown with its value in the tooltip, outside
#: the colour scale (it would stretch it) and outside the ranking.
FEW_COLOR = "#e8e2d6"
# Point layers: dark marks on a white halo stay visible on every fill colour of the scales above.
KITA_COLOR, SCHOOL_COLOR = "#111827", "#6a1b9a"


def _subset(geojson: dict[str, Any] | str, ids: Any) -> dict[str, Any] | str:
    """Only the features a trace draws: every area's geometry is sent (and copied by plotly) once.

    A URL (static file, fetched once by the browser) is used as it is by every trace.
    """
    if isinstance(geojson, str):
        return geojson
    wanted = set(ids)
    features = [f for f in geojson["features"] if f["properties"]["gebiet_id"] in wanted]
    return {"type": "FeatureCollection", "features": features}


def _flat(
    geojson: dict[str, Any] | str,
    part: pd.DataFrame,
    color: str,
    name: str,
    *,
    customdata: list[list[Any]] | None = None,
    hovertemplate: str | None = None,
    opacity: float | None = None,
    showlegend: bool = True,
) -> go.Choroplethmap:
    """One single-colour layer of areas (keine Daten, geheim, a traffic light) with its legend entry."""
    marker: dict[str, Any] = {"line": {"color": OUTLINE_COLOR, "width": 0.8}}
    if opacity is not None:
        marker["opacity"] = opacity
    return go.Choroplethmap(
        geojson=_subset(geojson, part["gebiet_id"]),
        locations=part["gebiet_id"],
        z=[0] * len(part),
        featureidkey="properties.gebiet_id",
        colorscale=[[0, color], [1, color]],
        showscale=False,
        name=name,
        marker=marker,
        customdata=customdata,
        hovertemplate=hovertemplate,
        hoverinfo="skip" if hovertemplate is None else None,
        showlegend=showlegend,
    )


def choropleth(
    geojson: dict[str, Any] | str,
    bounds: tuple[float, ...],
    table: pd.DataFrame,
    indicator: Indicator,
    selected: str | None = None,
    points: dict[str, pd.DataFrame] | None = None,
    height: int = 560,
    value_range: tuple[float, ...] | None = None,
    diverging: bool = False,
    lights: pd.Series | None = None,
) -> go.Figure:
    """Choropleth of ``table`` (``gebiet_id, name, value``) over the district layer ``geojson``.

    ``value_range`` fixes the colour scale (e.g. over all years, so colours compare across years),
    optionally with two flags (values clipped below / above, see planning.map_scale); without it
    the range runs from the 2nd to the 98th percentile of the shown values, and clipped ends read
    "≤"/"≥" on the colour bar. ``diverging`` draws balances and changes: red for less (places
    missing), blue for more, white at zero, symmetric about 0. Rows marked ``few`` (a rate on too
    small a base) are a flat layer "zu wenige Kinder" with their value in the tooltip. ``lights`` (aligned
    with ``table``: grün/gelb/rot) colours the districts as traffic lights against the target.

    Districts without a value are white "keine Daten"; districts whose value is secret (a
    ``suppressed`` column) are grey "geheim" — never the same style. ``selected`` gets a dark
    outline; ``points`` maps a layer label ("Kitas", "Schulen") to a frame with ``lon, lat, name, info``.
    """
    missing_cols = {"gebiet_id", "name", "value"} - set(table.columns)
    if missing_cols:
        raise ValueError(f"Kartentabelle ohne Spalte(n): {', '.join(sorted(missing_cols))}")
    secret_mask = (
        table["suppressed"].fillna(False).astype(bool)
        if "suppressed" in table.columns
        else pd.Series(False, index=table.index)
    )
    few_mask = (
        table["few"].fillna(False).astype(bool) & table["value"].notna() & ~secret_mask
        if "few" in table.columns
        else pd.Series(False, index=table.index)
    )
    has = table[table["value"].notna() & ~secret_mask & ~few_mask]
    fig = go.Figure()
    for label, part, color in (
        ("keine Daten", table[table["value"].isna() & ~secret_mask], NO_DATA_COLOR),
        (f"{GEHEIM} (Datenschutz)", table[secret_mask], SECRET_COLOR),
    ):
        if part.empty:
            continue
        fig.add_trace(
            _flat(
                geojson,
                part,
                color,
                label,
                customdata=[[n, label, g] for n, g in zip(part["name"], part["gebiet_id"], strict=True)],
                hovertemplate="<b>%{customdata[0]}</b> (%{customdata[2]})<br>%{customdata[1]}<extra></extra>",
            )
        )
    few = table[few_mask]
    if not few.empty:
        few_label = small_base.label(indicator)
        fig.add_trace(
            _flat(
                geojson,
                few,
                FEW_COLOR,
                f"{few_label} (nicht eingereiht)",
                customdata=[
                    [n, f"{indicator.format(float(v))} – {few_label}", g]
                    for n, v, g in zip(few["name"], few["value"], few["gebiet_id"], strict=True)
                ],
                hovertemplate="<b>%{customdata[0]}</b> (%{customdata[2]})<br>"
                + escape(indicator.label_de)
                + ": %{customdata[1]}<extra></extra>",
            )
        )
    values = has["value"].astype(float)
    labels = [indicator.format(v) for v in values]
    if lights is not None:
        _light_traces(fig, geojson, has, labels, lights.reindex(has.index), indicator)
    else:
        _value_trace(fig, geojson, has, values, labels, indicator, value_range, diverging)
    _finish_map(fig, geojson, table, selected, points, bounds, height)
    return escape_figure(fig)  # area and facility names are text, never markup


def _light_traces(
    fig: go.Figure,
    geojson: dict[str, Any] | str,
    has: pd.DataFrame,
    labels: list[str],
    lights: pd.Series,
    indicator: Indicator,
) -> None:
    """One trace per light with its own legend entry (colour plus symbol and text, not colour alone)."""
    label_of = dict(zip(has.index, labels, strict=True))
    for light, color in LIGHT_COLOURS.items():
        part = has[lights == light]
        if part.empty:
            continue
        fig.add_trace(
            _flat(
                geojson,
                part,
                color,
                f"{LIGHT_SYMBOLS[light]} {LIGHT_LABELS[light]}",
                customdata=[
                    [n, label_of[i], g]
                    for i, n, g in zip(part.index, part["name"], part["gebiet_id"], strict=True)
                ],
                hovertemplate="<b>%{customdata[0]}</b> (%{customdata[2]})<br>"
                + escape(indicator.label_de)
                + f": %{{customdata[1]}}<br>{LIGHT_LABELS[light]}<extra></extra>",
                opacity=0.85,
            )
        )
    rest = has[lights.isna()]
    if not rest.empty:  # a value but no target: neutral outline only
        fig.add_trace(_flat(geojson, rest, "#eef1f4", "ohne Zielwert", showlegend=False))


def _value_trace(
    fig: go.Figure,
    geojson: dict[str, Any] | str,
    has: pd.DataFrame,
    values: pd.Series,
    labels: list[str],
    indicator: Indicator,
    value_range: tuple[float, ...] | None,
    diverging: bool,
) -> None:
    if value_range is None:
        auto = robust_range(values.to_numpy(), symmetric=diverging)
        value_range = (auto.low, auto.high, auto.clipped_low, auto.clipped_high) if auto else None
    elif diverging and len(value_range) >= 2:  # centred at 0: white means balanced
        top = max(abs(float(value_range[0])), abs(float(value_range[1])))
        value_range = (-top, top, *value_range[2:])
    fig.add_trace(
        go.Choroplethmap(
            geojson=_subset(geojson, has["gebiet_id"]),
            locations=has["gebiet_id"],
            z=values,
            featureidkey="properties.gebiet_id",
            colorscale=DIVERGING if diverging else SCALES.get(indicator.polarity, SCALES[0]),
            zmid=0 if diverging and value_range is None else None,
            zmin=value_range[0] if value_range else None,
            zmax=value_range[1] if value_range else None,
            marker={"line": {"color": OUTLINE_COLOR, "width": 0.8}, "opacity": 0.9},
            colorbar=_colorbar(indicator, value_range),
            customdata=list(zip(has["name"], labels, has["gebiet_id"], strict=True)),
            name=indicator.label_de,
            hovertemplate="<b>%{customdata[0]}</b> (%{customdata[2]})<br>"
            + escape(indicator.label_de)
            + ": %{customdata[1]}<extra></extra>",
            showlegend=False,
        )
    )


def _colorbar(indicator: Indicator, value_range: tuple[float, ...] | None) -> dict[str, Any]:
    """German tick labels; a clipped end reads "≤ −120" / "≥ 190 %" (values beyond share its colour)."""
    bar: dict[str, Any] = {"title": {"text": indicator.unit}, "thickness": 14, "len": 0.7}
    if not value_range:
        return bar
    low, high = float(value_range[0]), float(value_range[1])
    clipped_low = bool(value_range[2]) if len(value_range) > 2 else False
    clipped_high = bool(value_range[3]) if len(value_range) > 3 else False
    ticks = nice_ticks(low, high)
    span = high - low
    decimals = 0 if span >= 20 else (1 if span >= 2 else 2)
    text = [format_value(t, decimals, indicator.unit) for t in ticks]
    if clipped_low:
        text[0] = "≤ " + text[0]
    if clipped_high:
        text[-1] = "≥ " + text[-1]
    bar.update(tickvals=ticks, ticktext=text, tickmode="array")
    if clipped_low or clipped_high:
        # Values beyond the 2nd–98th percentile share the end colour: say so where the scale is read.
        note = "<sup>Skala gekappt:<br>≤ / ≥ = und darüber hinaus</sup>"
        bar["title"] = {"text": f"{indicator.unit}<br>{note}"}
    return bar


def _finish_map(
    fig: go.Figure,
    geojson: dict[str, Any] | str,
    table: pd.DataFrame,
    selected: str | None,
    points: dict[str, pd.DataFrame] | None,
    bounds: tuple[float, ...],
    height: int,
) -> None:
    if selected is not None and selected in set(table["gebiet_id"]):
        fig.add_trace(
            go.Choroplethmap(
                geojson=_subset(geojson, [selected]),
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
                hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]}<extra>"
                + escape(label)
                + "</extra>",
            )
        )
    center, zoom = map_view((bounds[0], bounds[1], bounds[2], bounds[3]), width_px=620, height_px=height)
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


PLAN_COLORS = {
    "demand": "#c2410c",
    "places": "#1d4ed8",
    "city": "#3b5b92",
    "district": "#e6550d",
    "U3": "#8e6bbf",
    "Ü3": "#2a9d8f",
    "Grundschule": "#1d4ed8",
    "Ganztag": "#c2410c",
}
SCENARIO_COLORS = ["#334155", "#e6550d", "#1d9e75", "#7c3aed", "#b91c1c"]


def _projection_band(fig: go.Figure, base_year: int, last_year: int) -> None:
    """Shade the projected years, so an observed figure is never mistaken for a forecast."""
    fig.add_vrect(
        x0=base_year + 0.5,
        x1=last_year + 0.5,
        fillcolor="#eef2f7",
        line_width=0,
        layer="below",
    )
    fig.add_annotation(
        x=base_year + 0.5,
        y=1.0,
        yref="paper",
        yanchor="bottom",
        xanchor="left",
        text="Prognose →",
        showarrow=False,
        font={"size": 13, "color": "#475569"},
    )


def _plan_layout(fig: go.Figure, unit: str, height: int) -> go.Figure:
    fig.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        font={"size": 14},
        # ",~r": "150.000" with the German separators, never plotly's SI "150k".
        yaxis={"title": unit, "rangemode": "tozero", "separatethousands": True, "tickformat": ",~r"},
        xaxis={"dtick": 1, "title": None},
        legend={"orientation": "h", "y": -0.2},
        separators=",.",
        hovermode="x unified",
    )
    return fig


def _rgba(color: str, alpha: float) -> str:
    c = color.lstrip("#")
    r, g, b = (int(c[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def range_band(fig: go.Figure, frame: pd.DataFrame, col: str, label: str, color: str, base_year: int) -> None:
    """The 80 % range of a forecast column as a band from the base year on (nothing without one)."""
    low, high = f"{col}_low", f"{col}_high"
    if low not in frame or high not in frame:
        return
    part = frame[frame["year"] >= base_year].dropna(subset=[low, high])
    if len(part) < 2:
        return
    x = list(part["year"]) + list(part["year"])[::-1]
    y = list(part[high].astype(float).round(0)) + list(part[low].astype(float).round(0))[::-1]
    fig.add_trace(
        go.Scatter(
            x=x,
            y=y,
            fill="toself",
            fillcolor=_rgba(color if color.startswith("#") else "#64748b", 0.16),
            line={"width": 0},
            mode="lines",
            name=f"Spanne {label} (80 %)",
            legendgroup=f"spanne-{col}",
            showlegend=False,
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=part["year"],
            y=part[low].astype(float).round(0),
            customdata=part[high].astype(float).round(0),
            mode="lines",
            line={"width": 0},
            showlegend=False,
            name=f"Spanne {label}",
            hovertemplate=f"Spanne {escape(label)}: " + "%{y:,.0f} bis %{customdata:,.0f}<extra></extra>",
        )
    )


def plan_timeline(
    frame: pd.DataFrame,
    lines: list[tuple[str, str, str, str]],
    base_year: int,
    unit: str,
    year: int | None = None,
    height: int = 320,
) -> go.Figure:
    """Lines over the years of ``frame`` (``year`` + columns): ``(column, label, colour, dash)``; a
    column with ``<column>_low``/``<column>_high`` beside it gets its range as a shaded band."""
    fig = go.Figure()
    for col, label, color, dash in lines:
        range_band(fig, frame, col, label, color, base_year)
        fig.add_trace(
            go.Scatter(
                x=frame["year"],
                y=frame[col].astype(float).round(0),
                mode="lines+markers",
                name=label,
                line={"width": 3, "color": color, "dash": dash},
                hovertemplate="%{y:,.0f}",
            )
        )
    _projection_band(fig, base_year, int(frame["year"].max()))
    if year is not None:
        fig.add_vline(x=year, line={"dash": "dot", "color": "#888"})
    return escape_figure(_plan_layout(fig, unit, height))  # scenario names are text, never markup


def scenario_lines(
    frame: pd.DataFrame, scenarios: list[str], base_year: int, unit: str, year: int | None = None
) -> go.Figure:
    """One line per scenario (``frame``: ``year`` + one column per scenario name)."""
    lines = [
        (name, name, SCENARIO_COLORS[i % len(SCENARIO_COLORS)], "solid" if i == 0 else "dash")
        for i, name in enumerate(scenarios)
    ]
    fig = plan_timeline(frame, lines, base_year, unit, year)
    fig.add_hline(y=0, line={"color": "#111", "width": 1})
    fig.update_layout(yaxis={"rangemode": "normal"})
    return fig


def ganztag_phase(frame: pd.DataFrame, base_year: int, first_year: int) -> go.Figure:
    """Ganztag demand (bars) against places (line) per school year, with the entitled grades."""
    years = frame["year"].astype(int)
    labels = [f"{y}/{str(y + 1)[-2:]}" for y in years]
    grades = [
        "kein Anspruch"
        if y < first_year
        else ("Kl. 1" if y == first_year else f"Kl. 1–{min(4, y - first_year + 1)}")
        for y in years
    ]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=labels,
            y=frame["ganztag_demand"].astype(float).round(0),
            name="Bedarf",
            marker_color=[PLAN_COLORS["demand"] if y > base_year else "#e8a27c" for y in years],
            text=grades,
            textposition="inside",
            insidetextanchor="start",
            hovertemplate="%{x}: %{y:,.0f} Kinder (%{text})<extra>Bedarf</extra>",
            error_y=(
                {
                    "type": "data",
                    "symmetric": False,
                    "array": (frame["ganztag_demand_high"] - frame["ganztag_demand"]).clip(lower=0).round(0),
                    "arrayminus": (frame["ganztag_demand"] - frame["ganztag_demand_low"])
                    .clip(lower=0)
                    .round(0),
                    "color": "#1f2937",
                    "thickness": 1.5,
                    "width": 8,
                }
                if "ganztag_demand_low" in frame
                else None
            ),
        )
    )
    fig.add_trace(
        go.Scatter(
            x=labels,
            y=frame["ganztag_places"].astype(float),
            name="Plätze",
            mode="lines+markers",
            line={"width": 3, "color": PLAN_COLORS["places"]},
            hovertemplate="%{y:,.0f}<extra>Plätze</extra>",
        )
    )
    fig = _plan_layout(fig, "Kinder / Plätze", 340)
    fig.update_layout(xaxis={"dtick": None, "type": "category"}, hovermode="closest")
    return fig


def cohort_chain(chain: pd.DataFrame, capacity: pd.DataFrame | None = None) -> go.Figure:
    """The same children per birth cohort: U3 → Ü3 → Grundschule, with Ganztag demand dotted."""
    fig = go.Figure()
    palette = ["#334155", "#7c3aed", "#0f766e", "#b45309", "#be123c"]
    for i, (cohort, grp) in enumerate(chain.groupby("cohort")):
        color = palette[i % len(palette)]
        fig.add_trace(
            go.Scatter(
                x=grp["year"],
                y=grp["children"].astype(float).round(0),
                mode="lines",
                line={"color": color, "width": 3},
                name=f"Jahrgang {cohort}",
                legendgroup=str(cohort),
                hoverinfo="skip",
            )
        )
        for stage, part in grp.groupby("stage", sort=False):
            ranged = "children_low" in part
            value = part["children"].astype(float)
            error = (
                {
                    "type": "data",
                    "symmetric": False,
                    "array": (part["children_high"].astype(float) - value).clip(lower=0).round(0),
                    "arrayminus": (value - part["children_low"].astype(float)).clip(lower=0).round(0),
                    "color": color,
                    "thickness": 1.5,
                    "width": 6,
                }
                if ranged
                else None
            )
            fig.add_trace(
                go.Scatter(
                    x=part["year"],
                    y=part["children"].astype(float).round(0),
                    error_y=error,
                    mode="markers",
                    marker={
                        "size": 12,
                        "color": PLAN_COLORS[str(stage)],
                        "line": {"color": color, "width": 2},
                    },
                    name=str(stage),
                    legendgroup=f"stage-{stage}",
                    showlegend=i == 0,
                    customdata=part[["step"]].to_numpy(),
                    hovertemplate=f"Jahrgang {cohort}, "
                    + "%{customdata[0]} (%{x}): %{y:,.0f} Kinder<extra></extra>",
                )
            )
        school = grp[grp["stage"] == "Grundschule"]
        if not school.empty:
            fig.add_trace(
                go.Scatter(
                    x=school["year"],
                    y=school["ganztag_demand"].astype(float).round(0),
                    mode="lines+markers",
                    line={"color": PLAN_COLORS["Ganztag"], "width": 2, "dash": "dot"},
                    marker={"size": 7},
                    name="Ganztagsbedarf",
                    legendgroup="ganztag",
                    showlegend=i == 0,
                    hovertemplate=f"Jahrgang {cohort}: Ganztagsbedarf " + "%{y:,.0f} (%{x})<extra></extra>",
                )
            )
    return _plan_layout(fig, "Kinder", 420)


def backtest_errors(horizons: pd.DataFrame) -> go.Figure:
    """Mean error per forecast horizon of the model beside carry-forward and plain ageing (bars),
    with the model's bias (line)."""
    x = [f"+{h} J." for h in horizons["horizon"]]
    fig = go.Figure()
    for column, name, color in (
        ("mape", "Prognose (Planungsatlas)", "#1d4ed8"),
        ("mape_carry_forward", "Fortschreibung ohne Änderung", "#94a3b8"),
        ("mape_ageing", "Alterung ohne Wanderung", "#d6a676"),
    ):
        if column not in horizons:
            continue
        fig.add_trace(
            go.Bar(
                x=x,
                y=horizons[column],
                name=name,
                marker_color=color,
                hovertemplate=name + ": %{y:.1f} %<extra></extra>",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=horizons["bias"],
            name="Verzerrung der Prognose (+ = zu hoch)",
            mode="lines+markers",
            line={"color": "#c2410c", "width": 3},
            hovertemplate="Verzerrung: %{y:+.1f} %<extra></extra>",
        )
    )
    fig.add_hline(y=0, line={"color": "#111", "width": 1})
    fig = _plan_layout(fig, "mittlerer Fehler je Gebiet (%)", 340)
    fig.update_layout(
        barmode="group",
        xaxis={"dtick": None, "type": "category", "title": "Jahre voraus"},
        yaxis={"rangemode": "normal", "ticksuffix": " %"},
    )
    return fig
