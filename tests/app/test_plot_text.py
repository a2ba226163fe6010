"""Names never become HTML in charts: an area called ``<a href="http://x">…`` stays text.

Plotly renders a subset of HTML in legends, hover texts, text labels and category ticks. Every
figure builder that takes names (maps, trends, scenario lines, the age pyramid, the cross-domain
scatter, the paper's static map and its PNG export) is checked: the serialised figure contains the
escaped name and no tag of it, while the builders' own markup (``<b>`` in templates) stays.
"""

from __future__ import annotations

import json
from dataclasses import replace

import geopandas as gpd
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from shapely.geometry import box

from geodata.simplify import to_geojson
from planning.indicators import get_indicator
from planning.plot_text import escape, escape_figure

LINK = '<a href="http://x.example">Hier klicken</a>'
BOLD = "<b>Wichtig</b> & <i>dringend</i>"


def _serialised(fig: go.Figure) -> str:
    """The figure as the browser gets it, without map geometries (their properties are not shown)."""
    spec = fig.to_plotly_json()
    for trace in spec["data"]:
        trace.pop("geojson", None)
    return json.dumps(spec, default=str, ensure_ascii=False)


def _json(text: str) -> str:
    """``text`` as it appears inside a JSON string."""
    return json.dumps(text, ensure_ascii=False)[1:-1]


def _assert_literal(fig: go.Figure, *names: str) -> None:
    text = _serialised(fig)
    for name in names:
        assert _json(name) not in text, f"{name!r} steht als Markup in der Abbildung"
        assert _json(escape(name)) in text


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("<b>x</b>", "&lt;b&gt;x&lt;/b&gt;"),
        ("A & B", "A &amp; B"),
        ("A &lt; B", "A &lt; B"),  # already an entity: escaping twice changes nothing
        ("Kita Nord", "Kita Nord"),
    ],
)
def test_escape(raw, shown):
    assert escape(raw) == shown
    assert escape(escape(raw)) == shown


def test_escape_figure_touches_data_not_templates():
    fig = go.Figure(
        go.Scatter(
            x=[LINK, "b"],
            y=[1, 2],
            name=BOLD,
            text=[LINK, None],
            customdata=np.array([[LINK, 1], ["b", 2]], dtype=object),
            hovertemplate="<b>%{customdata[0]}</b><extra></extra>",
        )
    )
    escape_figure(escape_figure(fig))
    trace = fig.data[0]
    assert trace.hovertemplate == "<b>%{customdata[0]}</b><extra></extra>"
    assert trace.name == escape(BOLD) and list(trace.x) == [escape(LINK), "b"]
    assert trace.customdata[0][0] == escape(LINK) and trace.customdata[0][1] == 1
    assert list(trace.y) == [1, 2] and trace.text[1] is None


def _layer():
    gdf = gpd.GeoDataFrame(
        {"gebiet_id": ["01", "02"], "name": [LINK, "B"]},
        geometry=[box(560000 + i * 1000, 5700000, 561000 + i * 1000, 5701000) for i in range(2)],
        crs=25832,
    )
    return to_geojson(gdf), tuple(gdf.to_crs(4326).total_bounds)


def test_the_map_legend_and_hover_show_names_as_text():
    from planning import charts

    gj, bounds = _layer()
    table = pd.DataFrame({"gebiet_id": ["01", "02"], "name": [LINK, BOLD], "value": [1.0, None]})
    kitas = pd.DataFrame({"lon": [9.9], "lat": [51.5], "name": [LINK], "info": [BOLD]})
    fig = charts.choropleth(gj, bounds, table, get_indicator("kinder_u3"), points={"Kitas": kitas})
    _assert_literal(fig, LINK, BOLD)
    assert any("<b>%{customdata[0]}</b>" in (t.hovertemplate or "") for t in fig.data)  # own markup stays


def test_trend_and_scenario_lines_show_names_as_text():
    from planning import charts

    series = pd.DataFrame({"year": [2024, 2025], "value": [1.0, 2.0]})
    fig = charts.city_trend(series, get_indicator("kinder_u3"), district=series, district_name=LINK)
    _assert_literal(fig, LINK)
    frame = pd.DataFrame(
        {"year": [2025, 2026], LINK: [1.0, 2.0], f"{LINK}_low": [0.5, 1.5], f"{LINK}_high": [1.5, 2.5]}
    )
    fig = charts.scenario_lines(frame, [LINK], base_year=2025, unit="Kinder")
    assert next(t.name for t in fig.data if t.showlegend is not False) == escape(LINK)
    _assert_literal(fig, LINK)


def test_the_age_pyramid_and_the_scatter_show_names_as_text():
    from planning import crossdomain as xd
    from planning.charts import pyramid_figure
    from planning.charts.cross import scatter

    pyramid = pd.DataFrame(
        {
            "label": ["0–2", "3–5"],
            "age_from": [0, 3],
            "age_to": [2, 5],
            "district_share": [0.5, 0.5],
            "city_share": [0.4, 0.6],
            "district": [10, 10],
            "city": [400, 600],
        }
    )
    _assert_literal(pyramid_figure(pyramid, LINK), LINK)
    pairs = pd.DataFrame(
        {
            "gebiet_id": ["a", "b", "c"],
            "name": [LINK, BOLD, "C"],
            "x": [10.0, 20.0, 30.0],
            "y": [30.0, 20.0, 10.0],
            "x_status": [xd.OK] * 3,
            "y_status": [xd.OK] * 3,
        }
    )
    custom = replace(get_indicator("kinderarmut"), code="eigene", label_de=BOLD)
    fig = scatter(pairs, custom, get_indicator("versorgung_u3"), 20.0, 20.0, selected="a")
    _assert_literal(fig, LINK, BOLD)


def test_the_paper_map_title_and_export_copy_show_names_as_text(monkeypatch):
    from planning.paper import images
    from planning.paper.print_map import static_map

    areas = gpd.GeoDataFrame(
        {"gebiet_id": ["A", "B"], "name": [LINK, "B"]},
        geometry=[box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000)],
        crs=25832,
    )
    values = pd.DataFrame({"gebiet_id": ["A", "B"], "value": [1.0, 2.0], "suppressed": [False, False]})
    fig = static_map(areas, values, unit="%", title=f"Karte: {LINK}")
    assert fig.layout.title.text == f"Karte: {escape(LINK)}"
    seen: list[dict] = []
    monkeypatch.setattr(images, "_ensure_server", lambda: None)
    monkeypatch.setattr(images, "_cache_get", lambda key: None)
    monkeypatch.setattr(images, "_cache_put", lambda key, png: None)
    monkeypatch.setattr(images, "_opaque", lambda png: png)

    def render(fig_dict, opts, topojson):  # what kaleido would be handed
        seen.append(fig_dict)
        return b"\x89PNG fake"

    monkeypatch.setattr(images.kaleido, "calc_fig_sync", render)
    chart = go.Figure(go.Bar(x=[LINK, "B"], y=[1, 2], name=BOLD))
    images.figure_png(chart, 400, 300)
    exported = json.dumps(seen[0], default=str, ensure_ascii=False)
    assert _json(LINK) not in exported and _json(BOLD) not in exported and _json(escape(LINK)) in exported
    assert chart.data[0].name == BOLD  # the caller's figure is not changed
