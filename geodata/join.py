"""Spatial joins: which area a point (Kita, school, youth facility) lies in."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd


def area_of_points(
    lon: pd.Series, lat: pd.Series, areas: gpd.GeoDataFrame, id_column: str = "gebiet_id"
) -> pd.Series:
    """The ``id_column`` of the area containing each WGS84 point (NA outside all areas or without a point).

    Points on a shared border get the first matching area; the result is aligned to ``lon``'s index.
    """
    out = pd.Series(pd.NA, index=lon.index, dtype="object")
    has = lon.notna() & lat.notna()
    if not has.any() or areas.empty:
        return out
    pts = gpd.GeoDataFrame(
        geometry=gpd.points_from_xy(lon[has].astype(float), lat[has].astype(float)),
        index=lon.index[has],
        crs=4326,
    ).to_crs(areas.crs)
    joined = gpd.sjoin(pts, areas[[id_column, "geometry"]], how="left", predicate="within")
    joined = joined[~joined.index.duplicated(keep="first")]
    out.loc[joined.index] = joined[id_column].to_numpy()
    return out
