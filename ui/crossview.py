"""Quervergleich: two indicators in one scatter plot, and a priority list over several indicators.

The figure builder :func:`scatter` and the CSV builder :func:`ranking_csv` are plain functions (no
streamlit) so tests can inspect them; :func:`cross_view` and :func:`ranking_view` draw the tabs of
``pages/querschnitt.py``. The rules (quadrants, correlation, score) live in
:mod:`planning.crossdomain`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from pandas.io.formats.style import Styler

from planning import crossdomain as xd
from planning import small_base
from planning.exports import csv_bytes
from planning.formatting import format_value
from planning.indicators import Indicator
from planning.plot_text import escape, escape_figure
from planning.suppression import GEHEIM, KEINE_DATEN
from ui import components, state, views
from ui import data as uidata
from ui.frame import Context

X_KEY, Y_KEY = state.CROSS_X.key, state.CROSS_Y.key  # in the URL as x= and y=
QUADRANT_KEY = "quer_quadrant"
SCATTER_KEY = "quer_scatter"
QUADRANT_TABLE_KEY = "quer_quadrant_table"
RANK_KEY = "quer_rang"
RANK_TABLE_KEY = "quer_rang_table"

DEFAULT_X, DEFAULT_Y = "kinderarmut", "versorgung_u3"
DEFAULT_RANKING = ("kinderarmut", "sprachfoerderbedarf", "versorgung_u3")
ALL_DISTRICTS = "alle Gebiete"
#: Above this many districts only the most extreme ones (and the selected one) get a text label.
LABEL_ALL_UP_TO = 40
LABEL_EXTREMES = 15

QUADRANT_COLORS = {xd.BOTH_UNFAVOURABLE: "#b91c1c", xd.BOTH_FAVOURABLE: "#1d4ed8"}
OTHER_COLORS = ["#6b7280", "#a16207", "#0f766e", "#7c3aed"]
LINE_COLOR = "#475569"
SELECTED_COLOR = "#111111"


# ---------------------------------------------------------------- plain builders (no streamlit)


def fmt_number(value: float | None, decimals: int = 2, signed: bool = False) -> str:
    """German number: decimal comma, typographic minus (``−0,62``); "–" for a missing value."""
    if value is None or pd.isna(value):
        return "–"
    text = f"{value:+.{decimals}f}" if signed else f"{value:.{decimals}f}"
    return text.replace(".", ",").replace("-", "−")


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


def _ordered_quadrants(labels: Sequence[str]) -> list[str]:
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
    for quadrant in _ordered_quadrants(shown["quadrant"].tolist()):
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


def _cell(value: float | None, status: str, decimals: int) -> str:
    """A CSV cell: ``geheim``, ``keine Daten`` or the number with a decimal comma, no thousands mark."""
    if status == GEHEIM:
        return GEHEIM
    if status != xd.OK or value is None or pd.isna(value):
        return KEINE_DATEN
    return f"{float(value):.{decimals}f}".replace(".", ",")


def _note(row: pd.Series, codes: Sequence[str]) -> str:
    statuses = [row[xd.status_column(c)] for c in codes]
    secret, missing = statuses.count(GEHEIM), statuses.count(KEINE_DATEN)
    parts = ([f"{secret} geheim"] if secret else []) + ([f"{missing} ohne Daten"] if missing else [])
    return f"unvollständig: {', '.join(parts)}" if parts else ""


def ranking_frame(
    ranking: pd.DataFrame, indicators: Sequence[Indicator], headers: Sequence[str], level_name: str
) -> pd.DataFrame:
    """The ranking with German headers and text cells (for the CSV export)."""
    codes = [i.code for i in indicators]
    out = pd.DataFrame(
        {
            "Rang": [("" if pd.isna(r) else str(int(r))) for r in ranking["rank"]],
            "Gebiets-ID": ranking["gebiet_id"],
            level_name: ranking["name"],
            "Punktwert (0–100)": [_cell(s, xd.OK, 1) for s in ranking["score"]],
            "Ungünstig in": [
                f"{k} von {n}" for k, n in zip(ranking["unfavourable"], ranking["available"], strict=True)
            ],
        }
    )
    for ind, header in zip(indicators, headers, strict=True):
        out[header] = [
            _cell(v, s, ind.decimals)
            for v, s in zip(
                ranking[xd.value_column(ind.code)], ranking[xd.status_column(ind.code)], strict=True
            )
        ]
    out["Hinweis"] = [_note(row, codes) for _, row in ranking.iterrows()]
    return out


def ranking_csv(
    ranking: pd.DataFrame, indicators: Sequence[Indicator], headers: Sequence[str], level_name: str
) -> bytes:
    """Semicolon CSV with decimal commas, UTF-8 with BOM: opens correctly in a German Excel."""
    frame = ranking_frame(ranking, indicators, headers, level_name)
    return csv_bytes(frame, sep=";", bom=True)


# ---------------------------------------------------------------- streamlit views


def _options(ctx: Context) -> dict[str, Indicator]:
    """Built-in and added indicators with data, in the order of the other pages' selectors."""
    return {i.code: i for i in views.indicators_with_data(ctx)}


