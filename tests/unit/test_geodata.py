"""geodata: CRS guard, map view, coverage-safe simplification, compact GeoJSON."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import Polygon, box

from geodata.crs import MissingCrsError, map_view, to_wgs84
from geodata.simplify import simplify_layer, to_geojson


def _wiggly_pair() -> gpd.GeoDataFrame:
    """Two districts sharing a zig-zag border with many tiny steps (as digitised borders have)."""
    border = [(561000 + (3 if i % 2 else 0), 5700000 + i * 10) for i in range(101)]
    left = Polygon([(560000, 5700000), *border, (560000, 5701000)])
    right = Polygon([(562000, 5700000), (562000, 5701000), *reversed(border)])
    return gpd.GeoDataFrame(
        {"gebiet_id": ["01", "02"], "name": ["West", "Ost"]}, geometry=[left, right], crs=25832
    )


def test_layers_without_crs_are_refused():
    with pytest.raises(MissingCrsError, match="CRS"):
        to_wgs84(gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)]))


def test_simplification_keeps_shared_borders_exact():
    layer = _wiggly_pair()
    simple = simplify_layer(layer, tolerance_m=20)
    a, b = simple.geometry
    assert shapely.get_num_coordinates(a) < shapely.get_num_coordinates(layer.geometry[0])
    assert a.intersection(b).area < 1e-6  # no overlap
    assert abs(a.union(b).area - layer.union_all().area) < 1.0  # no gap opened


def test_simplification_refuses_degrees():
    with pytest.raises(ValueError, match="metrisch"):
        simplify_layer(_wiggly_pair().to_crs(4326))


def test_geojson_is_wgs84_rounded_with_ids():
    gj = to_geojson(_wiggly_pair())
    assert [f["properties"]["gebiet_id"] for f in gj["features"]] == ["01", "02"]
    x, y = gj["features"][0]["geometry"]["coordinates"][0][0]
    assert 5 < x < 16 and 47 < y < 56  # lon/lat in Germany
    assert round(x, 5) == pytest.approx(x, abs=1e-9)


def test_map_view_centres_and_zooms_to_bounds():
    center, zoom = map_view((9.0, 51.0, 9.2, 51.1))
    assert center["lon"] == pytest.approx(9.1)
    assert 51.0 < center["lat"] < 51.1
    _, wider_zoom = map_view((8.0, 50.0, 10.0, 52.0))
    assert 9 < zoom < 13 and wider_zoom < zoom


def test_read_vector_preview_reads_only_the_head(tmp_path):
    """The Import page's preview asks for the first features, not the whole (up to 50 MB) file."""
    from geodata.io import read_vector

    areas = gpd.GeoDataFrame(
        {"gebiet_id": [f"{i:03d}" for i in range(120)], "name": [f"Gebiet {i}" for i in range(120)]},
        geometry=[box(i, 0, i + 1, 1) for i in range(120)],
        crs=25832,
    )
    path = tmp_path / "gebiete.gpkg"
    areas.to_file(path, engine="pyogrio")
    head = read_vector(path, max_features=5)
    assert list(head["gebiet_id"]) == ["000", "001", "002", "003", "004"]
    assert list(head.columns) == list(read_vector(path).columns) and head.crs == areas.crs
    assert len(read_vector(path)) == 120
