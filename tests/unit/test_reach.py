"""geodata.reach: two-step floating catchment area (2SFCA), representative points, facility points."""

from __future__ import annotations

import math
import re
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal
from shapely.geometry import Point, Polygon, box

from geodata.crs import MissingCrsError
from geodata.reach import (
    facility_points,
    gaussian_weight,
    representative_points,
    two_step_fca,
)


@pytest.fixture
def line_city() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Three districts on a line, 1 km apart, and two Kitas at the ends; the middle one has none.

        A (x=0, 100 children)   B (x=1000, 200 children)   C (x=2000, 100 children)
        K1 at x=0, 60 places                               K2 at x=2000, 90 places

    Reach 1500 m with the default detour 1.3: 1 km straight is 1300 m (in), 2 km is 2600 m (out).
    So K1 reaches A and B, K2 reaches B and C.
    """
    demand = pd.DataFrame(
        {"id": ["A", "B", "C"], "x": [0.0, 1000.0, 2000.0], "y": [0.0] * 3, "population": [100, 200, 100]}
    )
    supply = pd.DataFrame({"id": ["K1", "K2"], "x": [0.0, 2000.0], "y": [0.0, 0.0], "capacity": [60, 90]})
    return demand, supply


def test_hand_computed_line_city(line_city):
    """Step 1: R_K1 = 60 / (100 + 200) = 0.2,  R_K2 = 90 / (200 + 100) = 0.3.
    Step 2: A_A = R_K1 = 0.2,  A_B = R_K1 + R_K2 = 0.5,  A_C = R_K2 = 0.3.
    Allocated: 0.2·100 = 20, 0.5·200 = 100, 0.3·100 = 30; 20 + 100 + 30 = 150 = 60 + 90.
    Nearest: A and C have a Kita on the spot (0 m); B's nearest is 1000 m · 1.3 = 1300 m.
    """
    demand, supply = line_city
    got = two_step_fca(demand, supply, max_distance_m=1500)
    expected = pd.DataFrame(
        {
            "id": ["A", "B", "C"],
            "population": [100.0, 200.0, 100.0],
            "accessibility": [0.2, 0.5, 0.3],
            "allocated": [20.0, 100.0, 30.0],
            "facilities": [1, 2, 1],
            "nearest_m": [0.0, 1300.0, 0.0],
        }
    )
    assert_frame_equal(got, expected, check_dtype=False, rtol=1e-12)
    assert got.attrs["hinweise"] == []


def test_district_without_own_kita_is_no_desert(line_city):
    """B has no Kita inside, yet it has the best access of all three (two Kitas next door)."""
    demand, supply = line_city
    got = two_step_fca(demand, supply, max_distance_m=1500).set_index("id")
    assert got.loc["B", "accessibility"] > 0
    assert got["accessibility"].idxmax() == "B"


def test_hand_computed_gauss_decay(line_city):
    """Gaussian decay, d0 = 1500 m: a 1300 m pair counts w = (e^(-0.5·(13/15)²) - e^(-0.5)) / (1 - e^(-0.5)).

    R_K1 = 60 / (100·1 + 200·w),  R_K2 = 90 / (200·w + 100·1);
    A_A = R_K1,  A_B = w·(R_K1 + R_K2),  A_C = R_K2.
    """
    demand, supply = line_city
    w = (math.exp(-0.5 * (1300 / 1500) ** 2) - math.exp(-0.5)) / (1 - math.exp(-0.5))
    r1, r2 = 60 / (100 + 200 * w), 90 / (200 * w + 100)
    got = two_step_fca(demand, supply, max_distance_m=1500, decay="gauss")
    assert got["accessibility"].tolist() == pytest.approx([r1, w * (r1 + r2), r2], rel=1e-12)
    assert got["allocated"].sum() == pytest.approx(150.0)
    assert got["facilities"].tolist() == [1, 2, 1]


@pytest.mark.parametrize("d0", [1.0, 500.0, 1500.0, 10_000.0])
def test_gaussian_weight_is_one_at_zero_zero_at_d0_and_falls_between(d0):
    assert gaussian_weight(np.array([0.0]), d0)[0] == pytest.approx(1.0)
    assert gaussian_weight(np.array([d0]), d0)[0] == pytest.approx(0.0, abs=1e-12)
    assert gaussian_weight(np.array([1.5 * d0]), d0)[0] == 0.0
    w = gaussian_weight(np.linspace(0, d0, 101), d0)
    assert np.all(np.diff(w) < 0)
    assert np.all((w >= 0) & (w <= 1))


def test_unknown_decay_is_refused_in_german(line_city):
    demand, supply = line_city
    with pytest.raises(ValueError, match=r"Unbekannte Distanzgewichtung 'linear'.*step, gauss"):
        two_step_fca(demand, supply, max_distance_m=1500, decay="linear")


def _dense_2sfca(demand: pd.DataFrame, supply: pd.DataFrame, reach: float, detour: float) -> np.ndarray:
    """Reference implementation with a full distance matrix (fine for a few dozen points)."""
    d = np.hypot(
        demand["x"].to_numpy()[:, None] - supply["x"].to_numpy()[None, :],
        demand["y"].to_numpy()[:, None] - supply["y"].to_numpy()[None, :],
    )
    inside = d * detour <= reach
    pop = demand["population"].to_numpy(float)
    served = pop @ inside
    ratio = np.divide(supply["capacity"].to_numpy(float), served, out=np.zeros(len(supply)), where=served > 0)
    return inside @ ratio


_coord = st.floats(0, 5000, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(
    people=st.lists(st.tuples(_coord, _coord, st.integers(0, 400)), min_size=1, max_size=25),
    places=st.lists(st.tuples(_coord, _coord, st.integers(0, 150)), min_size=0, max_size=25),
    reach=st.floats(100, 4000),
)
def test_step_decay_conserves_places_and_matches_dense_reference(people, places, reach):
    """Σ_i allocated_i = Σ_j capacity_j over facilities with anybody in reach (no place made or lost)."""
    demand = pd.DataFrame(people, columns=["x", "y", "population"]).assign(
        id=lambda f: [f"g{i}" for i in range(len(f))]
    )
    supply = pd.DataFrame(places, columns=["x", "y", "capacity"]).assign(
        id=lambda f: [f"k{i}" for i in range(len(f))]
    )
    got = two_step_fca(demand, supply, max_distance_m=reach, detour_factor=1.3)

    d = np.hypot(
        demand["x"].to_numpy()[:, None] - supply["x"].to_numpy()[None, :],
        demand["y"].to_numpy()[:, None] - supply["y"].to_numpy()[None, :],
    )
    has_people = ((d * 1.3 <= reach) & (demand["population"].to_numpy()[:, None] > 0)).any(axis=0)
    served_capacity = supply["capacity"].to_numpy()[has_people].sum() if len(supply) else 0
    assert got["allocated"].sum() == pytest.approx(served_capacity, rel=1e-9, abs=1e-9)
    assert got["accessibility"].to_numpy() == pytest.approx(
        _dense_2sfca(demand, supply, reach, 1.3), rel=1e-9
    )
    assert (got["accessibility"] >= 0).all()


@pytest.mark.parametrize(("detour", "in_reach"), [(1.0, True), (1.3, False)])
def test_detour_factor_decides_reach(detour, in_reach):
    """900 m straight: 900 m travel with factor 1.0 (≤ 1000 m), 1170 m with 1.3 (out)."""
    demand = pd.DataFrame({"id": ["A"], "x": [0.0], "y": [0.0], "population": [50]})
    supply = pd.DataFrame({"id": ["K"], "x": [900.0], "y": [0.0], "capacity": [25]})
    got = two_step_fca(demand, supply, max_distance_m=1000, detour_factor=detour)
    assert got.loc[0, "facilities"] == int(in_reach)
    assert got.loc[0, "accessibility"] == pytest.approx(0.5 if in_reach else 0.0)
    assert got.loc[0, "nearest_m"] == pytest.approx(900 * detour)


def test_pair_exactly_at_max_distance_is_in_reach():
    demand = pd.DataFrame({"id": ["A"], "x": [0.0], "y": [0.0], "population": [10]})
    supply = pd.DataFrame({"id": ["K"], "x": [600.0], "y": [800.0], "capacity": [5]})
    got = two_step_fca(demand, supply, max_distance_m=1000, detour_factor=1.0)
    assert got.loc[0, "facilities"] == 1


def test_network_distances_override_straight_line(line_city):
    """By road, K1 is 3 km from A (a river between) but 1400 m from C; K2 is listed for C only.

    Straight line would put K1 on A's doorstep; the network table wins, its 1400 m counts as is
    (no detour factor, else 1820 m > 1500 m), and pairs missing from it are out of reach.
    R_K1 = 60 / 100 (only C) = 0.6, R_K2 = 90 / 100 = 0.9; A_C = 1.5, A_A = A_B = 0.
    """
    demand, supply = line_city
    distances = pd.DataFrame(
        {
            "demand_id": ["A", "C", "C"],
            "supply_id": ["K1", "K1", "K2"],
            "distance_m": [3000.0, 1400.0, 200.0],
        }
    )
    got = two_step_fca(demand, supply, max_distance_m=1500, detour_factor=1.3, distances=distances)
    assert got["accessibility"].tolist() == pytest.approx([0.0, 0.0, 1.5])
    assert got["facilities"].tolist() == [0, 0, 2]
    assert got["nearest_m"].tolist()[0] == 3000.0
    assert math.isnan(got["nearest_m"].tolist()[1])  # B has no road distance at all: unknown
    assert got["nearest_m"].tolist()[2] == 200.0


def test_network_path_needs_no_coordinates():
    demand = pd.DataFrame({"id": ["A"], "population": [40]})
    supply = pd.DataFrame({"id": ["K"], "capacity": [20]})
    distances = pd.DataFrame({"demand_id": ["A"], "supply_id": ["K"], "distance_m": [700.0]})
    got = two_step_fca(demand, supply, max_distance_m=1000, distances=distances)
    assert got.loc[0, "accessibility"] == pytest.approx(0.5)


def test_row_order_does_not_change_results(line_city):
    demand, supply = line_city
    extra = pd.DataFrame({"id": ["K3"], "x": [900.0], "y": [300.0], "capacity": [40]})
    supply = pd.concat([supply, extra], ignore_index=True)
    straight = two_step_fca(demand, supply, max_distance_m=1500)
    shuffled = two_step_fca(
        demand.iloc[[2, 0, 1]].reset_index(drop=True), supply.iloc[[1, 2, 0]], max_distance_m=1500
    )
    assert shuffled["id"].tolist() == ["C", "A", "B"]  # output follows the demand's input order
    assert_frame_equal(
        shuffled.set_index("id").sort_index(), straight.set_index("id").sort_index(), rtol=1e-12
    )


def test_inputs_are_not_mutated(line_city):
    demand, supply = line_city
    demand.loc[1, "population"] = np.nan
    supply.loc[len(supply)] = ["K3", np.nan, 0.0, 10]
    distances = pd.DataFrame({"demand_id": ["A"], "supply_id": ["K1"], "distance_m": [100.0]})
    before = demand.copy(deep=True), supply.copy(deep=True), distances.copy(deep=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        two_step_fca(demand, supply, max_distance_m=1500)
        two_step_fca(demand, supply, max_distance_m=1500, distances=distances)
    for after, orig in zip((demand, supply, distances), before, strict=True):
        assert_frame_equal(after, orig)


@pytest.mark.parametrize(
    ("side", "column", "message"),
    [
        ("demand", "population", "Nachfrage: Spalte 'population' fehlt."),
        ("demand", "x", "Nachfrage: Spalte 'x' fehlt."),
        ("demand", "id", "Nachfrage: Spalte 'id' fehlt."),
        ("supply", "capacity", "Angebot: Spalte 'capacity' fehlt."),
        ("supply", "y", "Angebot: Spalte 'y' fehlt."),
    ],
)
def test_missing_column_is_named_in_german(line_city, side, column, message):
    demand, supply = line_city
    if side == "demand":
        demand = demand.drop(columns=column)
    else:
        supply = supply.drop(columns=column)
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        two_step_fca(demand, supply, max_distance_m=1500)


def test_missing_distance_column_is_named(line_city):
    demand, supply = line_city
    table = pd.DataFrame({"demand_id": ["A"], "supply_id": ["K1"]})
    with pytest.raises(ValueError, match=re.escape("Entfernungen: Spalte 'distance_m' fehlt.")):
        two_step_fca(demand, supply, max_distance_m=1500, distances=table)


@pytest.mark.parametrize(
    ("change", "kwargs", "message"),
    [
        (("demand", "population", -1), {}, "Spalte 'population' ist negativ bei B"),
        (("supply", "capacity", -5), {}, "Spalte 'capacity' ist negativ bei K2"),
        (("demand", "population", "viele"), {}, "Spalte 'population' enthält keine Zahlen"),
        (None, {"max_distance_m": 0}, "maximale Entfernung muss größer als 0 m"),
        (None, {"max_distance_m": float("nan")}, "maximale Entfernung muss größer als 0 m"),
        (None, {"detour_factor": 0.9}, "Umwegfaktor muss mindestens 1"),
    ],
)
def test_bad_values_are_refused_in_german(line_city, change, kwargs, message):
    demand, supply = line_city
    if change is not None:
        side, column, value = change
        frame = demand if side == "demand" else supply
        frame[column] = frame[column].astype(object)
        frame.loc[1, column] = value
    with pytest.raises(ValueError, match=message):
        two_step_fca(demand, supply, **{"max_distance_m": 1500, **kwargs})


def test_duplicate_ids_are_refused(line_city):
    demand, supply = line_city
    with pytest.raises(ValueError, match="Nachfrage: Spalte 'id' ist nicht eindeutig"):
        two_step_fca(pd.concat([demand, demand.iloc[[0]]]), supply, max_distance_m=1500)


def test_missing_population_counts_as_zero_and_is_reported(line_city):
    """B without population: K1 serves only A (R = 0.6), K2 only C (R = 0.9); B still sees both."""
    demand, supply = line_city
    demand["population"] = demand["population"].astype("Float64")
    demand.loc[1, "population"] = pd.NA
    with pytest.warns(UserWarning, match="Bevölkerung fehlt bei B"):
        got = two_step_fca(demand, supply, max_distance_m=1500)
    assert got["population"].tolist() == [100.0, 0.0, 100.0]
    assert got["accessibility"].tolist() == pytest.approx([0.6, 1.5, 0.9])
    assert got["allocated"].tolist() == pytest.approx([60.0, 0.0, 90.0])
    assert any("Bevölkerung fehlt bei B" in note for note in got.attrs["hinweise"])


def test_facilities_without_capacity_or_coordinates_are_ignored(line_city):
    demand, supply = line_city
    broken = pd.DataFrame(
        {
            "id": ["K3", "K4", "K5"],
            "x": [1000.0, np.nan, 1000.0],
            "y": [0.0, 0.0, 0.0],
            "capacity": [None, 50, 0],
        }
    )
    got = two_step_fca(demand, pd.concat([supply, broken], ignore_index=True), max_distance_m=1500)
    reference = two_step_fca(demand, supply, max_distance_m=1500)
    assert_frame_equal(got, reference)


def test_demand_point_without_coordinates_gets_unknown_access(line_city):
    demand, supply = line_city
    demand.loc[1, "x"] = np.nan
    with pytest.warns(UserWarning, match="Koordinaten fehlen bei B"):
        got = two_step_fca(demand, supply, max_distance_m=1500)
    assert math.isnan(got.loc[1, "accessibility"]) and math.isnan(got.loc[1, "nearest_m"])
    assert got.loc[0, "accessibility"] == pytest.approx(0.6)  # K1 now serves A alone


def test_no_facilities_at_all(line_city):
    demand, _ = line_city
    empty = pd.DataFrame({"id": [], "x": [], "y": [], "capacity": []})
    got = two_step_fca(demand, empty, max_distance_m=1500)
    assert got["accessibility"].tolist() == [0.0, 0.0, 0.0]
    assert got["facilities"].tolist() == [0, 0, 0]
    assert got["nearest_m"].isna().all()


def test_many_points_are_chunked_consistently(monkeypatch):
    """Splitting the demand into query chunks must not change anything (chunk size 7 vs one chunk)."""
    import geodata.reach as reach

    rng = np.random.default_rng(3)
    demand = pd.DataFrame(
        {"id": [f"g{i}" for i in range(50)], "x": rng.uniform(0, 3000, 50), "y": rng.uniform(0, 3000, 50)}
    ).assign(population=rng.integers(0, 100, 50))
    supply = pd.DataFrame(
        {"id": [f"k{i}" for i in range(30)], "x": rng.uniform(0, 3000, 30), "y": rng.uniform(0, 3000, 30)}
    ).assign(capacity=rng.integers(0, 60, 30))
    whole = two_step_fca(demand, supply, max_distance_m=800)
    monkeypatch.setattr(reach, "CHUNK", 7)
    assert_frame_equal(two_step_fca(demand, supply, max_distance_m=800), whole, rtol=1e-12)
    assert whole["accessibility"].to_numpy() == pytest.approx(_dense_2sfca(demand, supply, 800, 1.3))


# --- representative points and facility points ------------------------------------------------


def _u_shaped_districts(crs: int | None = 25832) -> gpd.GeoDataFrame:
    """A U-shaped district (its centroid lies in the gap, outside it) and a plain square."""
    x0, y0 = 560_000, 5_700_000
    u = Polygon(
        [(x0, y0), (x0 + 900, y0), (x0 + 900, y0 + 900), (x0 + 600, y0 + 900), (x0 + 600, y0 + 200),
         (x0 + 300, y0 + 200), (x0 + 300, y0 + 900), (x0, y0 + 900)]
    )  # fmt: skip
    square = box(x0 + 1000, y0, x0 + 1500, y0 + 500)
    return gpd.GeoDataFrame({"gebiet_id": ["01", "02"]}, geometry=[u, square], crs=crs)


def test_representative_points_refuse_layer_without_crs():
    with pytest.raises(MissingCrsError, match="Gebiete: kein Koordinatenbezugssystem"):
        representative_points(_u_shaped_districts(crs=None))


def test_representative_points_lie_inside_the_areas():
    areas = _u_shaped_districts()
    assert not areas.geometry[0].contains(areas.geometry[0].centroid)  # the trap is real
    pts = representative_points(areas)
    assert pts["id"].tolist() == ["01", "02"]
    assert pts.attrs["epsg"] == 25832  # a UTM layer stays in its CRS
    for (x, y), geom in zip(pts[["x", "y"]].to_numpy(), areas.geometry, strict=True):
        assert geom.contains(Point(x, y))


def test_representative_points_from_degrees_go_to_etrs89_utm():
    areas = _u_shaped_districts().to_crs(4326)
    pts = representative_points(areas)
    assert pts.attrs["epsg"] == 25832
    metric = _u_shaped_districts()
    for (x, y), geom in zip(pts[["x", "y"]].to_numpy(), metric.geometry, strict=True):
        assert geom.buffer(0.01).contains(Point(x, y))
    assert representative_points(areas, epsg=25833).attrs["epsg"] == 25833


def test_facility_points_project_lon_lat_and_drop_missing():
    df = pd.DataFrame(
        {"id": ["a", "b", "c"], "lon": [9.0, None, 9.0], "lat": [51.0, 51.0, 52.0], "capacity": [1, 2, 3]}
    )
    before = df.copy()
    got = facility_points(df, epsg=25832)
    assert_frame_equal(df, before)
    assert got["id"].tolist() == ["a", "c"]
    assert got["capacity"].tolist() == [1, 3]
    # 9° E is the central meridian of UTM zone 32: easting 500 000 m, one degree of latitude ≈ 111.2 km.
    assert got["x"].tolist() == pytest.approx([500_000.0, 500_000.0], abs=0.01)
    assert got["y"].iloc[1] - got["y"].iloc[0] == pytest.approx(111_200, rel=2e-3)


def test_facility_points_refuse_metres_as_degrees():
    df = pd.DataFrame({"id": ["a"], "lon": [560_000.0], "lat": [5_700_000.0]})
    with pytest.raises(ValueError, match="außerhalb von Länge/Breite"):
        facility_points(df, epsg=25832)
    with pytest.raises(ValueError, match="Einrichtungen: Spalte 'lon' fehlt"):
        facility_points(df.drop(columns="lon"), epsg=25832)


def test_points_feed_two_step_fca_end_to_end():
    """Districts from polygons and Kitas from lon/lat meet in one CRS: the square's Kita serves both."""
    areas = _u_shaped_districts()
    pts = representative_points(areas).assign(population=[30, 10])
    kita = gpd.GeoSeries([Point(561_250, 5_700_250)], crs=25832).to_crs(4326)
    facilities = facility_points(
        pd.DataFrame({"id": ["K"], "lon": kita.x, "lat": kita.y, "capacity": [20]}), epsg=pts.attrs["epsg"]
    )
    got = two_step_fca(pts, facilities, max_distance_m=3000)
    assert got["accessibility"].tolist() == pytest.approx([0.5, 0.5])
    assert got["allocated"].sum() == pytest.approx(20)


