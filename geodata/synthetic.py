"""Synthetic municipal geometry: an irregular city cut into an exact coverage of districts.

Feeds the demo municipality "Weidenstadt" (``planning/demo/``) and tests that need realistic
districts without real data. Everything is deterministic for a seed (numpy ``default_rng``).

Why the coverage is exact: the city is meshed into small triangles on a jittered grid, every
triangle gets one district label, and a district is the ``coverage_union`` of its triangles.
Neighbours share their border vertex for vertex (the *same* floating-point coordinates), so there
are no gaps, slivers or overlaps, while the borders look drawn rather than straight Voronoi lines.
Districts come from a density-weighted k-means (small districts in the centre, large ones at the
fringe); a domain warp makes their borders wavy, and a river is a border no district crosses.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import LineString
from shapely.geometry.base import BaseGeometry

CRS_EPSG = 25832
#: Centre and semi-axes (m) of the fictional city in EPSG:25832 (southern Lower Saxony).
CENTER = (560_000.0, 5_700_000.0)
SEMI_AXES = (7_000.0, 5_500.0)
MESH_SPACING_M = 100.0

#: Planungsraum types; the ring of each area (distance rank from the centre) decides its type.
#: Names per type are used in rank order, the first innenstadt area is the Altstadt.
AREA_NAMES: dict[str, tuple[str, ...]] = {
    "innenstadt": ("Altstadt", "Bahnhofsviertel", "Marktviertel", "Am Wall"),
    "gruenderzeit": ("Lindenhof", "Kastanienallee", "Gartenstadt", "Musikerviertel", "Am Stadtpark"),
    "gemischt": (
        "Mühlenfeld",
        "Weidenau",
        "Brückenfeld",
        "Rosenhöhe",
        "Eichkamp",
        "Schlossberg",
        "Kanalviertel",
    ),
    "grosswohnsiedlung": ("Hochfeld", "Am Wasserturm", "Sandkamp"),
    "suburban": (
        "Birkenhain",
        "Ellernbrook",
        "Kirchhorst",
        "Hasenwinkel",
        "Auenrode",
        "Heidkamp",
        "Lindenberg",
        "Osterfeld",
        "Wiesengrund",
    ),
    "neubau": ("Sonnenhang",),
    "hafen": ("Am Hafen",),
    "gewerbe": ("Gewerbegebiet Heidfeld",),
    "wald": ("Stadtwald und Kleingärten",),
}
#: Types without a core of their own, never used as the name of a Stadtbezirk.
SPECIAL_TYPES = frozenset({"neubau", "hafen", "gewerbe", "wald"})


@dataclass(frozen=True)
class Mesh:
    """Triangles on a jittered grid: vertices (V, 2), triangles (T, 3), centroids (T, 2), and
    ``pairs`` (P, 2) of triangles sharing an edge (each pair once)."""

    vertices: np.ndarray
    triangles: np.ndarray
    centroids: np.ndarray
    pairs: np.ndarray


@dataclass(frozen=True)
class SyntheticCity:
    """The generated city: outline, river (clipped to the city) and the two-level area table."""

    boundary: BaseGeometry
    river: BaseGeometry
    center: tuple[float, float]
    areas: gpd.GeoDataFrame


def triangle_mesh(
    bounds: tuple[float, float, float, float], spacing: float, rng: np.random.Generator, jitter: float = 0.14
) -> Mesh:
    """Split ``bounds`` into jittered grid quads, each cut into two triangles on a random diagonal.

    A jitter ≤ 0.14 × spacing per coordinate keeps every triangle positively oriented (valid).
    """
    minx, miny, maxx, maxy = bounds
    nx, ny = math.ceil((maxx - minx) / spacing), math.ceil((maxy - miny) / spacing)
    gx, gy = np.meshgrid(minx + np.arange(nx + 1) * spacing, miny + np.arange(ny + 1) * spacing)
    verts = np.column_stack([gx.ravel(), gy.ravel()])
    verts = verts + rng.uniform(-jitter, jitter, verts.shape) * spacing
    i, j = (m.ravel() for m in np.meshgrid(np.arange(nx), np.arange(ny)))
    a = j * (nx + 1) + i
    b, c, d = a + 1, a + nx + 2, a + nx + 1
    flip = (rng.random(a.size) < 0.5)[:, None]
    t1 = np.where(flip, np.column_stack([a, b, d]), np.column_stack([a, b, c]))
    t2 = np.where(flip, np.column_stack([b, c, d]), np.column_stack([a, c, d]))
    tris = np.concatenate([t1, t2])
    centroids = verts[tris].mean(axis=1)
    # Triangles sharing an edge: sort all edges by a vertex-pair key, equal neighbours pair up.
    e0, e1 = tris, np.roll(tris, -1, axis=1)
    keys = (np.minimum(e0, e1) * len(verts) + np.maximum(e0, e1)).ravel()
    owner = np.repeat(np.arange(len(tris)), 3)
    order = np.argsort(keys, kind="stable")
    ks, ow = keys[order], owner[order]
    same = ks[1:] == ks[:-1]
    pairs = np.column_stack([ow[:-1][same], ow[1:][same]])
    return Mesh(verts, tris, centroids, pairs)


def components(labels: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """Connected components of equally labelled cells (edge contact only): the smallest cell index
    of each component, per cell. Min-label propagation with pointer jumping, fully vectorised."""
    same = labels[pairs[:, 0]] == labels[pairs[:, 1]]
    p, q = pairs[same, 0], pairs[same, 1]
    comp = np.arange(len(labels))
    while True:
        low = np.minimum(comp[p], comp[q])
        new = comp.copy()
        np.minimum.at(new, p, low)
        np.minimum.at(new, q, low)
        new = new[new]
        if np.array_equal(new, comp):
            return comp
        comp = new


def _majority_smooth(labels: np.ndarray, pairs: np.ndarray, side: np.ndarray, passes: int) -> np.ndarray:
    """Give a triangle the label of at least two of its three neighbours (removes spikes and
    vertex-only contacts); never across the river (``side`` must match)."""
    out = labels.copy()
    both = np.concatenate([pairs, pairs[:, ::-1]])
    for _ in range(passes):
        src, dst = both[:, 0], both[:, 1]
        ok = side[src] == side[dst]
        key = src[ok].astype(np.int64) * (out.max() + 2) + (out[dst[ok]] + 1)
        uniq, cnt = np.unique(key, return_counts=True)
        cell, lab = uniq // (out.max() + 2), uniq % (out.max() + 2) - 1
        win = (cnt >= 2) & (lab != out[cell])
        new = out.copy()
        new[cell[win]] = lab[win]
        if np.array_equal(new, out):
            break
        out = new
    return out


def _fix_fragments(labels: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """Keep only the largest edge-connected part of every label; smaller parts join the
    neighbouring label they share most edges with (repeated until every label is one piece)."""
    out = labels.copy()
    for _ in range(50):
        comp = components(out, pairs)
        sizes = np.bincount(comp, minlength=len(out))
        best: dict[int, int] = {}
        for c in np.unique(comp):
            lab = int(out[c])
            if lab not in best or sizes[c] > sizes[best[lab]]:
                best[lab] = int(c)
        stray = np.array([comp[i] != best[int(out[i])] for i in range(len(out))])
        if not stray.any():
            return out
        a, b = pairs[:, 0], pairs[:, 1]
        for s, t in ((a, b), (b, a)):
            move = stray[s] & ~stray[t]
            # Last write wins; deterministic because pairs are in a fixed order.
            out[s[move]] = out[t[move]]
    raise RuntimeError("Gebietszerlegung: Teilflächen ließen sich nicht zusammenführen.")


def _weighted_kmeans(
    points: np.ndarray, weights: np.ndarray, k: int, rng: np.random.Generator, iterations: int = 40
) -> np.ndarray:
    """Centres of a density-weighted k-means (Lloyd relaxation on weighted mesh centroids)."""
    centres = points[rng.choice(len(points), size=k, replace=False, p=weights / weights.sum())]
    for _ in range(iterations):
        lab = _nearest(points, centres)
        mass = np.bincount(lab, weights, minlength=k)
        for dim in (0, 1):
            moved = np.bincount(lab, weights * points[:, dim], minlength=k)
            centres[:, dim] = np.where(mass > 0, moved / np.maximum(mass, 1e-12), centres[:, dim])
    return centres


def _sq_dist(points: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Squared distances (n, k) via one matrix product (fast for many points, few centres)."""
    return (points**2).sum(axis=1)[:, None] - 2 * points @ centres.T + (centres**2).sum(axis=1)[None, :]


