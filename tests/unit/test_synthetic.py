"""geodata.synthetic: the generated districts are an exact, valid two-level coverage, reproducibly."""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal
from shapely.geometry import box

from geodata.synthetic import (
    AREA_NAMES,
    CRS_EPSG,
    SyntheticCity,
    components,
    generate_city,
    random_points_in,
    synthetic_areas,
    triangle_mesh,
)


@pytest.fixture(scope="module")
def city() -> SyntheticCity:
    """Weidenstadt for the default seed, generated once for this module."""
    return generate_city(2025)


def _level(city: SyntheticCity, level: int) -> gpd.GeoDataFrame:
    return city.areas[city.areas["level"] == level].reset_index(drop=True)


def test_table_shape_ids_and_crs(city):
    areas = city.areas
    assert list(areas.columns[:5]) == ["gebiet_id", "name", "level", "parent_gebiet_id", "typ"]
    assert areas.crs.to_epsg() == CRS_EPSG
    bezirke, raeume = _level(city, 0), _level(city, 1)
    assert bezirke["gebiet_id"].tolist() == [f"{i:02d}" for i in range(1, 8)]
    assert len(raeume) == 32
    for gid, parent in zip(raeume["gebiet_id"], raeume["parent_gebiet_id"], strict=True):
        assert isinstance(gid, str) and re.fullmatch(r"0[1-7]\d\d", gid)
        assert gid[:2] == parent
    assert bezirke["name"].is_unique and raeume["name"].is_unique
    assert bezirke["name"].iloc[0] == "Mitte"
    assert sorted(raeume["typ"]) == sorted(t for t, names in AREA_NAMES.items() for _ in names)
    assert "Sonnenhang" in set(raeume["name"])


def test_all_geometries_are_valid_single_polygons(city):
    assert city.areas.is_valid.all()
    assert set(city.areas.geom_type) == {"Polygon"}  # every area and Bezirk is one contiguous piece
    assert city.boundary.is_valid and city.boundary.geom_type == "Polygon"


def test_planungsraeume_are_an_exact_coverage_of_the_city(city):
    geoms = _level(city, 1).geometry.to_numpy()
    assert shapely.coverage_is_valid(geoms)
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    for i, j in zip(left, right, strict=True):
        if i < j:
            assert geoms[i].intersection(geoms[j]).area < 1.0, (i, j)
    union = shapely.union_all(geoms)
    assert union.area == pytest.approx(city.boundary.area, rel=1e-4)
    assert union.symmetric_difference(city.boundary).area < 1e-4 * city.boundary.area


def test_every_planungsraum_lies_in_exactly_its_own_bezirk(city):
    bezirke = _level(city, 0).set_index("gebiet_id")
    for row in _level(city, 1).itertuples():
        shares = bezirke.geometry.intersection(row.geometry).area / row.geometry.area
        inside = shares[shares > 0.999]
        assert inside.index.tolist() == [row.parent_gebiet_id]
        assert (shares.drop(row.parent_gebiet_id) < 1e-6).all()


def test_each_bezirk_is_the_union_of_its_children(city):
    raeume = _level(city, 1)
    for row in _level(city, 0).itertuples():
        children = shapely.union_all(
            raeume.loc[raeume["parent_gebiet_id"] == row.gebiet_id].geometry.to_numpy()
        )
        assert row.geometry.symmetric_difference(children).area < 1.0
    assert shapely.union_all(_level(city, 0).geometry.to_numpy()).area == pytest.approx(city.boundary.area)


def test_city_has_realistic_extent_and_small_central_areas(city):
    minx, miny, maxx, maxy = city.boundary.bounds
    assert 12_000 < maxx - minx < 17_000 and 9_000 < maxy - miny < 13_000
    assert 540_000 < (minx + maxx) / 2 < 580_000 and 5_690_000 < (miny + maxy) / 2 < 5_710_000
    raeume = _level(city, 1)
    area_km2 = raeume.geometry.area / 1e6
    inner = area_km2[raeume["typ"] == "innenstadt"].median()
    fringe = area_km2[raeume["typ"] == "suburban"].median()
    assert inner * 2.5 < fringe
    assert not city.river.is_empty


def test_same_seed_gives_identical_areas(city):
    assert_geodataframe_equal(synthetic_areas(2025), city.areas)


def test_another_seed_gives_another_city(city):
    other = synthetic_areas(2026)
    assert not other.geometry.geom_equals(city.areas.geometry).all()
    assert abs(shapely.union_all(other.geometry.to_numpy()).area - city.boundary.area) > 1e4


def test_random_points_keep_their_distance_from_the_border():
    """A 1 km square with a 100 m margin: all points fall into the inner 800 m square."""
    square = box(0, 0, 1000, 1000)
    pts = random_points_in(square, 200, np.random.default_rng(1), margin=100)
    assert pts.shape == (200, 2)
    assert ((pts >= 100) & (pts <= 900)).all()


def test_components_follow_labels_and_shared_edges():
    """On a 4 × 2 mesh, a label split into two separate blocks has two components."""
    mesh = triangle_mesh((0, 0, 400, 200), 100, np.random.default_rng(0))
    x = mesh.centroids[:, 0]
    labels = np.where((x < 100) | (x > 300), 1, 0)  # label 1 at both ends, 0 in the middle
    comp = components(labels, mesh.pairs)
    assert len(np.unique(comp[labels == 1])) == 2
    assert len(np.unique(comp[labels == 0])) == 1
