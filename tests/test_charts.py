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
