"""Simplified district layers for the browser: coverage-safe, rounded, compact GeoJSON.

Districts share borders; simplifying each polygon on its own opens slivers and gaps between
neighbours. ``GeoSeries.simplify_coverage`` simplifies shared edges once, so the layer stays a clean
coverage. Tolerance is in metres (the layer's metric CRS); coordinates are rounded after
reprojection to WGS84 to keep the payload small.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import shapely

from geodata.crs import require_crs, to_wgs84

DEFAULT_TOLERANCE_M = 25.0  # 542 Berlin areas: ≈ 0.4 MB; the eye sees no difference at city zoom
COORD_DECIMALS = 5  # ≈ 1 m at German latitudes


def simplify_layer(gdf: gpd.GeoDataFrame, tolerance_m: float = DEFAULT_TOLERANCE_M) -> gpd.GeoDataFrame:
    """Coverage-simplify a district layer in its metric CRS; returns a new frame."""
    require_crs(gdf, "Gebietsgeometrien")
    if gdf.crs is not None and gdf.crs.is_geographic:
        raise ValueError("simplify_layer erwartet ein metrisches Koordinatensystem (z. B. EPSG:25832).")
    out = gdf.copy()
    valid = out.geometry.notna() & ~out.geometry.is_empty
    if valid.any() and tolerance_m > 0:
        out.loc[valid, "geometry"] = out.geometry[valid].simplify_coverage(tolerance_m)
    return out


def to_geojson(
    gdf: gpd.GeoDataFrame, id_column: str = "gebiet_id", properties: tuple[str, ...] = ("name",)
) -> dict[str, Any]:
    """A compact GeoJSON FeatureCollection in WGS84 with rounded coordinates."""
    wgs = to_wgs84(gdf)
    geoms = shapely.set_precision(wgs.geometry.to_numpy(), 10**-COORD_DECIMALS, mode="pointwise")
    features = []
    for gid, geom, props in zip(wgs[id_column], geoms, wgs[list(properties)].to_dict("records"), strict=True):
        if geom is None or geom.is_empty:
            continue
        features.append(
            {
                "type": "Feature",
                "id": gid,
                "properties": {id_column: gid, **props},
                "geometry": shapely.geometry.mapping(geom),
            }
        )
    return {"type": "FeatureCollection", "features": features}