def test_own_area_facility_is_always_in_reach():
    """A large district whose Kita lies 3 km from its representative point: without ``own_area`` it
    reads as a desert; with it the Kita serves its own district (and still its neighbour in reach)."""
    demand = pd.DataFrame(
        {"id": ["big", "next"], "x": [0.0, 3000.0], "y": [0.0, 500.0], "population": [100.0, 100.0]}
    )
    supply = pd.DataFrame({"id": ["k"], "x": [3000.0], "y": [0.0], "capacity": [50.0], "area": ["big"]})
    plain = two_step_fca(demand, supply, max_distance_m=1500, detour_factor=1.0)
    assert plain.loc[0, "accessibility"] == 0.0
    own = two_step_fca(demand, supply, max_distance_m=1500, detour_factor=1.0, own_area="area")
    # Both districts share the 50 places: 50 / 200 each.
    assert own["accessibility"].tolist() == pytest.approx([0.25, 0.25])
    assert own["allocated"].sum() == pytest.approx(50.0)
    assert own["facilities"].tolist() == [1, 1]
    # The pair found by distance as well counts once.
    near = supply.assign(x=[100.0], y=[0.0])
    once = two_step_fca(demand, near, max_distance_m=1500, detour_factor=1.0, own_area="area")
    assert once["facilities"].tolist() == [1, 0] and once.loc[0, "accessibility"] == pytest.approx(0.5)
