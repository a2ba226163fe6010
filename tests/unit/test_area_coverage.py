"""Area files must tile the municipality: duplicates and overlaps are refused with the ids involved
and the overlapping area in m², holes inside the outer boundary are a warning.

Hand-built squares in ETRS89/UTM 32 (metres), written as GeoPackage and read like an upload; the
real Berlin and Flensburg layers (clean coverages) must stay free of these findings.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box

from planning.imports.areas import check_area_file, coverage_problems
from planning.imports.service import import_file
from planning.imports.writer import VersionMeta
from tests.conftest import REAL_DATA

X, Y = 560_000, 5_700_000  # Schleswig-Holstein-ish, inside Germany


def _file(tmp_path: Path, shapes: dict[str, object]) -> Path:
    gdf = gpd.GeoDataFrame(
        {"gebiet_id": list(shapes), "name": [f"Gebiet {k}" for k in shapes]},
        geometry=list(shapes.values()),
        crs=25832,
    )
    path = tmp_path / "gebiete.gpkg"
    gdf.to_file(path, driver="GPKG")
    return path


def _grid() -> dict[str, object]:
    """Four 1 km squares in a 2 × 2 block: a clean coverage."""
    return {
        "01": box(X, Y, X + 1000, Y + 1000),
        "02": box(X + 1000, Y, X + 2000, Y + 1000),
        "03": box(X, Y + 1000, X + 1000, Y + 2000),
        "04": box(X + 1000, Y + 1000, X + 2000, Y + 2000),
    }


def test_a_clean_coverage_has_no_findings(tmp_path):
    checked = check_area_file(_file(tmp_path, _grid()))
    assert checked.ok and not [p for p in checked.problems if "Gebiete" in p.message or "Lücke" in p.message]


def test_overlapping_areas_are_refused_with_ids_and_square_metres(tmp_path):
    shapes = _grid() | {"02": box(X + 950, Y, X + 2000, Y + 1000)}  # 50 m × 1000 m into 01
    checked = check_area_file(_file(tmp_path, shapes))
    assert not checked.ok
    (overlap,) = [p for p in checked.problems if "überlappen" in p.message]
    assert "„01“ und „02“" in overlap.message and "50.000 m²" in overlap.message
    assert overlap.severity == "Fehler" and overlap.row == 2


def test_the_same_geometry_twice_is_refused(tmp_path):
    shapes = _grid() | {"05": box(X, Y, X + 1000, Y + 1000)}
    checked = check_area_file(_file(tmp_path, shapes))
    assert not checked.ok
    assert any("„01“ und „05“ haben dieselbe Fläche" in p.message for p in checked.problems)


def test_an_area_inside_another_is_an_overlap(tmp_path):
    shapes = _grid() | {"05": box(X + 100, Y + 100, X + 200, Y + 200)}
    checked = check_area_file(_file(tmp_path, shapes))
    assert any("„01“ und „05“ überlappen sich auf 10.000 m²" in p.message for p in checked.problems)


def test_slivers_below_the_tolerance_pass(tmp_path):
    shapes = _grid() | {"02": box(X + 999.995, Y, X + 2000, Y + 1000)}  # 5 mm × 1 km = 5 m²
    checked = check_area_file(_file(tmp_path, shapes))
    assert checked.ok, [p.message for p in checked.problems]


def test_a_hole_inside_the_outer_boundary_is_a_warning_naming_its_neighbours(tmp_path):
    hole = box(X + 1000, Y + 1000, X + 1100, Y + 1900)  # 100 m × 900 m, enclosed on all sides
    shapes = _grid() | {"04": _grid()["04"].difference(hole)}
    checked = check_area_file(_file(tmp_path, shapes))
    assert checked.ok  # a lake may be a hole: a warning, not an error
    (gap,) = [p for p in checked.problems if "Lücke" in p.message]
    assert gap.severity == "Warnung" and "90.000 m²" in gap.message
    assert all(f"„{k}“" in gap.message for k in ("02", "03", "04"))


def test_a_notch_in_the_outer_boundary_is_no_hole(tmp_path):
    shapes = _grid() | {"04": box(X + 1100, Y + 1000, X + 2000, Y + 2000)}  # open to the outside
    checked = check_area_file(_file(tmp_path, shapes))
    assert not [p for p in checked.problems if "Lücke" in p.message]


def test_an_overlapping_area_file_does_not_reach_the_database(tiny_engine, tmp_path):
    from tests.unit.test_import import dump

    before = dump(tiny_engine)
    shapes = _grid() | {"02": box(X + 900, Y, X + 2000, Y + 1000)}
    with pytest.raises(Exception, match="überlappen"):
        import_file(tiny_engine, "gebiete", _file(tmp_path, shapes), VersionMeta(source="T", licence="CC0"))
    assert dump(tiny_engine) == before


@pytest.mark.parametrize(
    "path",
    [
        "berlin/geo/lor_planungsraeume_2021.shp",
        "flensburg/geo/flensburg_stadtteile.geojson",
        "flensburg/geo/flensburg_stadtbezirke.geojson",
    ],
)
def test_real_layers_are_clean_coverages(path):
    full = REAL_DATA / path
    if not full.exists():
        pytest.skip(f"{full} fehlt")
    gdf = gpd.read_file(full)
    gdf = gdf.to_crs(25833 if "berlin" in path else 25832)
    gdf["gebiet_id"] = [str(i) for i in range(len(gdf))]
    gdf["_line"] = range(1, len(gdf) + 1)
    assert not [p.message for p in coverage_problems(gdf, path)]
