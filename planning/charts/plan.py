"""Plan charts: demand against places over the years with their ranges, scenarios side by side,
the Ganztag phase-in, the cohort chain and the backtest's errors by horizon."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from planning.formatting import number_range
from planning.plot_text import escape_figure

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


def range_band(
    fig: go.Figure, frame: pd.DataFrame, col: str, label: str, color: str, base_year: int
) -> dict[int, str]:
    """The 80 % range of a forecast column as a band from the base year on (nothing without one).

    Returns the range per year as tooltip text for the column's own line ("Spanne 31.559 bis
    36.705"): one trace per band, not a second invisible line per band that only carries the
    tooltip (each trace is drawing work in the browser)."""
    low, high = f"{col}_low", f"{col}_high"
    if low not in frame or high not in frame:
        return {}
    part = frame[frame["year"] >= base_year].dropna(subset=[low, high])
    if len(part) < 2:
        return {}
    lows = part[low].astype(float).round(0).tolist()
    highs = part[high].astype(float).round(0).tolist()
    years = [int(y) for y in part["year"]]
    fig.add_trace(
        go.Scatter(
            x=years + years[::-1],
            y=highs + lows[::-1],
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
    return {y: f"Spanne {number_range(lo, hi)}" for y, lo, hi in zip(years, lows, highs, strict=True)}


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
        ranges = range_band(fig, frame, col, label, color, base_year)
        fig.add_trace(
            go.Scatter(
                x=frame["year"],
                y=frame[col].astype(float).round(0),
                text=[f" ({ranges[int(y)]})" if int(y) in ranges else "" for y in frame["year"]],
                mode="lines+markers",
                name=label,
                line={"width": 3, "color": color, "dash": dash},
                hovertemplate="%{y:,.0f}%{text}",
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
