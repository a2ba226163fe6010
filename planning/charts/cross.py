"""The Quervergleich's scatter plot: districts as points, X against Y, coloured by quadrant.

Pure (no streamlit): ``ui/crossview.py`` draws it through the shared figure cache
(:mod:`ui.figures`), tests inspect ``fig.data``/``fig.layout``. The rules (quadrants, correlation)
live in :mod:`planning.crossdomain`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from planning import crossdomain as xd
from planning.indicators import Indicator
from planning.plot_text import escape, escape_figure
from planning.suppression import GEHEIM, KEINE_DATEN

#: Above this many districts only the most extreme ones (and the selected one) get a text label.
LABEL_ALL_UP_TO = 40
LABEL_EXTREMES = 15

QUADRANT_COLORS = {xd.BOTH_UNFAVOURABLE: "#b91c1c", xd.BOTH_FAVOURABLE: "#1d4ed8"}
OTHER_COLORS = ["#6b7280", "#a16207", "#0f766e", "#7c3aed"]
LINE_COLOR = "#475569"
SELECTED_COLOR = "#111111"


def _label_order(
    pairs: pd.DataFrame, x_ref: float | None, y_ref: float | None, selected: str | None
) -> list[str]:
    """Districts that may get a text label, most important first.

    All up to 40 districts, else the 15 farthest from the reference point; the selected one always
    and first. Distance in standard deviations per axis, so both indicators weigh equally whatever
    their unit.
    """
    x, y = pairs["x"].astype(float), pairs["y"].astype(float)
    cx = x_ref if x_ref is not None else float(x.mean())
    cy = y_ref if y_ref is not None else float(y.mean())
    sx, sy = (float(v.std()) if len(v) > 1 else 0.0 for v in (x, y))
    dist = np.hypot((x - cx) / (sx or 1.0), (y - cy) / (sy or 1.0))
    far = pairs.assign(_d=dist).sort_values(["_d", "gebiet_id"], ascending=[False, True])
    order = far["gebiet_id"].tolist()
    if len(order) > LABEL_ALL_UP_TO:
        order = order[:LABEL_EXTREMES]
    if selected is not None and selected in set(pairs["gebiet_id"]):
        order = [selected, *(g for g in order if g != selected)]
    return order


#: Rough size of the plot area and the label font in pixels, for the overlap estimate only.
_PLOT_W, _PLOT_H, _CHAR_W, _LINE_H, _GAP = 1000.0, 460.0, 7.0, 15.0, 8.0
_POSITIONS = ("top center", "bottom center", "middle right", "middle left")


def _label_positions(pairs: pd.DataFrame, order: list[str], keep: str | None) -> dict[str, str]:
    """Text position per labelled district; a label that would cover another label or point is left out.

    Greedy in ``order``: the first of top/bottom/right/left that is free. ``keep`` (the selected
    district) is labelled even when crowded. The others stay readable in the tooltip.
    """

    def scaled(v: pd.Series, size: float) -> np.ndarray:
        a = v.astype(float).to_numpy()
        lo, hi = float(np.min(a)), float(np.max(a))
        return (a - lo) / (hi - lo) * size if hi > lo else np.full(len(a), size / 2)

    if pairs.empty:
        return {}
    px, py = scaled(pairs["x"], _PLOT_W), scaled(pairs["y"], _PLOT_H)
    at = {g: i for i, g in enumerate(pairs["gebiet_id"])}
    names = pairs["name"].tolist()
    placed: list[tuple[float, float, float, float]] = []
    out: dict[str, str] = {}
    for gid in order:
        i = at[gid]
        w, h, x, y = len(names[i]) * _CHAR_W, _LINE_H, px[i], py[i]
        boxes = {
            "top center": (x - w / 2, y + _GAP, x + w / 2, y + _GAP + h),
            "bottom center": (x - w / 2, y - _GAP - h, x + w / 2, y - _GAP),
            "middle right": (x + _GAP, y - h / 2, x + _GAP + w, y + h / 2),
            "middle left": (x - _GAP - w, y - h / 2, x - _GAP, y + h / 2),
        }
        others = np.arange(len(px)) != i
        for pos in _POSITIONS:
            x0, y0, x1, y1 = boxes[pos]
            hits_point = bool(np.any(others & (px > x0 - 5) & (px < x1 + 5) & (py > y0 - 5) & (py < y1 + 5)))
            hits_label = any(x0 < b[2] and b[0] < x1 and y0 < b[3] and b[1] < y1 for b in placed)
            if not hits_point and not hits_label:
                out[gid] = pos
                placed.append(boxes[pos])
                break
        else:
            if gid == keep:
                out[gid] = "top center"
                placed.append(boxes["top center"])
    return out


def ordered_quadrants(labels: Sequence[str]) -> list[str]:
    first = [xd.BOTH_UNFAVOURABLE]
    last = [xd.BOTH_FAVOURABLE, GEHEIM, KEINE_DATEN]
    present = list(dict.fromkeys(labels))
    middle = sorted(q for q in present if q not in first + last)
    return [q for q in first if q in present] + middle + [q for q in last if q in present]


def scatter(
    pairs: pd.DataFrame,
    x_ind: Indicator,
    y_ind: Indicator,
    x_ref: float | None,
    y_ref: float | None,
    selected: str | None = None,
    ref_label: str = "Gesamtstadt",
    height: int = 560,
) -> go.Figure:
    """Districts as points (X against Y) with labels, coloured by quadrant against the city values.

    ``pairs`` comes from :func:`planning.crossdomain.pair_table`; only districts with both values
    shown (status ok) are drawn, so a suppressed figure never reaches a point or tooltip. Dashed
    lines mark ``x_ref``/``y_ref`` (the city values, annotated ``ref_label``); without them the
    points are drawn uncoloured. ``customdata`` per point: name, X text, Y text, gebiet_id, quadrant.
    """
    missing = [c for c in ("gebiet_id", "name", "x", "y") if c not in pairs.columns]
    if missing:
        raise ValueError(f"Wertepaare ohne Spalte(n): {', '.join(missing)}")
    ok = pairs["x"].notna() & pairs["y"].notna()
    for side in ("x", "y"):
        if f"{side}_status" in pairs.columns:
            ok &= pairs[f"{side}_status"] == xd.OK
    shown = pairs[ok]
    has_refs = x_ref is not None and y_ref is not None and not shown.empty
    if has_refs:
        assert x_ref is not None and y_ref is not None
        shown = xd.quadrants(
            shown,
            x_ref,
            y_ref,
            x_ind.polarity,
            y_ind.polarity,
            x_label=x_ind.label_de,
            y_label=y_ind.label_de,
        )
    else:
        shown = shown.assign(quadrant="")
    positions = _label_positions(shown, _label_order(shown, x_ref, y_ref, selected), selected)
    fig = go.Figure()
    others = iter(OTHER_COLORS * 4)
    for quadrant in ordered_quadrants(shown["quadrant"].tolist()):
        part = shown[shown["quadrant"] == quadrant]
        color = QUADRANT_COLORS.get(quadrant) or next(others)
        custom = list(
            zip(
                part["name"],
                [x_ind.format(v) for v in part["x"]],
                [y_ind.format(v) for v in part["y"]],
                part["gebiet_id"],
                part["quadrant"],
                strict=True,
            )
        )
        fig.add_trace(
            go.Scatter(
                x=part["x"].astype(float),
                y=part["y"].astype(float),
                mode="markers+text",
                name=quadrant or "Gebiete",
                text=[
                    n if g in positions else "" for n, g in zip(part["name"], part["gebiet_id"], strict=True)
                ],
                textposition=[positions.get(g, "top center") for g in part["gebiet_id"]],
                textfont={"size": 12, "color": "#334155"},
                marker={
                    "size": 12,
                    "color": color,
                    "opacity": 0.85,
                    "line": {"color": "#ffffff", "width": 1},
                },
                customdata=custom,
                hovertemplate="<b>%{customdata[0]}</b><br>"
                + escape(x_ind.label_de)  # an added indicator's label is typed by a planner
                + ": %{customdata[1]}<br>"
                + escape(y_ind.label_de)
                + ": %{customdata[2]}"
                + ("<br>%{customdata[4]}" if has_refs else "")
                + "<extra></extra>",
                showlegend=bool(quadrant),
            )
        )
    sel = shown[shown["gebiet_id"] == selected] if selected is not None else shown.iloc[0:0]
    if not sel.empty:
        fig.add_trace(
            go.Scatter(
                x=sel["x"].astype(float),
                y=sel["y"].astype(float),
                mode="markers",
                name="Ausgewählt",
                marker={"size": 22, "color": "rgba(0,0,0,0)", "line": {"color": SELECTED_COLOR, "width": 3}},
                hoverinfo="skip",
                showlegend=False,
            )
        )
    if has_refs:
        assert x_ref is not None and y_ref is not None
        line = {"dash": "dash", "color": LINE_COLOR, "width": 1.5}
        fig.add_vline(
            x=x_ref,
            line=line,
            annotation_text=f"{ref_label} {x_ind.format(x_ref)}",
            annotation_position="top",
            annotation_font={"size": 12, "color": LINE_COLOR},
        )
        fig.add_hline(y=y_ref, line=line)
        # in the right margin, where no point or label can hide it
        fig.add_annotation(
            x=1,
            xref="paper",
            xanchor="left",
            xshift=4,
            y=y_ref,
            yref="y",
            text=f"{ref_label}<br>{y_ind.format(y_ref)}",
            showarrow=False,
            align="left",
            font={"size": 12, "color": LINE_COLOR},
        )
        if x_ind.polarity != 0 and y_ind.polarity != 0:
            # name the corner where both are unfavourable: high values are bad for polarity −1
            right, top = x_ind.polarity < 0, y_ind.polarity < 0
            fig.add_annotation(
                x=1 if right else 0,
                y=1 if top else 0,
                xref="paper",
                yref="paper",
                xanchor="right" if right else "left",
                yanchor="top" if top else "bottom",
                text=xd.BOTH_UNFAVOURABLE,
                showarrow=False,
                font={"size": 13, "color": QUADRANT_COLORS[xd.BOTH_UNFAVOURABLE]},
                bgcolor="rgba(255,255,255,0.8)",
            )
    fig.update_layout(
        height=height,
        margin={"l": 10, "r": 110, "t": 40, "b": 10},
        font={"size": 14},
        hoverlabel={"font_size": 14},
        xaxis={"title": {"text": escape(x_ind.column_label)}, "separatethousands": True, "zeroline": False},
        yaxis={"title": {"text": escape(y_ind.column_label)}, "separatethousands": True, "zeroline": False},
        legend={"orientation": "h", "y": -0.15, "title": {"text": ""}},
        separators=",.",
        plot_bgcolor="#ffffff",
        clickmode="event+select",
    )
    fig.update_xaxes(showgrid=True, gridcolor="#e5e7eb")
    fig.update_yaxes(showgrid=True, gridcolor="#e5e7eb")
    return escape_figure(fig)  # area names are text, never markup
