"""The floor the framework sets: a minimal Streamlit page with one pre-built plotly map.

Same areas as the app's Lagebild (the simplified layer file the app publishes, path in
``BENCH_GEOJSON``), random values, one selectbox that swaps them. Nothing else: no database, no
sidebar, no tables. ``bench/browser.py`` times it exactly like the Lagebild.
"""

import json
import math
import os

import numpy as np
import plotly.graph_objects as go
import streamlit as st

st.set_page_config(layout="wide")


@st.cache_resource
def _layer(path: str) -> tuple[dict, list[str], dict[str, float], float]:
    with open(path, encoding="utf-8") as fh:
        gj = json.load(fh)
    ids = [f["properties"]["gebiet_id"] for f in gj["features"]]
    xs, ys = [], []
    for f in gj["features"]:
        coords = f["geometry"]["coordinates"]
        rings = coords if f["geometry"]["type"] == "Polygon" else [r for p in coords for r in p]
        for ring in rings:
            xs += [c[0] for c in ring]
            ys += [c[1] for c in ring]
    extent = max(max(xs) - min(xs), (max(ys) - min(ys)) * 1.6, 1e-6)
    center = {"lon": (min(xs) + max(xs)) / 2, "lat": (min(ys) + max(ys)) / 2}
    return gj, ids, center, math.log2(360 / extent) - 0.2


gj, ids, center, zoom = _layer(os.environ["BENCH_GEOJSON"])
choice = st.selectbox("Kennzahl", ["Wert A", "Wert B"])
values = np.random.default_rng(1 if choice == "Wert A" else 2).uniform(0, 100, len(ids))
fig = go.Figure(
    go.Choroplethmap(
        geojson=gj, locations=ids, z=values, featureidkey="properties.gebiet_id", colorscale="Blues"
    )
)
fig.update_layout(
    map_style="white-bg", map_center=center, map_zoom=zoom, height=560, margin=dict(l=0, r=0, t=0, b=0)
)
st.plotly_chart(fig, config={"displaylogo": False})
