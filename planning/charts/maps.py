"""Maps: areas coloured by an indicator, traffic lights or a balance, with facility points on top.

Plain functions (no Streamlit) so tests can inspect ``fig.data`` and the decision paper can draw the
same maps. Maps use ``map_style="white-bg"``: it renders without internet access (any tile style
would leave the whole map blank offline).
"""

from __future__ import annotations

from collections.abc import Sequence
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
# Sequential scales: the strongest colour is the least favourable value, whichever way the indicator
# points (polarity -1: high is worse, +1: low is worse); without a direction dark = "more". Every scale
# ends at a clearly visible tint, so no value looks like an empty (white) area on a projector. The
# paper's rate maps use the same colours (planning.paper.print_map.WORSE_SCALE).
SCALES: dict[int, list[list[float | str]]] = {
    1: [[0, "#8c1d04"], [0.5, "#f08a4b"], [1, "#fde7c7"]],
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
#: Above this many points a layer is drawn as small translucent dots (DENSE_SIZE px).
DENSE_POINTS, DENSE_SIZE = 400, 4


def subset(geojson: dict[str, Any] | str, ids: Any) -> dict[str, Any] | str:
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
    texts: Sequence[str] | None = None,
    label: str = "",
    after: str = "",
    opacity: float | None = None,
    showlegend: bool = True,
) -> go.Choroplethmap:
    """One single-colour layer of areas (keine Daten, geheim, a traffic light) with its legend entry.

    With ``texts`` (one per area) the hover shows the area's name and id, then ``label: text`` (or the
    text alone) and ``after`` (markup, already escaped); without, the layer has no hover text.
    """
    marker: dict[str, Any] = {"line": {"color": OUTLINE_COLOR, "width": 0.8}}
    customdata = hovertemplate = None
    if texts is not None:
        customdata = [[n, t, g] for n, t, g in zip(part["name"], texts, part["gebiet_id"], strict=True)]
        hovertemplate = (
            "<b>%{customdata[0]}</b> (%{customdata[2]})<br>"
            + (escape(label) + ": " if label else "")
            + "%{customdata[1]}"
            + after
            + "<extra></extra>"
        )
    if opacity is not None:
        marker["opacity"] = opacity
    return go.Choroplethmap(
        geojson=subset(geojson, part["gebiet_id"]),
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
        fig.add_trace(_flat(geojson, part, color, label, texts=[label] * len(part)))
    few = table[few_mask]
    if not few.empty:
        few_label = small_base.label(indicator)
        fig.add_trace(
            _flat(
                geojson,
                few,
                FEW_COLOR,
                f"{few_label} (nicht eingereiht)",
                texts=[f"{indicator.format(float(v))} – {few_label}" for v in few["value"]],
                label=indicator.label_de,
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
                texts=[label_of[i] for i in part.index],
                label=indicator.label_de,
                after=f"<br>{LIGHT_LABELS[light]}",
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
            geojson=subset(geojson, has["gebiet_id"]),
            locations=has["gebiet_id"],
            z=values,
            featureidkey="properties.gebiet_id",
            colorscale=DIVERGING if diverging else SCALES.get(indicator.polarity, SCALES[0]),
            zmid=0 if diverging and value_range is None else None,
            zmin=value_range[0] if value_range else None,
            zmax=value_range[1] if value_range else None,
            marker={"line": {"color": OUTLINE_COLOR, "width": 0.8}, "opacity": 0.9},
            colorbar=_colorbar(indicator, value_range, _beyond(values, value_range)),
            customdata=list(zip(has["name"], labels, has["gebiet_id"], strict=True)),
            name=indicator.label_de,
            hovertemplate="<b>%{customdata[0]}</b> (%{customdata[2]})<br>"
            + escape(indicator.label_de)
            + ": %{customdata[1]}<extra></extra>",
            showlegend=False,
        )
    )


def _beyond(values: pd.Series, value_range: tuple[float, ...] | None) -> tuple[int, int]:
    """How many shown areas lie below and above the colour range (drawn in its end colours)."""
    if not value_range:
        return 0, 0
    v = pd.to_numeric(values, errors="coerce")
    return int((v < float(value_range[0])).sum()), int((v > float(value_range[1])).sum())


def _areas(n: int) -> str:
    return f"{n} Gebiet" if n == 1 else f"{format_value(n, 0)} Gebiete"


def _colorbar(
    indicator: Indicator, value_range: tuple[float, ...] | None, beyond: tuple[int, int] = (0, 0)
) -> dict[str, Any]:
    """German tick labels; a clipped end reads "≤ −120" / "≥ 190 % (1 Gebiet)": the areas beyond the
    range share its colour, and the bar says how many there are in the shown year."""
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
        text[0] = "≤ " + text[0] + (f" ({_areas(beyond[0])} darunter)" if beyond[0] else "")
    if clipped_high:
        text[-1] = "≥ " + text[-1] + (f" ({_areas(beyond[1])} darüber)" if beyond[1] else "")
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
                geojson=subset(geojson, [selected]),
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
    add_points(fig, points or {})
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


def add_points(fig: go.Figure, points: dict[str, pd.DataFrame], sizes: tuple[int, int] = (8, 11)) -> None:
    """Facility points on a map, one layer per label (``lon, lat, name, info``): dark marks on a
    white halo, visible on every fill colour. A label starting with "Kita" is a Kita layer; the
    other layers are schools. ``sizes``: marker size of Kitas and of schools. Above
    :data:`DENSE_POINTS` points a layer is drawn small and translucent with a thin halo: a big city's
    2,900 Kitas at full size would be one black blot over the inner city (the fill must stay legible)."""
    for label, df in points.items():
        if df.empty:
            continue
        kita = label.startswith("Kita")
        color = KITA_COLOR if kita else SCHOOL_COLOR
        symbol_size = sizes[0] if kita else sizes[1]
        dense = len(df) > DENSE_POINTS
        halo, opacity = (1.5, 0.6) if dense else (5, 0.95)
        if dense:
            symbol_size = DENSE_SIZE
        fig.add_trace(
            go.Scattermap(
                lon=df["lon"],
                lat=df["lat"],
                mode="markers",
                hoverinfo="skip",
                showlegend=False,
                marker={"size": symbol_size + halo, "color": "#ffffff", "opacity": 0.9 if not dense else 0.5},
            )
        )
        fig.add_trace(
            go.Scattermap(
                lon=df["lon"],
                lat=df["lat"],
                mode="markers",
                name=label,
                marker={"size": symbol_size, "color": color, "opacity": opacity},
                customdata=df[["name", "info"]].to_numpy(),
                hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]}<extra>"
                + escape(label)
                + "</extra>",
            )
        )
