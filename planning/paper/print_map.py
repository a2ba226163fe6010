"""The print map: the app's choropleth drawn with plain filled ``Scatter`` paths in metric
coordinates, so it renders anywhere (kaleido, PDF, PPTX) without tiles or WebGL.

The interactive maps of the app (:mod:`planning.charts.maps`) need MapLibre/WebGL; this one keeps
their colours and classes (outlier-robust range, "geheim" hatched, small bases dotted) for paper.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import shapely
from plotly.colors import sample_colorscale
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.polygon import orient

from geodata.crs import require_crs
from planning.formatting import format_value
from planning.map_scale import robust_range
from planning.plot_text import escape
from planning.suppression import GEHEIM

#: Metric CRS for print maps of geographic input (ETRS89 / UTM 32N).
PRINT_CRS = 25832
#: Same colours as the app's maps (``planning/charts/``): white = keine Daten, mid grey = geheim.
NO_DATA_COLOR = "#ffffff"
SECRET_COLOR = "#8d939b"
OUTLINE_COLOR = "#5f6b7a"
#: Rates with a direction, as in the app (planning.charts SCALES): the least favourable class is the
#: strongest colour (dark red), whichever way the indicator points; the lightest class stays visibly
#: tinted (never the white of "keine Daten"), lightness falls steadily so greyscale prints work.
WORSE_SCALE = ["#fde7c7", "#f9c08f", "#f08a4b", "#d85a24", "#b03a10", "#8c1d04"]
#: Rates without a direction: ColorBrewer "Blues" from its third step on, dark = higher.
CLASS_SCALE = ["#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b"]
#: Outline of the areas beyond the colour range (2nd–98th percentile, planning.map_scale).
CLIPPED_LINE = "#111827"
#: Balances on paper (ColorBrewer RdBu, colour-blind safe): reds for places missing, the largest gap
#: the strongest red; blues for a surplus, the palest next to 0.
GAP_REDS = ["#b2182b", "#d6604d", "#f4a582"]
SURPLUS_BLUES = ["#c6dbef", "#92c5de", "#4393c3", "#2166ac"]
#: The class "0" of a balance without any surplus (all areas met or short): neutral, not blue.
BALANCED_COLOR = "#f7f7f7"
#: Upper limit of the one class "exactly 0" (:func:`diverging_breaks`).
ZERO_TOP = 1e-9
#: A rate on too small a base (planning.small_base): outside the classes, dotted for greyscale prints.
FEW_COLOR = "#e8e2d6"
#: Above this many vertices the print map is simplified (550 detailed areas stay fast).
MAX_PRINT_VERTICES = 150_000
FONT_FAMILY = "Liberation Sans, DejaVu Sans, Arial, sans-serif"  # as in the PDF body


def _nice_steps(span: float) -> list[float]:
    """Rounding steps from coarse to fine: 5, 2.5, 2, 1 × 10^e."""
    top = math.floor(math.log10(span)) if span > 0 else 0
    return [m * 10.0**e for e in range(top, top - 6, -1) for m in (5, 2.5, 2, 1)]


def _decimals(step: float) -> int:
    """Decimals that print ``step`` (and its multiples) exactly: 5 → 0, 2.5 → 1, 0.25 → 2."""
    return next((d for d in range(7) if math.isclose(round(step, d), step, rel_tol=1e-9)), 6)


def class_breaks(values: Sequence[float] | np.ndarray, bins: int = 5) -> tuple[list[float], int]:
    """Quantile class limits rounded to "nice" numbers, and the decimals to print them with.

    Returns ``k + 1`` increasing limits (k ≤ ``bins``, fewer for few distinct values) and every
    class holds at least one value; the coarsest rounding step that keeps this wins.
    """
    v = np.sort(np.asarray(values, dtype=float))
    v = v[np.isfinite(v)]
    if v.size == 0:
        return [], 0
    lo_v, hi_v = float(v[0]), float(v[-1])
    if hi_v == lo_v:
        return [lo_v, hi_v], min(_decimals(lo_v), 2)
    bins = min(bins, len(np.unique(v)))  # never more classes than distinct values (each holds one)
    inner = np.unique(np.quantile(v, np.linspace(0, 1, max(2, bins) + 1))[1:-1])
    inner = inner[(inner > lo_v) & (inner <= hi_v)]
    for step in _nice_steps(hi_v - lo_v):
        limits = [
            math.floor(lo_v / step) * step,
            *(round(q / step) * step for q in inner),
            math.ceil(hi_v / step) * step,
        ]
        if all(a < b for a, b in itertools.pairwise(limits)) and (np.histogram(v, bins=limits)[0] > 0).all():
            return [round(x, 9) for x in limits], _decimals(step)
    return [lo_v, hi_v], 2  # unreachable for finite data: the finest steps keep every quantile apart


def _side_breaks(values: np.ndarray, bins: int) -> tuple[list[float], int]:
    """:func:`class_breaks` of one side of 0. A side with one distinct value becomes the class from 0
    to that value rounded away from 0 (to a whole number from 1 up, else two significant digits),
    so a single surplus of 14.99 places reads "0 – 15 Plätze", not "0,00 – 14,99 Plätze"."""
    limits, decimals = class_breaks(values, bins)
    if len(limits) == 2 and limits[0] == limits[1] and limits[0] != 0:
        x = limits[0]
        step = 1.0 if abs(x) >= 1 else 10.0 ** (math.floor(math.log10(abs(x))) - 1)
        edge = math.copysign(math.ceil(round(abs(x) / step, 9)) * step, x)
        limits, decimals = [edge, edge], _decimals(step)
    return limits, decimals


def diverging_breaks(values: Sequence[float] | np.ndarray, bins: int = 3) -> tuple[list[float], int, int]:
    """Class limits for a balance: up to ``bins`` classes below 0 and up to ``bins`` from 0 up, 0
    always a limit. Returns ``(limits, decimals, negative classes)``."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    neg, pos = v[v < 0], v[v >= 0]
    neg_limits, dn = _side_breaks(neg, bins) if neg.size else ([], 0)
    pos_limits, dp = _side_breaks(pos, bins) if pos.size else ([], 0)
    if neg_limits:  # the mildest gap class reaches up to 0
        neg_limits = [*neg_limits[:-1], 0.0] if len(neg_limits) > 1 else [neg_limits[0], 0.0]
    if pos_limits:  # the smallest surplus class starts at 0 (a balance of exactly 0 is met)
        # All of them exactly 0 (a balance that counts only missing places): one class "0".
        pos_limits = [0.0, *pos_limits[1:]] if pos_limits[-1] > 0 else [0.0, ZERO_TOP]
        if len(pos_limits) > 2 and pos_limits[1] <= 0:
            pos_limits = [0.0, *pos_limits[2:]]
    limits = [*neg_limits[:-1], *pos_limits] if neg_limits and pos_limits else neg_limits or pos_limits
    return [float(x) for x in limits], max(dn, dp), max(len(neg_limits) - 1, 0)


