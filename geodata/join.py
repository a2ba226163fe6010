"""Spatial joins: the area a point (Kita, school) lies in; the upper area that holds a lower one."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely


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


def containing_upper(
    lower: gpd.GeoDataFrame,
    upper: gpd.GeoDataFrame,
    lower_id: str = "gebiet_id",
    upper_id: str = "ober_gebiet_id",
) -> pd.DataFrame:
    """For each lower area the upper area that contains most of it (by area, in a metric CRS).

    Returns one row per lower area (its order): ``lower_id``, ``upper_id`` (NA when it touches no
    upper area), ``share`` (0–1 of its area inside that upper area) and the runner-up ``second_id``
    with ``second_share`` (NA/0 when it lies in one upper area only). Both layers need a CRS.
    """
    for what, gdf in (("untere", lower), ("obere", upper)):
        if gdf.crs is None:
            raise ValueError(f"Die {what} Gebietsebene hat kein Koordinatenbezugssystem.")
    metric = lower.crs if not lower.crs.is_geographic else lower.estimate_utm_crs("ETRS89")
    lo = gpd.GeoDataFrame(
        {"_lid": lower[lower_id].to_numpy()}, geometry=lower.geometry.to_numpy(), crs=lower.crs
    )
    lo = lo.to_crs(metric).reset_index(drop=True)
    up = gpd.GeoDataFrame(
        {"_uid": upper[upper_id].to_numpy()}, geometry=upper.geometry.to_numpy(), crs=upper.crs
    )
    up = up.to_crs(metric).reset_index(drop=True)
    pairs = gpd.sjoin(lo, up, predicate="intersects")[["index_right"]]
    left = pairs.index.to_numpy()
    right = pairs["index_right"].to_numpy()
    shared = shapely.area(shapely.intersection(lo.geometry.to_numpy()[left], up.geometry.to_numpy()[right]))
    own = shapely.area(lo.geometry.to_numpy())
    found = pd.DataFrame({"lo": left, "uid": up["_uid"].to_numpy()[right], "share": shared / own[left]})
    found = found[found["share"] > 0].sort_values(["lo", "share"], ascending=[True, False])
    first = found.groupby("lo").nth(0).set_index("lo")
    second = found.groupby("lo").nth(1).set_index("lo")
    out = pd.DataFrame({lower_id: lo["_lid"].to_numpy()})
    out[upper_id] = pd.Series(first["uid"], dtype="object").reindex(out.index).to_numpy()
    out["share"] = first["share"].reindex(out.index).fillna(0.0).to_numpy()
    out["second_id"] = pd.Series(second["uid"], dtype="object").reindex(out.index).to_numpy()
    out["second_share"] = second["share"].reindex(out.index).fillna(0.0).to_numpy()
    return out