def _ensure(key: str, options: list[str], default: str) -> None:
    if st.session_state.get(key) not in options:
        st.session_state[key] = default if default in options else options[0]


def _table_all(ctx: Context, ind: Indicator) -> pd.DataFrame:
    return uidata.indicator_table(
        ctx.url, ctx.layout.code, ctx.versions, ind.code, ctx.level, ctx.registry_stamp
    )


def _years(table_all: pd.DataFrame) -> list[int]:
    return sorted(int(y) for y in table_all["year"].dropna().unique())


def _names(ctx: Context) -> pd.DataFrame:
    return ctx.data.areas.loc[ctx.data.areas["level"] == ctx.level, ["gebiet_id", "name"]]


def _year_table(ctx: Context, table_all: pd.DataFrame, year: int | None) -> pd.DataFrame:
    """All districts of the level with the indicator of ``year`` (NA where there is no row)."""
    cols = [c for c in ("gebiet_id", "year", "value", "denominator", "suppressed") if c in table_all.columns]
    rows = table_all[table_all["year"] == year][cols] if year is not None else table_all.iloc[0:0][cols]
    return _names(ctx).merge(rows, on="gebiet_id", how="left")


def _city_value(ctx: Context, ind: Indicator, year: int | None) -> float | None:
    city = uidata.city_series(ctx.url, ctx.layout.code, ctx.versions, ind.code, ctx.registry_stamp)
    row = city[city["year"] == year]
    if row.empty:
        return None
    if "suppressed" in row.columns and bool(pd.Series(row["suppressed"]).fillna(False).iloc[0]):
        return None
    value = row["value"].iloc[0]
    return None if pd.isna(value) else float(value)


def _select_from_chart() -> None:
    points = st.session_state[SCATTER_KEY].selection.get("points", [])
    for p in points:
        custom = p.get("customdata") or []
        if len(custom) > 3 and custom[3]:
            state.put(state.DISTRICT, custom[3])
            return


def _select_from_table(key: str, ids: list[str]) -> None:
    rows = st.session_state[key].selection.rows
    if rows:
        state.put(state.DISTRICT, ids[rows[0]])


def _styled(shown: pd.DataFrame, columns: dict[str, tuple[Indicator, pd.Series]]) -> Styler:
    """German display of value columns; cells read ``geheim`` or ``keine Daten`` by their status.

    The numbers stay numeric underneath (sorting by a column header works), and a suppressed cell
    holds no number at all.
    """
    styler = shown.style
    for col, (ind, status) in columns.items():
        styler = styler.format(ind.format, subset=[col], na_rep=KEINE_DATEN)
        for label in (GEHEIM, KEINE_DATEN):
            rows = shown.index[(status == label).to_numpy()]
            if len(rows):
                styler = styler.format(lambda _v, t=label: t, subset=pd.IndexSlice[rows, [col]])
        rows = shown.index[(status == xd.FEW).to_numpy()]
        if len(rows):  # shown with its mark; it took no part in the ranking
            styler = styler.format(
                lambda v, i=ind: f"{i.format(v)} ({xd.FEW})", subset=pd.IndexSlice[rows, [col]]
            )
    return styler


def _selected(ctx: Context) -> str | None:
    ids = _names(ctx)["gebiet_id"].tolist()
    state.ensure_choice(state.DISTRICT, [None, *ids], None)
    selected: str | None = state.get(state.DISTRICT)
    return selected


