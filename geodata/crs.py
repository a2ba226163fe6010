"""CRS handling: refuse unknown CRS, metric work in ETRS89/UTM, WGS84 only for the browser."""

from __future__ import annotations

import math

import geopandas as gpd

WGS84 = 4326


class MissingCrsError(ValueError):
    """A geometry layer came without a coordinate reference system."""


def require_crs(gdf: gpd.GeoDataFrame, what: str = "Geodaten") -> gpd.GeoDataFrame:
    if gdf.crs is None:
        raise MissingCrsError(f"{what}: kein Koordinatenbezugssystem (CRS) angegeben.")
    return gdf


def to_wgs84(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Reproject to EPSG:4326 (lon/lat) for plotly; refuses layers without CRS."""
    return require_crs(gdf).to_crs(WGS84)


def map_view(
    bounds: tuple[float, float, float, float],
    width_px: int = 800,
    height_px: int = 560,
    padding: float = 0.92,
) -> tuple[dict[str, float], float]:
    """Centre and zoom so that WGS84 ``bounds`` (minx, miny, maxx, maxy) fill a web-mercator map.

    plotly's ``choropleth_map`` has no ``fitbounds``; this is the tile-pyramid formula for MapLibre,
    whose world is 512 px wide at zoom 0.
    """
    minx, miny, maxx, maxy = bounds

    def merc_y(lat: float) -> float:
        s = math.sin(math.radians(lat))
        return math.log((1 + s) / (1 - s)) / 2

    lon_span = max(maxx - minx, 1e-6)
    y_span = max(merc_y(maxy) - merc_y(miny), 1e-9)
    zoom_x = math.log2(width_px * padding * 360 / (512 * lon_span))
    zoom_y = math.log2(height_px * padding * 2 * math.pi / (512 * y_span))
    center_lat = math.degrees(math.atan(math.sinh((merc_y(maxy) + merc_y(miny)) / 2)))
    return {"lon": (minx + maxx) / 2, "lat": center_lat}, round(min(zoom_x, zoom_y), 2)