def _pick(palette: list[str], k: int) -> list[str]:
    """``k`` colours spread over ``palette`` (its first and last kept)."""
    if k <= 0:
        return []
    if k == 1:
        return [palette[0]]
    return [palette[round(i * (len(palette) - 1) / (k - 1))] for i in range(k)]


def _name_labels(
    fig: go.Figure, geo: gpd.GeoDataFrame, geoms: np.ndarray, ids: np.ndarray, wanted: Sequence[str]
) -> None:
    """Names of the ``wanted`` areas at a point inside each, dark on a white halo (any fill)."""
    if not len(wanted) or "name" not in geo.columns:
        return
    order = {str(g): i for i, g in enumerate(wanted)}
    rows = [i for i, g in enumerate(ids) if str(g) in order]
    rows.sort(key=lambda i: order[str(ids[i])])
    points = [shapely.point_on_surface(geoms[i]) for i in rows]
    names = [str(geo["name"].iloc[i]) for i in rows]
    fig.add_trace(
        go.Scatter(
            x=[p.x for p in points],
            y=[p.y for p in points],
            mode="markers+text",
            text=[escape(n) for n in names],
            textposition="top center",
            textfont={"size": 13, "color": "#111827", "shadow": "0 0 3px #ffffff, 0 0 3px #ffffff"},
            marker={"size": 6, "color": "#111827", "line": {"color": "#ffffff", "width": 1.5}},
            showlegend=False,
            hoverinfo="skip",
            cliponaxis=False,
            name="Namen",
        )
    )