def cross_view(ctx: Context) -> tuple[Indicator, Indicator] | None:
    """Two indicators across the districts: scatter with city lines, correlation, quadrant table."""
    by_code = _options(ctx)
    codes = list(by_code)
    if len(codes) < 2:
        st.info("Für einen Vergleich braucht es mindestens zwei Kennzahlen mit Daten.")
        return None
    _ensure(X_KEY, codes, DEFAULT_X)
    if st.session_state.get(Y_KEY) not in codes:
        # a different default for Y, so the first view is a real comparison
        rest = [c for c in codes if c != st.session_state[X_KEY]]
        st.session_state[Y_KEY] = DEFAULT_Y if DEFAULT_Y in rest else rest[0]
    c1, c2 = st.columns(2)
    label = {c: f"{i.domain} · {i.label_de}" for c, i in by_code.items()}
    c1.selectbox("Kennzahl X (waagerecht)", codes, key=X_KEY, format_func=label.__getitem__)
    c2.selectbox("Kennzahl Y (senkrecht)", codes, key=Y_KEY, format_func=label.__getitem__)
    x_ind, y_ind = by_code[st.session_state[X_KEY]], by_code[st.session_state[Y_KEY]]
    if x_ind.code == y_ind.code:
        st.caption("X und Y sind dieselbe Kennzahl; für einen Vergleich eine andere wählen.")

    tx, ty = _table_all(ctx, x_ind), _table_all(ctx, y_ind)
    year = xd.common_year([_years(tx), _years(ty)], ctx.year)
    yx = year if year is not None else xd.nearest_year(_years(tx), ctx.year)
    yy = year if year is not None else xd.nearest_year(_years(ty), ctx.year)
    if year is None:
        st.caption(
            f"Kein gemeinsames Jahr: {x_ind.label_de} aus {yx or '–'}, {y_ind.label_de} aus {yy or '–'}."
        )
    elif year != ctx.year:
        st.caption(f"Für {ctx.year} liegen nicht beide Kennzahlen vor; verglichen wird {year}.")
    pairs = xd.pair_table(_year_table(ctx, tx, yx), _year_table(ctx, ty, yy))
    selected = _selected(ctx)

    x_ref, y_ref = _city_value(ctx, x_ind, yx), _city_value(ctx, y_ind, yy)
    ref_label = "Gesamtstadt"
    shown = pairs[(pairs["x_status"] == xd.OK) & (pairs["y_status"] == xd.OK)]
    if (x_ref is None or y_ref is None) and not shown.empty:
        # both lines on the same footing, so the quadrants stay comparable
        ref_label = "Median der Gebiete"
        x_ref, y_ref = float(shown["x"].median()), float(shown["y"].median())
        st.caption("Für die Gesamtstadt fehlt ein Wert; beide Linien liegen am Median der Gebiete.")

    corr = xd.correlation(pairs)
    _correlation_cards(corr)
    st.plotly_chart(
        scatter(pairs, x_ind, y_ind, x_ref, y_ref, selected=selected, ref_label=ref_label),
        key=SCATTER_KEY,
        on_select=_select_from_chart,
        selection_mode="points",
        # no mode bar: its button tooltips are English; drag zooms, a double click resets
        config={"displayModeBar": False},
    )
    if x_ref is not None and y_ref is not None:
        _quadrant_table(ctx, pairs, x_ind, y_ind, x_ref, y_ref)
    p = components.plain
    st.caption(
        f"**{p(x_ind.label_de)}** – {p(x_ind.help_de)}  \n**{p(y_ind.label_de)}** – {p(y_ind.help_de)}"
    )
    return x_ind, y_ind


def _correlation_cards(corr: xd.Correlation) -> None:
    strength = corr["strength"]
    reading = "–" if strength is None else strength
    cols = st.columns(4)
    cols[0].metric("Gebiete im Vergleich", str(corr["n"]), border=True)
    cols[1].metric(
        "Korrelation (Pearson r)",
        fmt_number(corr["pearson"], signed=True),
        help="Linearer Zusammenhang, von −1 bis +1.",
        border=True,
    )
    cols[2].metric(
        "Rangkorrelation (Spearman ρ)",
        fmt_number(corr["spearman"], signed=True),
        help="Zusammenhang der Rangfolgen; unempfindlich gegen Ausreißer.",
        border=True,
    )
    cols[3].metric(
        f"Zusammenhang ({corr['direction']})"
        if corr["direction"] and strength != xd.NO_CORRELATION
        else "Zusammenhang",
        reading,
        help="Stärke nach |r|: unter 0,1 kein, ab 0,1 schwach, ab 0,3 mittel, ab 0,5 stark.",
        border=True,
    )
    notes = []
    if corr["reason"]:
        notes.append(corr["reason"])
    if corr["excluded_geheim"]:
        notes.append(f"{corr['excluded_geheim']} Gebiet(e) geheim, nicht einbezogen.")
    if corr["excluded_missing"]:
        notes.append(f"{corr['excluded_missing']} Gebiet(e) ohne Daten.")
    st.caption(
        "Korrelation ist keine Ursache: Ein Zusammenhang über die Gebiete sagt nicht, dass die eine "
        "Kennzahl die andere bewirkt, und nichts über einzelne Familien. " + " ".join(notes)
    )


