"""Figure builders: inspect the plotly figure directly (AppTest cannot look into charts)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from shapely.geometry import box

from geodata.simplify import to_geojson
from planning import charts
from planning.indicators import get_indicator


def _layer():
    gdf = gpd.GeoDataFrame(
        {"gebiet_id": ["01", "02", "03"], "name": ["A", "B", "C"]},
        geometry=[box(560000 + i * 1000, 5700000, 561000 + i * 1000, 5701000) for i in range(3)],
        crs=25832,
    )
    return to_geojson(gdf), tuple(gdf.to_crs(4326).total_bounds)


def test_missing_values_are_grey_and_labelled_keine_daten():
    gj, bounds = _layer()
    table = pd.DataFrame(
        {
            "gebiet_id": ["01", "02", "03"],
            "name": ["A", "B", "C"],
            "value": pd.array([40.5, None, 55.0], dtype="Float64"),
        }
    )
    fig = charts.choropleth(gj, bounds, table, get_indicator("versorgung_u3"))
    nodata, values = fig.data[0], fig.data[1]
    assert nodata.name == "keine Daten" and list(nodata.locations) == ["02"]
    assert list(values.locations) == ["01", "03"]
    assert "40,5 %" in [c[1] for c in values.customdata]  # German number format in the tooltip
    assert fig.layout.map.style == "white-bg"


def test_selected_district_is_outlined_and_points_are_drawn():
    gj, bounds = _layer()
    table = pd.DataFrame({"gebiet_id": ["01", "02", "03"], "name": ["A", "B", "C"], "value": [1.0, 2.0, 3.0]})
    kitas = pd.DataFrame({"lon": [9.9], "lat": [51.5], "name": ["Kita X"], "info": ["AWO · 40 Plätze"]})
    fig = charts.choropleth(
        gj, bounds, table, get_indicator("kinder_u3"), selected="02", points={"Kitas": kitas}
    )
    names = [t.name for t in fig.data if t.name]  # the white halo under the points has no name
    assert names == ["Kinder unter 3 Jahren", "Ausgewählt", "Kitas"]
    assert list(fig.data[1].locations) == ["02"] and fig.data[1].marker.line.width == 4


def test_colour_scale_follows_polarity():
    gj, bounds = _layer()
    table = pd.DataFrame({"gebiet_id": ["01"], "name": ["A"], "value": [1.0]})
    worse = charts.choropleth(gj, bounds, table, get_indicator("kinderarmut")).data[0].colorscale
    better = charts.choropleth(gj, bounds, table, get_indicator("versorgung_u3")).data[0].colorscale
    assert worse != better


def test_many_facility_points_are_drawn_small_so_the_fill_stays_legible():
    """Berlin's 2,893 Kitas at full size cover the inner city: above DENSE_POINTS the dots shrink."""
    import plotly.graph_objects as go

    from planning.charts.maps import DENSE_POINTS, DENSE_SIZE, add_points

    def layer(n: int):
        return pd.DataFrame({"lon": [13.4] * n, "lat": [52.5] * n, "name": ["Kita"] * n, "info": ["x"] * n})

    few, many = go.Figure(), go.Figure()
    add_points(few, {"Kitas": layer(30)})
    add_points(many, {"Kitas": layer(DENSE_POINTS + 1)})
    assert few.data[-1].marker.size == 8 and few.data[-1].name == "Kitas"
    assert many.data[-1].marker.size == DENSE_SIZE < 8
    assert many.data[0].marker.size < few.data[0].marker.size  # the halo shrinks too


def test_plan_timeline_puts_each_range_into_its_lines_tooltip():
    """One shaded band per forecast line, and the band's range in that line's own tooltip, in
    German numbers; observed years (before the base year) carry no range."""
    frame = pd.DataFrame(
        {
            "year": [2023, 2024, 2025, 2026, 2027],
            "u3_demand": [1000.0, 1100.0, 1200.0, 1250.0, 1300.0],
            "u3_demand_low": [None, None, 1200.0, 1150.0, 1100.0],
            "u3_demand_high": [None, None, 1200.0, 1350.0, 1510.4],
            "u3_places": [900.0, 950.0, 1000.0, 1000.0, 1000.0],
        }
    )
    lines = [("u3_demand", "U3-Bedarf", "#c2410c", "solid"), ("u3_places", "U3-Plätze", "#1d4ed8", "solid")]
    fig = charts.plan_timeline(frame, lines, 2025, "Kinder")
    bands = [t for t in fig.data if t.fill == "toself"]
    drawn = [t for t in fig.data if t.fill != "toself"]
    assert len(bands) == 1 and bands[0].hoverinfo == "skip"
    assert [t.name for t in drawn] == ["U3-Bedarf", "U3-Plätze"]
    assert list(drawn[0].text) == [
        "",
        "",
        " (Spanne 1.200 bis 1.200)",
        " (Spanne 1.150 bis 1.350)",
        " (Spanne 1.100 bis 1.510)",
    ]
    assert list(drawn[1].text) == [""] * 5  # no range delivered: nothing claimed
    assert drawn[0].hovertemplate == "%{y:,.0f}%{text}"
