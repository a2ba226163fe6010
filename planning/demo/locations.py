"""Random WGS84 coordinates inside Planungsräume for the demo's Kitas and schools.

Why: both facility kinds need plausible map positions drawn the same deterministic way.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np

from geodata.synthetic import random_points_in


def lonlat(areas: gpd.GeoDataFrame, area_pos: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Random WGS84 points (n, 2: lon, lat) inside the given areas, one per entry of ``area_pos``."""
    xy = np.zeros((len(area_pos), 2))
    for pos in sorted(set(area_pos.tolist())):
        rows = np.flatnonzero(area_pos == pos)
        xy[rows] = random_points_in(areas.geometry.iloc[pos], len(rows), rng)
    wgs = gpd.GeoSeries(gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=areas.crs).to_crs(4326)
    return np.column_stack([wgs.x.round(6), wgs.y.round(6)])