def _quadrant_table(
    ctx: Context, pairs: pd.DataFrame, x_ind: Indicator, y_ind: Indicator, x_ref: float, y_ref: float
) -> None:
    q = xd.quadrants(
        pairs, x_ref, y_ref, x_ind.polarity, y_ind.polarity, x_label=x_ind.label_de, y_label=y_ind.label_de
    )
    counts = q["quadrant"].value_counts()
    polar = x_ind.polarity != 0 and y_ind.polarity != 0
    choices = _ordered_quadrants(([xd.BOTH_UNFAVOURABLE] if polar else []) + q["quadrant"].tolist())
    choices.append(ALL_DISTRICTS)
    _ensure(QUADRANT_KEY, choices, xd.BOTH_UNFAVOURABLE)
    st.selectbox(
        "Gebiete im Quadranten",
        choices,
        key=QUADRANT_KEY,
        format_func=lambda c: f"{c} ({len(q) if c == ALL_DISTRICTS else int(counts.get(c, 0))})",
        help="Lage gegenüber den Linien im Diagramm; ein Gebiet genau auf einer Linie zählt als günstig "
        "(bei Kennzahlen ohne Richtung als „unter“).",
    )
    choice = st.session_state[QUADRANT_KEY]
    part = q if choice == ALL_DISTRICTS else q[q["quadrant"] == choice]
    if x_ind.polarity != 0:
        part = part.sort_values(["x", "name"], ascending=[x_ind.polarity > 0, True], na_position="last")
    part = part.reset_index(drop=True)
    x_col, y_col = x_ind.column_label, y_ind.column_label
    if x_col == y_col:
        x_col, y_col = f"X: {x_col}", f"Y: {y_col}"
    shown = pd.DataFrame({ctx.level_name: part["name"], x_col: part["x"], y_col: part["y"]})
    if choice == ALL_DISTRICTS:
        shown["Quadrant"] = part["quadrant"]
    if shown.empty:
        st.caption("Kein Gebiet in diesem Quadranten.")
        return
    ids = part["gebiet_id"].tolist()
    st.dataframe(
        _styled(shown, {x_col: (x_ind, part["x_status"]), y_col: (y_ind, part["y_status"])}),
        hide_index=True,
        width="stretch",
        key=QUADRANT_TABLE_KEY,
        on_select=lambda: _select_from_table(QUADRANT_TABLE_KEY, ids),
        selection_mode="single-row",
    )