def _class_label(lo: float, hi: float, decimals: int, unit: str) -> str:
    """ "12,5 – 20,0 %"; a typographic minus, so "−40 – −10" does not read as a range of dashes."""
    low, high = (format_value(x, decimals).replace("-", "−") for x in (lo, hi))
    text = low if low == high else f"{low} – {high}"
    return f"{text} {unit}" if unit else text


def _rings(geom: Any) -> list[np.ndarray]:
    """Rings of a (Multi)Polygon, each exterior counter-clockwise followed by its holes clockwise.

    Drawn in one SVG path, plotly's fill leaves the holes open (non-zero winding), so an enclave
    drawn by another trace shows through. Lines and points contribute nothing.
    """
    if isinstance(geom, Polygon):
        polys = [geom]
    elif isinstance(geom, MultiPolygon):
        polys = list(geom.geoms)
    elif geom is not None and hasattr(geom, "geoms"):  # GeometryCollection
        polys = [g for g in geom.geoms if isinstance(g, Polygon)]
    else:
        polys = []
    rings: list[np.ndarray] = []
    for poly in polys:
        if poly.is_empty:
            continue
        poly = orient(poly, 1.0)
        rings.append(np.asarray(poly.exterior.coords)[:, :2])
        rings.extend(np.asarray(r.coords)[:, :2] for r in poly.interiors)
    return rings