def _nearest(points: np.ndarray, centres: np.ndarray) -> np.ndarray:
    return np.argmin(_sq_dist(points, centres), axis=1)


def _group_contiguous(
    adjacency: dict[int, set[int]], seeds: list[int], targets: list[int], order_key: np.ndarray
) -> np.ndarray:
    """Grow contiguous groups from ``seeds`` on the area adjacency graph: the group furthest
    below its target takes the unassigned neighbour with the smallest ``order_key`` distance."""
    n = len(order_key)
    group = np.full(n, -1)
    for g, s in enumerate(seeds):
        group[s] = g
    while (group < 0).any():
        progress = False
        for g in sorted(range(len(seeds)), key=lambda g: ((group == g).sum() - targets[g], g)):
            members = np.flatnonzero(group == g)
            free = sorted({m for i in members for m in adjacency[int(i)] if group[m] < 0})
            if free:
                pick = min(free, key=lambda m: (float(np.hypot(*(order_key[m] - order_key[seeds[g]]))), m))
                group[pick] = g
                progress = True
                break
        if not progress:
            raise RuntimeError("Stadtbezirke: nicht alle Planungsräume erreichbar.")
    return group


def generate_city(
    seed: int, n_areas: int = 32, n_districts: int = 7, spacing: float = MESH_SPACING_M
) -> SyntheticCity:
    """Generate Weidenstadt's outline, river, Planungsräume and Stadtbezirke for ``seed``.

    The area table has ``gebiet_id, name, level, parent_gebiet_id, typ, geometry`` (EPSG:25832):
    Stadtbezirke "01".."07" (level 0, "01" = Mitte), Planungsräume "0101"… (level 1, numbered by
    distance from the centre within their Bezirk). ``typ`` names the settlement type that drives
    the demo's demography (``AREA_NAMES`` keys; None for Bezirke).
    """
    if n_areas != sum(len(v) for v in AREA_NAMES.values()):
        raise ValueError(f"n_areas muss {sum(len(v) for v in AREA_NAMES.values())} sein (Namensliste).")
    rng = np.random.default_rng(seed)
    cx, cy = CENTER
    ax, ay = SEMI_AXES
    ks = np.arange(2, 13)
    amp = 0.2 / ks**1.1 * rng.uniform(0.4, 1.0, ks.size)
    phase = rng.uniform(0, 2 * np.pi, ks.size)

    def outline(theta: np.ndarray) -> np.ndarray:
        return 1 + (amp[:, None] * np.cos(ks[:, None] * theta[None, :] + phase[:, None])).sum(axis=0)

    r_max = 1 + amp.sum() + 0.05
    mesh = triangle_mesh((cx - ax * r_max, cy - ay * r_max, cx + ax * r_max, cy + ay * r_max), spacing, rng)
    px, py = mesh.centroids[:, 0], mesh.centroids[:, 1]
    u, v = (px - cx) / ax, (py - cy) / ay
    theta = np.arctan2(v, u)
    inside = np.hypot(u, v) < outline(theta)

    r_phase = rng.uniform(0, 2 * np.pi, 2)
    r_y0 = cy - rng.uniform(200, 900)

    def river_y(x: np.ndarray) -> np.ndarray:
        t = 2 * np.pi * (x - cx)
        return r_y0 + 650 * np.sin(t / 8500 + r_phase[0]) + 220 * np.sin(t / 2900 + r_phase[1])

    side = (py > river_y(px)).astype(int)
    centre_x = cx + rng.uniform(-500, 500)
    centre = (centre_x, float(river_y(np.array([centre_x]))[0]) + 350)
    dist = np.hypot(px - centre[0], py - centre[1])
    weight = (1 + (dist / 1600) ** 2) ** -1.6

    # Seeds per river bank in proportion to the bank's weight, then weighted k-means per bank.
    seeds: list[np.ndarray] = []
    seed_side: list[int] = []
    w_bank = [weight[inside & (side == s)].sum() for s in (0, 1)]
    k0 = int(np.clip(round(n_areas * w_bank[0] / sum(w_bank)), 1, n_areas - 1))
    for s, k in ((0, k0), (1, n_areas - k0)):
        m = inside & (side == s)
        # Every third cell is plenty for the relaxation and keeps it fast.
        seeds.append(_weighted_kmeans(mesh.centroids[m][::3], weight[m][::3], k, rng))
        seed_side += [s] * k
    centres = np.concatenate(seeds)
    centre_side = np.array(seed_side)

    # Domain warp: distances are measured from a displaced position, so borders become wavy.
    wp = rng.uniform(0, 2 * np.pi, 4)
    wl = rng.uniform(2500, 4000, 4)
    wx = 230 * (np.sin(2 * np.pi * py / wl[0] + wp[0]) + 0.5 * np.sin(2 * np.pi * (px + py) / wl[1] + wp[1]))
    wy = 230 * (np.sin(2 * np.pi * px / wl[2] + wp[2]) + 0.5 * np.sin(2 * np.pi * (px - py) / wl[3] + wp[3]))
    warped = np.column_stack([px + wx, py + wy])
    d2 = _sq_dist(warped, centres)
    d2[side[:, None] != centre_side[None, :]] = np.inf
    labels = np.where(inside, np.argmin(d2, axis=1), -1)
    labels = _majority_smooth(labels, mesh.pairs, side, passes=4)
    labels = _fix_fragments(labels, mesh.pairs)
    if len(np.unique(labels[labels >= 0])) != n_areas:
        raise RuntimeError("Gebietszerlegung: ein Planungsraum ist verschwunden.")

    used = np.flatnonzero(labels >= 0)
    tris = shapely.polygons(mesh.vertices[mesh.triangles[used]])
    geoms = [shapely.coverage_union_all(tris[labels[used] == k]) for k in range(n_areas)]
    boundary = shapely.coverage_union_all(np.array(geoms))
    river_x = np.linspace(cx - ax * r_max, cx + ax * r_max, 400)
    river = LineString(np.column_stack([river_x, river_y(river_x)])).intersection(boundary)
    areas = _label_areas(geoms, labels, mesh, centre, outline, side, n_districts, rng)
    return SyntheticCity(boundary, river, centre, areas)


