"""Facility files as cities export them: GeoJSON points, Esri JSON, zipped Shapefile, GeoPackage.

The features become a text table like a CSV (one column per attribute) plus ``lon``/``lat`` in
WGS84, so the same mapping, checks and writer apply. The row number of a problem is the number of
the feature in the file (1 = first). Coordinates of a table (x/y in a stated CRS) are converted by
:func:`xy_to_lonlat`.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from planning.imports.problems import InputFileError, Problem
from planning.imports.readers import RawTable

#: Kinds whose rows are places with coordinates.
POINT_KINDS = ("kitas", "schulen")
VECTOR_SUFFIXES = (".geojson", ".json", ".gpkg", ".zip", ".shp")


def is_vector_file(path: Path, name: str | None = None) -> bool:
    """A geodata file by its name, or JSON by its first bytes (GeoJSON saved as .txt/.csv)."""
    if Path(name or path.name).suffix.lower() in VECTOR_SUFFIXES:
        return True
    with path.open("rb") as fh:
        head = fh.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"{")


def read_points(path: Path, name: str | None = None) -> RawTable:
    """Read a vector file of facilities into a text table with ``lon``/``lat``; German errors."""
    import geopandas as gpd

    from geodata.io import VectorFileError, read_vector

    name = name or path.name
    source = path
    if Path(name).suffix.lower() not in VECTOR_SUFFIXES:  # JSON without a geodata name
        import shutil
        import tempfile

        tmp = Path(tempfile.mkdtemp())
        source = tmp / (Path(name).stem + ".json")
        shutil.copyfile(path, source)
    try:
        gdf: gpd.GeoDataFrame = read_vector(source, Path(source).name if source != path else name)
    except VectorFileError as exc:
        message = str(exc).replace(str(source), name).removeprefix(f"{source.name}: ")
        raise InputFileError(Problem("Fehler", message.removeprefix(f"{name}: "), name)) from None
    except Exception as exc:  # any other reader failure is a problem of the file, in German
        raise InputFileError(
            Problem("Fehler", f"Die Geodaten können nicht gelesen werden ({type(exc).__name__}).", name)
        ) from None
    finally:
        if source != path:
            import shutil

            shutil.rmtree(source.parent, ignore_errors=True)
    if gdf.empty:
        raise InputFileError(Problem("Fehler", "Die Datei enthält keine Objekte.", name))
    notes: list[Problem] = [
        Problem("Hinweis", f"Geodaten: {len(gdf)} Objekte, Koordinatensystem {gdf.crs.to_string()}.", name)
    ]
    geom = gdf.geometry
    kinds = geom.geom_type.fillna("")
    not_point = ~kinds.isin(["Point", "MultiPoint", ""])
    if not_point.any():
        notes.append(
            Problem(
                "Hinweis",
                f"{int(not_point.sum())} Objekt(e) sind Flächen oder Linien "
                f"({', '.join(sorted(set(kinds[not_point])))}): "
                "als Standort gilt ein Punkt in ihrem Inneren.",
                name,
            )
        )
    multi = kinds == "MultiPoint"
    if multi.any() and (geom[multi].apply(lambda g: len(g.geoms)) > 1).any():
        raise InputFileError(
            Problem("Fehler", "Objekte mit mehreren Punkten: ein Standort je Einrichtung erwartet.", name)
        )
    points = geom.copy()
    if not_point.any():
        points[not_point] = geom[not_point].representative_point()
    if multi.any():
        points[multi] = geom[multi].apply(lambda g: g.geoms[0])
    wgs = gpd.GeoSeries(points, crs=gdf.crs).to_crs(4326)
    attributes = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    typed = [c for c in attributes.columns if pd.api.types.is_numeric_dtype(attributes[c])]
    text = pd.DataFrame({c: attributes[c].map(_text) for c in attributes.columns}, dtype="str")
    empty = wgs.is_empty | wgs.isna()
    text["lon"] = [None if e else f"{p.x:.7f}" for p, e in zip(wgs, empty, strict=True)]
    text["lat"] = [None if e else f"{p.y:.7f}" for p, e in zip(wgs, empty, strict=True)]
    text = text.astype("str").replace({"": pd.NA})
    text = text.where(text.notna(), pd.NA)
    lines = tuple(range(1, len(text) + 1))
    return RawTable(
        text.reset_index(drop=True), name, lines, None, None, None, tuple(notes), (*typed, "lon", "lat")
    )


def _text(v: object) -> str | None:
    if v is None or (not isinstance(v, str) and pd.isna(v)):  # type: ignore[call-overload]
        return None
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, float):
        return repr(v)
    if hasattr(v, "strftime"):
        return v.strftime("%Y-%m-%d")  # type: ignore[union-attr]
    return str(v)


def xy_to_lonlat(x: pd.Series, y: pd.Series, crs: str) -> tuple[pd.Series, pd.Series]:
    """Coordinates in ``crs`` (``EPSG:25832``, ``25833``, …) as WGS84 longitude/latitude."""
    from pyproj import CRS, Transformer

    source = CRS.from_user_input(int(crs) if str(crs).isdigit() else crs)
    t = Transformer.from_crs(source, 4326, always_xy=True)
    known = x.notna() & y.notna()
    lon = pd.Series(pd.NA, index=x.index, dtype="Float64")
    lat = pd.Series(pd.NA, index=x.index, dtype="Float64")
    if known.any():
        a, b = t.transform(x[known].astype(float).to_numpy(), y[known].astype(float).to_numpy())
        lon[known], lat[known] = a, b
    return lon, lat