def ranking_view(ctx: Context) -> list[Indicator]:
    """Priority list: districts ranked over the chosen directed indicators, with CSV download."""
    by_code = {c: i for c, i in _options(ctx).items() if i.polarity != 0}
    codes = list(by_code)
    if not codes:
        st.info("Es gibt noch keine Kennzahlen mit Richtung (höher = besser oder schlechter).")
        return []
    current = st.session_state.get(RANK_KEY)
    if current is None:
        st.session_state[RANK_KEY] = [c for c in DEFAULT_RANKING if c in codes] or codes[:3]
    else:
        st.session_state[RANK_KEY] = [c for c in current if c in codes]
    sets_with = [k for k in ctx.registry.sets if any(c in codes for c in k.codes)]
    if sets_with:

        def _take_set() -> None:
            chosen = st.session_state.get("quer_rang_set")
            if chosen:
                kset = ctx.registry.set(chosen)
                st.session_state[RANK_KEY] = [c for c in kset.codes if c in codes]

        st.selectbox(
            "Kennzahlen eines Sets übernehmen",
            [None, *[k.name for k in sets_with]],
            key="quer_rang_set",
            format_func=lambda n: "– Set wählen –" if n is None else n,
            on_change=_take_set,
            help="Übernimmt die Kennzahlen des Sets mit Richtung (neutrale bleiben außen vor).",
        )
    st.multiselect(
        "Kennzahlen der Prioritätenliste",
        codes,
        key=RANK_KEY,
        format_func=lambda c: f"{by_code[c].domain} · {by_code[c].label_de}",
        placeholder="Kennzahlen wählen",
        select_all=False,  # its bulk action reads "Select all": the interface speaks German
        help="Nur Kennzahlen mit Richtung (höher = besser oder höher = schlechter); "
        "bei neutralen Kennzahlen ist „ungünstig“ nicht bestimmt.",
    )
    chosen = [by_code[c] for c in st.session_state[RANK_KEY]]
    if not chosen:
        st.info("Bitte mindestens eine Kennzahl wählen.")
        return []
    tables_all = [_table_all(ctx, i) for i in chosen]
    year = xd.common_year([_years(t) for t in tables_all], ctx.year)
    years = [year if year is not None else xd.nearest_year(_years(t), ctx.year) for t in tables_all]
    if year is None:
        st.caption(
            "Kein gemeinsames Jahr aller Kennzahlen; je Kennzahl das nächstliegende Jahr (in Klammern)."
        )
    elif year != ctx.year:
        st.caption(f"Für {ctx.year} liegen nicht alle Kennzahlen vor; verglichen wird {year}.")
    ranking = xd.priority_ranking(
        [
            (ind, small_base.mark(_year_table(ctx, t, y), ind, small_base.default_minimum()))
            for ind, t, y in zip(chosen, tables_all, years, strict=True)
        ]
    )
    headers = [
        ind.column_label + (f" ({y})" if year is None and y is not None else "")
        for ind, y in zip(chosen, years, strict=True)
    ]
    n = len(chosen)
    shown = pd.DataFrame(
        {
            "Rang": ranking["rank"],
            ctx.level_name: ranking["name"],
            "Punktwert": ranking["score"],
            "Ungünstig in": [
                f"{k} von {a}" for k, a in zip(ranking["unfavourable"], ranking["available"], strict=True)
            ],
        }
    )
    for ind, header in zip(chosen, headers, strict=True):
        shown[header] = ranking[xd.value_column(ind.code)]
    notes = [_note(row, [i.code for i in chosen]) for _, row in ranking.iterrows()]
    if any(notes):
        shown["Hinweis"] = notes
    styler = _styled(
        shown, {h: (ind, ranking[xd.status_column(ind.code)]) for ind, h in zip(chosen, headers, strict=True)}
    )
    styler = styler.format(lambda r: "–" if pd.isna(r) else str(int(r)), subset=["Rang"]).format(
        lambda s: format_value(s, 1), subset=["Punktwert"]
    )
    ids = ranking["gebiet_id"].tolist()
    st.dataframe(
        styler,
        hide_index=True,
        width="stretch",
        height=min(600, 35 * (len(shown) + 1) + 3),
        key=RANK_TABLE_KEY,
        on_select=lambda: _select_from_table(RANK_TABLE_KEY, ids),
        selection_mode="single-row",
        column_config={
            "Punktwert": st.column_config.Column(
                help="Mittel der Perzentilränge: 100 = ungünstigster Wert aller Gebiete, 0 = günstigster"
            ),
            "Ungünstig in": st.column_config.Column(
                help="Kennzahlen, bei denen das Gebiet im ungünstigsten Viertel liegt (Perzentil ≥ 75), "
                "von den Kennzahlen mit Wert"
            ),
        },
    )
    selected = _selected(ctx)
    if selected in ids:
        row = ranking[ranking["gebiet_id"] == selected].iloc[0]
        rank_text = "ohne Rang" if pd.isna(row["rank"]) else f"Rang {int(row['rank'])}"
        ranked = int(ranking["rank"].notna().sum())
        st.caption(f"Ausgewählt: **{components.plain(row['name'])}** – {rank_text} von {ranked}.")
    st.caption(
        f"Punktwert je Gebiet: Mittel über die {n} Kennzahlen des Perzentilrangs in ungünstiger Richtung "
        "(Anteil der übrigen Gebiete mit günstigerem Wert; 100 = ungünstigster Wert). Gebiete mit "
        "geheimen oder fehlenden Werten werden über die übrigen Kennzahlen bewertet und sind markiert. "
        "Ein Rang ist ein Hinweis zum Hinsehen, keine Bewertung eines Gebiets."
    )
    if components.may_export():
        st.download_button(
            "Prioritätenliste als CSV herunterladen",
            data=ranking_csv(ranking, chosen, headers, ctx.level_name),
            file_name=f"prioritaetenliste_{year if year is not None else ctx.year}.csv",
            mime="text/csv",
            key="quer_rang_csv",
        )
    return chosen