def _label_areas(
    geoms: list[BaseGeometry],
    labels: np.ndarray,
    mesh: Mesh,
    centre: tuple[float, float],
    outline: Callable[[np.ndarray], np.ndarray],
    side: np.ndarray,
    n_districts: int,
    rng: np.random.Generator,
) -> gpd.GeoDataFrame:
    """Types, names, Bezirke and IDs for the raw districts (see :func:`generate_city`)."""
    n = len(geoms)
    cxy = np.array([[g.centroid.x, g.centroid.y] for g in geoms])
    rel = cxy - np.array(centre)
    ang = np.arctan2(rel[:, 1] / SEMI_AXES[1], rel[:, 0] / SEMI_AXES[0])
    rnorm = np.hypot(rel[:, 0] / SEMI_AXES[0], rel[:, 1] / SEMI_AXES[1]) / outline(ang)
    rank = np.argsort(np.argsort(rnorm, kind="stable"), kind="stable")
    area = np.array([g.area for g in geoms])

    typ = np.empty(n, dtype=object)
    by_rank = np.argsort(rank)
    typ[by_rank[:4]] = "innenstadt"
    typ[by_rank[4:9]] = "gruenderzeit"
    middle = by_rank[9:19]
    gws = rng.choice(np.arange(3, 10), size=3, replace=False)
    typ[middle] = "gemischt"
    typ[middle[gws]] = "grosswohnsiedlung"
    outer = [int(i) for i in by_rank[19:]]
    # Harbour: outer area with the longest river bank; industry next to it; forest the largest
    # remaining; Sonnenhang the southernmost remaining (a south-facing slope).
    pl = labels[mesh.pairs]
    border = (pl[:, 0] != pl[:, 1]) & (pl >= 0).all(axis=1)
    bank = border & (side[mesh.pairs[:, 0]] != side[mesh.pairs[:, 1]])
    along = np.bincount(pl[bank].ravel(), minlength=n)
    adjacency: dict[int, set[int]] = {i: set() for i in range(n)}
    for a, b in sorted({(int(a), int(b)) for a, b in pl[border]}):
        adjacency[a].add(b)
        adjacency[b].add(a)
    harbour = max(outer, key=lambda i: (along[i], -i))
    outer.remove(harbour)
    near = [i for i in outer if i in adjacency[harbour]] or outer
    industry = max(near, key=lambda i: (area[i], -i))
    outer.remove(industry)
    forest = max(outer, key=lambda i: (area[i], -i))
    outer.remove(forest)
    sonnenhang = min(outer, key=lambda i: (cxy[i, 1], i))
    outer.remove(sonnenhang)
    typ[[harbour, industry, forest, sonnenhang]] = ["hafen", "gewerbe", "wald", "neubau"]
    typ[outer] = "suburban"

    name = np.empty(n, dtype=object)
    for t, pool in AREA_NAMES.items():
        members = sorted(np.flatnonzero(typ == t), key=lambda i: rank[i])
        name[members] = list(pool[: len(members)])

    # Stadtbezirke: Mitte grows from the most central area, the others from outer areas at equal
    # angular steps; all are contiguous by construction (growth along shared borders only).
    start = rng.uniform(-np.pi, np.pi)
    outer_half = [int(i) for i in by_rank[n // 2 :]]
    district_seeds = [int(by_rank[0])]
    for k in range(n_districts - 1):
        target = start + k * 2 * np.pi / (n_districts - 1)
        cand = [i for i in outer_half if i not in district_seeds]
        district_seeds.append(min(cand, key=lambda i: (abs(np.angle(np.exp(1j * (ang[i] - target)))), i)))
    group = _group_contiguous(adjacency, district_seeds, [math.ceil(n / n_districts)] * n_districts, cxy)

    # IDs: 01 = Mitte, then clockwise from north by the Bezirk's centroid angle.
    g_cent = np.array([cxy[group == g].mean(axis=0) for g in range(n_districts)]) - np.array(centre)
    compass = (np.pi / 2 - np.arctan2(g_cent[:, 1], g_cent[:, 0])) % (2 * np.pi)
    g_order = [0, *sorted(range(1, n_districts), key=lambda g: (compass[g], g))]
    rows: list[dict[str, object]] = []
    for b_no, g in enumerate(g_order, start=1):
        bid = f"{b_no:02d}"
        members = sorted(np.flatnonzero(group == g), key=lambda i: (rank[i], i))
        core = next((i for i in members if _names_a_district(typ[i], name[i])), members[0])
        b_geom = shapely.coverage_union_all(np.array([geoms[i] for i in members]))
        rows.append(dict(gebiet_id=bid, name="Mitte" if g == 0 else name[core], level=0, geometry=b_geom))
        for p_no, i in enumerate(members, start=1):
            rows.append(
                dict(
                    gebiet_id=f"{bid}{p_no:02d}",
                    name=name[i],
                    level=1,
                    parent_gebiet_id=bid,
                    typ=typ[i],
                    geometry=geoms[i],
                )
            )
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS_EPSG)
    gdf = gdf[["gebiet_id", "name", "level", "parent_gebiet_id", "typ", "geometry"]]
    return gdf.sort_values(["level", "gebiet_id"], ignore_index=True)


def _names_a_district(typ: str, name: str) -> bool:
    """Whether a Planungsraum's name can name its Stadtbezirk (a place name, not a street/quarter)."""
    return typ not in SPECIAL_TYPES | {"innenstadt"} and not name.startswith("Am ") and "viertel" not in name


def random_points_in(
    polygon: BaseGeometry, n: int, rng: np.random.Generator, margin: float = 40.0
) -> np.ndarray:
    """``n`` random points (n, 2) inside ``polygon``, at least ``margin`` metres from its border,
    so that points stay inside after a round trip through WGS84 (rejection sampling)."""
    inner = polygon.buffer(-margin)
    if inner.is_empty:
        inner = polygon
    shapely.prepare(inner)
    minx, miny, maxx, maxy = inner.bounds
    found = np.empty((0, 2))
    while len(found) < n:
        cand = rng.uniform((minx, miny), (maxx, maxy), size=(max(16, 4 * n), 2))
        found = np.concatenate([found, cand[shapely.contains_xy(inner, cand[:, 0], cand[:, 1])]])
    return found[:n]


def synthetic_areas(seed: int = 2025) -> gpd.GeoDataFrame:
    """The Weidenstadt area table for ``seed`` (see :func:`generate_city`)."""
    return generate_city(seed).areas