def _path(rings: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """All rings in one coordinate list, separated by NaN (plotly draws a gap there)."""
    if not rings:
        return np.array([]), np.array([])
    gap = np.array([[np.nan, np.nan]])
    joined = np.concatenate([part for ring in rings for part in (ring, gap)])[:-1]
    return joined[:, 0], joined[:, 1]


def _area_trace(name: str, rings: list[np.ndarray], color: str, **extra: Any) -> go.Scatter:
    x, y = _path(rings)
    return go.Scatter(
        x=x,
        y=y,
        mode="lines",
        fill="toself",
        fillcolor=color,
        line={"color": OUTLINE_COLOR, "width": 0.6},
        name=name,
        legendgroup=name,
        showlegend=False,
        hoverinfo="skip",
        connectgaps=False,
        **extra,
    )


def _legend_entry(name: str, color: str, pattern: dict[str, Any] | None = None) -> go.Bar:
    """A data-less bar whose legend swatch is a full square (a filled line's swatch is a thin bar)."""
    marker: dict[str, Any] = {"color": color, "line": {"color": OUTLINE_COLOR, "width": 1}}
    if pattern:
        marker["pattern"] = pattern
    return go.Bar(x=[None], y=[None], name=name, legendgroup=name, marker=marker, hoverinfo="skip")


def _simplified(geoms: gpd.GeoSeries) -> np.ndarray:
    """Geometries thinned to what a printed map can show (about a tenth of a pixel at 2000 px).

    Shared borders are simplified as a coverage, so neighbours keep meeting without slivers.
    """
    if shapely.get_num_coordinates(geoms.to_numpy()).sum() <= MAX_PRINT_VERTICES:
        return geoms.to_numpy()
    minx, miny, maxx, maxy = geoms.total_bounds
    tolerance = max(maxx - minx, maxy - miny) / 4000
    try:
        return geoms.simplify_coverage(tolerance).to_numpy()
    except Exception:  # not a valid coverage (overlaps): simplify each area on its own
        return geoms.simplify(tolerance, preserve_topology=True).to_numpy()


def static_map(
    areas: gpd.GeoDataFrame,
    values: pd.DataFrame,
    *,
    unit: str,
    title: str = "",
    higher_is_better: bool | None = None,
    bins: int = 5,
    diverging: bool = False,
    labels: Sequence[str] = (),
    few_label: str = "zu wenige Kinder",
) -> go.Figure:
    """Choropleth for print: one filled ``Scatter`` per class, no tiles, no WebGL.

    ``areas``: ``gebiet_id``, ``name``, ``geometry`` (any CRS; geographic input is reprojected to
    EPSG:25832). ``values``: ``gebiet_id``, ``value`` (NaN = keine Daten), ``suppressed`` (geheim),
    optionally ``few`` (a rate on too small a base: its own class ``few_label``, outside the
    colour classes). ``diverging``: a balance, classes split at 0, reds below (the largest gap the
    strongest red), blues from 0 up. ``labels``: ids of the areas whose names are printed on the map
    (the ones the agenda item talks about).
    """
    for frame, cols, what in (
        (areas, ("gebiet_id", "geometry"), "areas"),
        (values, ("gebiet_id", "value", "suppressed"), "values"),
    ):
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            raise ValueError(f"{what}: Spalte(n) fehlen: {', '.join(missing)}")
    require_crs(areas, "Gebiete der Druckkarte")
    geo = areas.to_crs(PRINT_CRS) if areas.crs.is_geographic else areas
    vals = values.assign(gebiet_id=values["gebiet_id"].astype(str)).drop_duplicates("gebiet_id")
    vals = vals.set_index("gebiet_id")
    ids = geo["gebiet_id"].astype(str).to_numpy()
    numbers = pd.to_numeric(vals["value"].reindex(ids), errors="coerce").astype("Float64")
    value = numbers.to_numpy(dtype=float, na_value=np.nan).copy()
    secret = vals["suppressed"].reindex(ids).astype("boolean").fillna(False).to_numpy(dtype=bool)
    value[secret] = np.nan  # a suppressed figure never reaches the picture
    few = (
        vals["few"].reindex(ids).astype("boolean").fillna(False).to_numpy(dtype=bool) & np.isfinite(value)
        if "few" in vals.columns
        else np.zeros(len(ids), dtype=bool)
    )
    value[few] = np.nan  # shown in the table with its mark, never in a colour class

    geoms = _simplified(geo.geometry)
    surplus = False
    if diverging:
        limits, decimals, n_neg = diverging_breaks(value[np.isfinite(value)], max(2, (bins + 1) // 2))
        n_classes = max(len(limits) - 1, 0)
        colors = _pick(GAP_REDS, n_neg) + _pick(SURPLUS_BLUES, n_classes - n_neg)
        # a balance that counts only missing places has no surplus: its 0 class is "ausgeglichen"
        surplus = bool(n_classes and limits[-1] > ZERO_TOP)
        if n_classes > n_neg and not surplus:
            colors[-1] = BALANCED_COLOR
    else:
        # The same outlier-robust range as the app (2nd–98th percentile): one area at 3.290 % does
        # not squeeze the city into one class; the areas beyond are outlined and named in the legend.
        span = robust_range(value[np.isfinite(value)])
        if span is not None:
            above = np.isfinite(value) & (value > span.high)
            below = np.isfinite(value) & (value < span.low)
        limits, decimals = class_breaks(
            np.clip(value[np.isfinite(value)], span.low, span.high) if span else [], bins
        )
        n_classes = max(len(limits) - 1, 0)
        scale = CLASS_SCALE if higher_is_better is None else WORSE_SCALE
        steps = list(np.linspace(0, 1, n_classes)) if n_classes > 1 else [0.5]
        if higher_is_better:  # low is unfavourable: the lowest class the strongest colour
            steps = steps[::-1]
        colors = (
            sample_colorscale(
                [[i / (len(scale) - 1), c] for i, c in enumerate(scale)], steps, colortype="rgb"
            )
            if n_classes
            else []
        )
    cls = np.full(len(ids), -1)
    finite = np.isfinite(value)
    if n_classes:
        cls[finite] = np.clip(np.searchsorted(limits, value[finite], side="right") - 1, 0, n_classes - 1)

    def rings_of(mask: np.ndarray) -> list[np.ndarray]:
        return [ring for geom in geoms[mask] for ring in _rings(geom)]

    traces: list[go.Scatter | go.Bar] = []
    legend: list[go.Bar] = []
    for i in range(n_classes):
        label = _class_label(limits[i], limits[i + 1], decimals, unit)
        if diverging and limits[i] == 0 and limits[i + 1] <= ZERO_TOP:
            label = f"{label} (ausgeglichen)"
        traces.append(_area_trace(label, rings_of(cls == i), colors[i]))
        legend.append(_legend_entry(label, colors[i]))
    if not diverging and n_classes and span is not None:
        for mask, end, sign, limit in ((below, 0, "<", limits[0]), (above, n_classes - 1, ">", limits[-1])):
            if not mask.any():
                continue
            extreme = float(value[mask].min() if sign == "<" else value[mask].max())
            n = int(mask.sum())
            areas_n = f"{n} Gebiet" if n == 1 else f"{n} Gebiete"
            label = (
                f"{sign} {_class_label(limit, limit, decimals, unit)}: {areas_n}"
                f" (bis {_class_label(extreme, extreme, decimals, unit)})"
            )
            traces.append(
                go.Scatter(
                    **dict(zip(("x", "y"), _path(rings_of(mask)), strict=True)),
                    mode="lines",
                    line={"color": CLIPPED_LINE, "width": 2.4},
                    name=label,
                    showlegend=False,
                    hoverinfo="skip",
                    connectgaps=False,
                )
            )
            entry = _legend_entry(label, colors[end])
            entry.marker.line = {"color": CLIPPED_LINE, "width": 3}
            legend.append(entry)
    if secret.any():
        # Hatched as well as grey, so it stays apart from the blues in a greyscale print.
        hatch = {"shape": "/", "fgcolor": OUTLINE_COLOR, "bgcolor": SECRET_COLOR, "size": 6, "solidity": 0.3}
        label = f"{GEHEIM} (Datenschutz)"
        traces.append(_area_trace(label, rings_of(secret), SECRET_COLOR, fillpattern=hatch))
        legend.append(_legend_entry(label, SECRET_COLOR, hatch))
    if few.any():
        dots = {"shape": ".", "fgcolor": OUTLINE_COLOR, "bgcolor": FEW_COLOR, "size": 6, "solidity": 0.15}
        label = f"{few_label} (nicht eingereiht)"
        traces.append(_area_trace(label, rings_of(few), FEW_COLOR, fillpattern=dots))
        legend.append(_legend_entry(label, FEW_COLOR, dots))
    if (no_data := ~secret & ~finite & ~few).any():
        traces.append(_area_trace("keine Daten", rings_of(no_data), NO_DATA_COLOR))
        legend.append(_legend_entry("keine Daten", NO_DATA_COLOR))
    fig = go.Figure([*traces, *legend])
    _name_labels(fig, geo, geoms, ids, labels)
    minx, miny, maxx, maxy = (float(b) for b in geo.total_bounds) if len(geo) else (0.0, 0.0, 1.0, 1.0)
    pad = max(maxx - minx, maxy - miny, 1.0) * 0.01  # outlines at the edge are not clipped
    if diverging:
        legend_title = "rot = Plätze fehlen" + ("<br>blau = Überhang" if surplus else "")
    else:
        legend_title = "" if higher_is_better is None else "dunkler = ungünstiger"
    fig.update_layout(
        title={"text": escape(title), "x": 0, "xref": "paper", "font": {"size": 18}} if title else None,
        font={"family": FONT_FAMILY, "size": 14, "color": "#1f2937"},
        paper_bgcolor="#ffffff",
        plot_bgcolor="#ffffff",
        margin={"l": 10, "r": 10, "t": 50 if title else 10, "b": 10},
        showlegend=True,
        legend={
            "x": 1.01,
            "xanchor": "left",
            "y": 0.5,
            "yanchor": "middle",
            "traceorder": "normal",
            "title": {"text": legend_title} if legend_title else None,
            "itemclick": False,
        },
        xaxis={"visible": False, "constrain": "domain", "range": [minx - pad, maxx + pad]},
        yaxis={
            "visible": False,
            "constrain": "domain",
            "range": [miny - pad, maxy + pad],
            "scaleanchor": "x",
            "scaleratio": 1,
        },
    )
    return fig
