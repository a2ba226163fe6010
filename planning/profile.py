"""The Stadtteilprofil: every domain of one area on one page (children, Kita, school, indicators).

Pure functions on :class:`~planning.repository.PlanningData` for any area level: an upper area is
the sum of the data-level areas below it (:func:`planning.areas.ancestor_map`).

**Ranks** (:func:`indicator_profile`): 1 = most favourable by polarity, ties share the best rank
("1, 2, 2, 4"), compared on the values *as displayed* (rounded to the indicator's decimals), so two
areas showing the same figure never get different ranks. Neutral indicators get no rank. Only
districts whose value is shown take part: a secret („geheim“) district is left out of the ranking
entirely (its rank would reveal its value) and ``n`` counts the shown districts only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

from geodata.crs import to_wgs84
from planning import small_base
from planning.areas import ancestor_map, ancestors, parent_map
from planning.formatting import format_value
from planning.indicators import DOMAINS, Indicator, city_series, indicator_table
from planning.plan import PlanResult, aggregate
from planning.plan_ranges import add_ranges
from planning.population import age_range_count
from planning.repository import PlanningData
from planning.suppression import GEHEIM, KEINE_DATEN
from planning.targets import LIGHT_LABELS, LIGHT_SYMBOLS, Target, light, trend

OK = "ok"
MAX_CHILD_AGE = 17
#: A table per indicator: a callable (e.g. a cached loader) or a dict by indicator code.
Tables: TypeAlias = Callable[[Indicator], pd.DataFrame] | Mapping[str, pd.DataFrame]
Targets: TypeAlias = Callable[[str], Target | None] | Mapping[str, Target]

PROFILE_COLUMNS = [
    "domain",
    "code",
    "label",
    "unit",
    "decimals",
    "polarity",
    "year",
    "value",
    "city_value",
    "difference",
    "rank",
    "n",
    "status",
    "city_status",
    "light",
    "trend_arrow",
    "trend_text",
    "trend_improved",
    "few",
]


# ---------------------------------------------------------------- areas


def area_level(areas: pd.DataFrame, gebiet_id: str) -> int:
    """The level of ``gebiet_id``; a ``KeyError`` in German when the layout has no such area."""
    hit = areas.loc[areas["gebiet_id"] == gebiet_id, "level"]
    if hit.empty:
        raise KeyError(f"Gebiet '{gebiet_id}' gibt es in diesem Gebietsstand nicht.")
    return int(hit.iloc[0])


def data_areas(data: PlanningData, gebiet_id: str) -> list[str]:
    """The data-level areas that make up ``gebiet_id`` (itself on the data level)."""
    level = area_level(data.areas, gebiet_id)
    if level >= data.data_level:
        return [gebiet_id]
    mapping = ancestor_map(data.areas, data.data_level, level)
    return sorted(k for k, v in mapping.items() if v == gebiet_id)


def district_on_level(areas: pd.DataFrame, gebiet_id: str | None, level: int) -> str | None:
    """``gebiet_id`` if it lies on ``level``, its ancestor there if it lies below, else None.

    So a Planungsraum chosen on another page opens its Bezirk when the profile shows Bezirke.
    """
    if gebiet_id is None or gebiet_id not in set(areas["gebiet_id"]):
        return None
    own = area_level(areas, gebiet_id)
    if own == level:
        return gebiet_id
    if own < level:
        return None
    return ancestor_map(areas, own, level).get(gebiet_id)


def district_facts(data: PlanningData, gebiet_id: str, year: int) -> dict[str, Any]:
    """Name, level, the chain of upper areas, residents and children 0–17 of the area in ``year``.

    Residents/children are None when any part of the area lacks the figure (never a partial sum).
    """
    areas = data.areas
    level = area_level(areas, gebiet_id)
    row = areas[areas["gebiet_id"] == gebiet_id].iloc[0]
    names = dict(zip(areas["gebiet_id"], areas["name"], strict=True))
    chain: list[tuple[str, str, str]] = []
    for lvl, cur in zip(range(level - 1, -1, -1), ancestors(gebiet_id, parent_map(areas)), strict=False):
        if cur not in names:
            break
        chain.append((data.layout.levels[lvl], cur, str(names[cur])))
    ids = data_areas(data, gebiet_id)
    residents = children = None
    if not data.population.empty:
        pop = data.population[data.population["gebiet_id"].isin(ids) & (data.population["year"] == year)]
        residents = _complete_sum(age_range_count(pop, 0, None), ids)
        children = _complete_sum(age_range_count(pop, 0, MAX_CHILD_AGE), ids)
    return {
        "gebiet_id": gebiet_id,
        "name": str(row["name"]),
        "level": level,
        "level_name": data.layout.levels[level],
        "ancestors": chain,
        "residents": residents,
        "children": children,
        "areas": len(ids),
    }


def _complete_sum(counts: pd.DataFrame, ids: list[str]) -> int | None:
    if counts.empty or set(counts["gebiet_id"]) != set(ids) or counts["count"].isna().any():
        return None
    return int(counts["count"].sum())


# ---------------------------------------------------------------- children pyramid


Pieces: TypeAlias = dict[tuple[int, int], np.ndarray]


def _age_pieces(pop: pd.DataFrame, ids: list[str]) -> Pieces:
    """Counts per age piece ``(from, to)`` as an array over ``ids`` (NaN where an area lacks it),
    plus pieces derived exactly from nested bands: 0–17 minus 0–6 gives 7–17 (same start),
    0–17 minus 7–17 gives 0–6 (same end)."""
    pos = {g: i for i, g in enumerate(ids)}
    rows = pos_of = np.array([pos.get(g, -1) for g in pop["gebiet_id"]], dtype=np.int64)
    keep = rows >= 0
    a_from = pop["age_from"].to_numpy(dtype=np.int64)[keep]
    a_to = pop["age_to"].to_numpy(dtype=np.int64)[keep]
    counts = pop["count"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)[keep]
    pos_of = pos_of[keep]
    pieces: Pieces = {}
    for key in sorted(set(zip(a_from.tolist(), a_to.tolist(), strict=True))):
        hit = (a_from == key[0]) & (a_to == key[1])
        arr = np.full(len(ids), np.nan)
        arr[pos_of[hit]] = counts[hit]  # one row per area and piece (the import guarantees it)
        pieces[key] = arr
    have = set(pieces)
    derived: Pieces = {}
    for a, b in sorted(have):
        for c, d in sorted(have):
            if a == c and d < b and (d + 1, b) not in have:
                derived[(d + 1, b)] = pieces[(a, b)] - pieces[(c, d)]
            elif b == d and c > a and (a, c - 1) not in have:
                derived[(a, c - 1)] = pieces[(a, b)] - pieces[(c, d)]
    for key, arr in derived.items():
        pieces[key] = np.where(arr >= 0, arr, np.nan)  # a source error must not become a negative bar
    return pieces


def _finest_tiling(pieces: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """The tiling of 0..k by ``pieces`` with the largest k ≤ 17 and, for that k, the most pieces."""
    best: dict[int, list[tuple[int, int]]] = {0: []}
    for start in range(MAX_CHILD_AGE + 1):
        if start not in best:
            continue
        for a, b in sorted(pieces):
            if a == start and b <= MAX_CHILD_AGE:
                path = [*best[start], (a, b)]
                if len(path) > len(best.get(b + 1, [])):
                    best[b + 1] = path
    return best[max(best)]


def children_pyramid(data: PlanningData, gebiet_id: str, year: int) -> pd.DataFrame:
    """Children by age for the area and the whole city, as counts and % of the children shown.

    Columns ``age_from, age_to, label, district, district_share, city, city_share``, youngest
    first. Ages are single years where the data has them, else the finest age bands the data has
    (in every area of the city, so district and city compare like with like). The city sums the
    data-level areas that have all those bands. Empty when the year has no children by age.
    """
    cols = ["age_from", "age_to", "label", "district", "district_share", "city", "city_share"]
    empty = pd.DataFrame(columns=cols)
    pop = data.population
    if pop.empty:
        return empty
    pop = pop[(pop["year"] == year) & pop["sex"].isna() & pop["age_to"].notna()]
    pop = pop[pop["age_to"].astype("int64") <= MAX_CHILD_AGE]
    city_ids = sorted(
        set(pop["gebiet_id"]) & set(data.areas.loc[data.areas["level"] == data.data_level, "gebiet_id"])
    )
    own = set(data_areas(data, gebiet_id))
    mine = np.array([g in own for g in city_ids], dtype=bool)
    if not mine.any():
        return empty
    pieces = _age_pieces(pop, city_ids)
    tiling = _finest_tiling([k for k, v in pieces.items() if not np.isnan(v).any()])
    if not tiling:  # fall back to the pieces the district itself has complete
        tiling = _finest_tiling([k for k, v in pieces.items() if not np.isnan(v[mine]).any()])
    if not tiling:
        return empty
    grid = np.vstack([pieces[k] for k in tiling])  # [piece, area]
    complete = ~np.isnan(grid).any(axis=0)
    out = pd.DataFrame(
        {
            "age_from": [a for a, _ in tiling],
            "age_to": [b for _, b in tiling],
            "label": [str(a) if a == b else f"{a}–{b}" for a, b in tiling],
            "district": grid[:, mine].sum(axis=1),
            "city": grid[:, complete].sum(axis=1),
        }
    )
    out["district_share"] = _share(out["district"])
    out["city_share"] = _share(out["city"])
    return out[cols]


def _share(counts: pd.Series) -> pd.Series:
    total = float(counts.sum())
    return counts * 100.0 / total if total > 0 else counts * np.nan


# ---------------------------------------------------------------- indicators


def _lookup(
    source: Tables | None, ind: Indicator, default: Callable[[Indicator], pd.DataFrame]
) -> pd.DataFrame:
    if source is None:
        return default(ind)
    if callable(source):
        return source(ind)
    return source[ind.code]


def _target(targets: Targets | None, code: str) -> Target | None:
    if targets is None:
        return None
    return targets(code) if callable(targets) else targets.get(code)


def _shown(value: Any, decimals: int) -> float | None:
    return None if value is None or pd.isna(value) else round(float(value), decimals)


def rank_of(table: pd.DataFrame, gebiet_id: str, polarity: int, decimals: int) -> tuple[int | None, int]:
    """(rank, n) of ``gebiet_id`` among the shown districts of a one-year table (see module doc).

    Rows marked ``few`` (a rate on too small a base, planning.small_base) take no part: no rank of
    their own, and they do not push others down."""
    secret = _secret(table)
    if "few" in table.columns:
        secret = secret | table["few"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    values = table["value"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    shown = ~np.isnan(values) & ~secret
    n = int(shown.sum())
    own = shown & (table["gebiet_id"].to_numpy(dtype=object) == gebiet_id)
    if polarity == 0 or not own.any():
        return None, n
    rounded = np.round(values[shown], decimals)
    mine = float(np.round(values[own][0], decimals))
    better = rounded > mine if polarity > 0 else rounded < mine
    return int(better.sum()) + 1, n


def _secret(table: pd.DataFrame) -> np.ndarray:
    if "suppressed" not in table.columns:
        return np.zeros(len(table), dtype=bool)
    return table["suppressed"].astype("boolean").fillna(False).to_numpy(dtype=bool)


def _require(df: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"Tabelle zu '{what}' ohne Spalte(n): {', '.join(missing)}")


def _domain_order(domain: str) -> int:
    return DOMAINS.index(domain) if domain in DOMAINS else len(DOMAINS)


def indicator_profile(
    data: PlanningData,
    indicators: Iterable[Indicator],
    targets: Targets | None,
    gebiet_id: str,
    level: int,
    year: int,
    tables: Tables | None = None,
    cities: Tables | None = None,
    min_base: float | None = None,
) -> pd.DataFrame:
    """One row per indicator for the area: value, city value, difference, rank, light and trend.

    A rate on fewer than ``min_base`` in its denominator (default: the parameter
    ``mindestbasis_quote``) is shown with ``few`` True and gets no rank and no light; areas so
    marked do not count in the others' ranks either (planning.small_base).

    ``tables`` gives the district table of an indicator on ``level`` (all years, as
    :func:`planning.indicators.indicator_table`), ``cities`` its city series (as
    :func:`planning.indicators.city_series`): a callable or a dict by code, so the UI can pass
    cached tables; both default to computing them. Where an indicator has no figure in ``year``
    the latest earlier year is used (column ``year``). ``status`` is ``ok``, ``geheim`` or
    ``keine Daten``; a secret value stays NA and gets no rank, light or trend. ``difference`` is
    district minus city as displayed, for rates only (a count is not comparable with the city total).
    """
    rows = []
    minimum = small_base.default_minimum() if min_base is None else min_base
    ordered = sorted(indicators, key=lambda i: _domain_order(i.domain))
    for ind in ordered:
        table = _lookup(tables, ind, lambda i: indicator_table(data, i, level))
        city = _lookup(cities, ind, lambda i: city_series(data, i))
        _require(table, ("gebiet_id", "year", "value", "suppressed"), ind.code)
        _require(city, ("year", "value"), ind.code)
        if "denominator" in table.columns:
            table = small_base.mark(table, ind, minimum)
        years = table["year"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        values = table["value"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        secret = _secret(table)
        mine = table["gebiet_id"].to_numpy(dtype=object) == gebiet_id
        has = ~np.isnan(years) & (~np.isnan(values) | secret) & (years <= year)
        used = int(years[has].max()) if has.any() else None
        this = table[years == used] if used is not None else table.iloc[0:0]
        own = mine & (years == used)
        is_secret = bool(secret[own].any())
        value = None if is_secret or not own.any() else _shown(values[own][0], 12)
        status = GEHEIM if is_secret else (KEINE_DATEN if value is None else OK)
        c_years = city["year"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        c_row = city[c_years == used] if used is not None else city.iloc[0:0]
        c_secret = bool(_secret(c_row).any())
        c_value = None if c_row.empty or c_secret else _shown(c_row["value"].iloc[0], 12)
        c_status = GEHEIM if c_secret else (KEINE_DATEN if c_value is None else OK)
        difference = None
        if ind.is_rate and value is not None and c_value is not None:
            difference = round(round(value, ind.decimals) - round(c_value, ind.decimals), ind.decimals)
        few = bool(status == OK and "few" in this.columns and this.loc[own[years == used], "few"].any())
        rank, n = rank_of(this, gebiet_id, ind.polarity if status == OK else 0, ind.decimals)
        target = _target(targets, ind.code)
        lit = light(value, target, ind.polarity, ind.decimals) if target and value is not None else None
        lit = None if few else lit
        history = pd.DataFrame({"year": years[mine & ~secret], "value": values[mine & ~secret]})
        tr = trend(history, used, ind.polarity, ind.decimals) if status == OK and used else None
        rows.append(
            {
                "domain": ind.domain,
                "code": ind.code,
                "label": ind.label_de,
                "unit": ind.unit,
                "decimals": ind.decimals,
                "polarity": ind.polarity,
                "year": used,
                "value": value,
                "city_value": c_value,
                "difference": difference,
                "rank": rank,
                "n": n,
                "status": status,
                "city_status": c_status,
                "light": lit,
                "trend_arrow": tr.arrow if tr else None,
                "trend_text": tr.text(lambda v, i=ind: format_change(v, i, signed=False)) if tr else None,
                "trend_improved": tr.improved if tr else None,
                "few": few,
            }
        )
    out = pd.DataFrame(rows, columns=PROFILE_COLUMNS)
    return out.astype(
        {
            "rank": "Int64",
            "n": "int64",
            "year": "Int64",
            "value": "Float64",
            "city_value": "Float64",
            "difference": "Float64",
        }
    )


def format_change(value: float, ind: Indicator, signed: bool = True) -> str:
    """A difference in the indicator's unit; percentages in Prozentpunkte, typographic minus."""
    unit = "Pp." if ind.unit == "%" else ind.unit
    text = format_value(abs(value), ind.decimals, unit if unit not in ("Kinder", "Personen") else "")
    if not signed:
        return text
    return ("+" if value > 0 else "−" if value < 0 else "±") + text


def _cell(value: Any, status: str, ind: Indicator) -> str:
    if status == GEHEIM:
        return GEHEIM
    if status != OK or value is None or pd.isna(value):
        return KEINE_DATEN
    return ind.format(float(value))


def weakest(profile: pd.DataFrame, n: int = 5) -> pd.DataFrame:
    """The ``n`` indicators where the area stands worst against the city (for the meeting screen):
    a red light first, then the rank nearest the least favourable end (rank ÷ ranked areas).

    Only ranked rows take part: no rank without a direction, a shown value or enough base
    (``few``), so a rate of three children never heads the list. Raises ``ValueError`` without
    ``rank``, ``n`` or ``light``.
    """
    missing = [c for c in ("rank", "n", "light") if c not in profile.columns]
    if missing:
        raise ValueError(f"Profil ohne Spalte(n): {', '.join(missing)}")
    ranked = profile[profile["rank"].notna() & profile["n"].notna()]
    if "few" in ranked.columns:
        ranked = ranked[~ranked["few"].astype("boolean").fillna(False).to_numpy(dtype=bool)]
    if ranked.empty:
        return ranked
    order = pd.DataFrame(
        {
            "red": (ranked["light"] == "rot").astype(int),
            "share": ranked["rank"].astype(float) / ranked["n"].astype(float),
        },
        index=ranked.index,
    )
    order = order.sort_values(["red", "share"], ascending=False, kind="stable")
    return ranked.loc[order.index[:n]]


def display_table(profile: pd.DataFrame, indicators: Mapping[str, Indicator], year: int) -> pd.DataFrame:
    """The profile as German text cells: Bereich, Kennzahl, Wert, Gesamtstadt, Abweichung, Rang,
    Ampel, Trend (index aligned with ``profile``). The domain is named on its first row only."""
    rows = []
    last_domain = None
    for _, r in profile.iterrows():
        ind = indicators[r["code"]]
        label = r["label"] if pd.isna(r["year"]) or int(r["year"]) == year else f"{r['label']} ({r['year']})"
        diff = (
            "–"
            if r["difference"] is None or pd.isna(r["difference"])
            else format_change(r["difference"], ind)
        )
        rank = f"{int(r['rank'])} von {int(r['n'])}" if pd.notna(r["rank"]) else "–"
        if isinstance(r.get("few"), bool | np.bool_) and r.get("few"):
            rank = f"– ({small_base.label(ind)})"
        lit = r["light"]
        rows.append(
            {
                "Bereich": r["domain"] if r["domain"] != last_domain else "",
                "Kennzahl": label,
                "Wert": _cell(r["value"], r["status"], ind),
                "Gesamtstadt": _cell(r["city_value"], r["city_status"], ind),
                "Abweichung": diff,
                "Rang": rank,
                "Ampel": f"{LIGHT_SYMBOLS[lit]} {LIGHT_LABELS[lit]}" if isinstance(lit, str) else "–",
                "Trend": r["trend_text"] if isinstance(r["trend_text"], str) else "–",
            }
        )
        last_domain = r["domain"]
    return pd.DataFrame(rows, index=profile.index)


# ---------------------------------------------------------------- facilities and map


def facilities_in(data: PlanningData, gebiet_id: str, level: int | None = None) -> pd.DataFrame:
    """Kitas in operation and schools located in the area.

    Columns ``kind`` (Kita/Schule), ``name, detail`` (Träger resp. Schulart), ``places`` (Kita
    places), ``zuege``, ``ganztag_places``, ``gebiet_id, lon, lat``; Kitas first, then by name.
    """
    if level is not None and area_level(data.areas, gebiet_id) != level:
        raise ValueError(f"Gebiet '{gebiet_id}' liegt nicht auf Ebene {level}.")
    ids = set(data_areas(data, gebiet_id))
    cols = ["kind", "name", "detail", "places", "zuege", "ganztag_places", "gebiet_id", "lon", "lat"]
    parts = []
    k = data.kitas
    if not k.empty:
        k = k[k["gebiet_id"].isin(ids) & (k["status"] == "in Betrieb")]
        parts.append(
            pd.DataFrame(
                {
                    "kind": "Kita",
                    "name": k["name"],
                    "detail": k["traeger"],
                    "places": k["places_total"].astype("Float64"),
                    "zuege": pd.Series(np.nan, index=k.index, dtype="Float64"),
                    "ganztag_places": pd.Series(np.nan, index=k.index, dtype="Float64"),
                    "gebiet_id": k["gebiet_id"],
                    "lon": k["lon"],
                    "lat": k["lat"],
                }
            )
        )
    s = data.schools
    if not s.empty:
        s = s[s["gebiet_id"].isin(ids)]
        parts.append(
            pd.DataFrame(
                {
                    "kind": "Schule",
                    "name": s["name"],
                    "detail": s["schulart"],
                    "places": pd.Series(np.nan, index=s.index, dtype="Float64"),
                    "zuege": pd.to_numeric(s["zuege"], errors="coerce").astype("Float64"),
                    "ganztag_places": s["ganztag_places"].astype("Float64"),
                    "gebiet_id": s["gebiet_id"],
                    "lon": s["lon"],
                    "lat": s["lat"],
                }
            )
        )
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame(columns=cols)
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["kind", "name"], key=lambda c: c.str.lower()).reset_index(drop=True)[cols]


def map_extent(
    data: PlanningData, gebiet_id: str, margin: float = 0.25
) -> tuple[list[str], tuple[float, float, float, float]]:
    """The neighbours of the area on its level (sharing a border) and its WGS84 bounds, widened by
    ``margin`` of its size on each side so the neighbourhood shows around it."""
    areas = data.areas
    level = area_level(areas, gebiet_id)
    same = areas[areas["level"] == level]
    geom = same.loc[same["gebiet_id"] == gebiet_id, "geometry"].iloc[0]
    tol = 5.0 if same.crs is not None and same.crs.is_projected else 5e-5  # closes digitising slivers
    touching = same[same.geometry.intersects(geom.buffer(tol)) & (same["gebiet_id"] != gebiet_id)]
    minx, miny, maxx, maxy = (float(v) for v in to_wgs84(same[same["gebiet_id"] == gebiet_id]).total_bounds)
    dx, dy = (maxx - minx) * margin, (maxy - miny) * margin
    return sorted(touching["gebiet_id"]), (minx - dx, miny - dy, maxx + dx, maxy + dy)


# ---------------------------------------------------------------- plan


def plan_series(result: PlanResult, data: PlanningData, gebiet_id: str) -> pd.DataFrame:
    """The plan of the area per year (observed and projected), summed over its data-level areas.

    A capacity the school list does not give (no Zügigkeit or Ganztag places in any of the area's
    schools) stays NA, and so do its balances, instead of reading as zero.
    """
    ids = set(data_areas(data, gebiet_id))
    part = result.table[result.table["gebiet_id"].isin(ids)]
    if part.empty:
        return aggregate(result.table.iloc[0:0], result.params, None)
    if ids == {gebiet_id}:  # a data-level area: its own row, classes as the plan computes them there
        return part.reset_index(drop=True)
    summed = aggregate(part, result.params, None).reset_index(drop=True)
    return add_ranges(summed, result.errors, result.base_year, result.params, rounded=True)


def plan_years(years: list[int], base_year: int, chosen: int | None = None) -> list[int]:
    """The columns of the compact plan table: the base year, +3, +5, +10 and a chosen plan year."""
    wanted = {base_year, base_year + 3, base_year + 5, base_year + 10}
    if chosen is not None:
        wanted.add(chosen)
    return sorted(y for y in wanted if y in set(years))


def plan_ranges(series: pd.DataFrame, years: list[int], rows: list[tuple[str, str]]) -> pd.DataFrame:
    """The ranges of :func:`plan_overview`'s cells: ``(low, high)`` where a forecast year has one,
    else None; same shape and labels."""
    by_year = series.set_index("year")
    out = pd.DataFrame({"Kennzahl": [label for _, label in rows]})
    for y in years:
        cells: list[tuple[float, float] | None] = []
        for col, _ in rows:
            low, high = f"{col}_low", f"{col}_high"
            if y in by_year.index and low in by_year and pd.notna(by_year.loc[y, low]):
                lo, hi = float(by_year.loc[y, low]), float(by_year.loc[y, high])
                cells.append((lo, hi) if round(lo) != round(hi) else None)
            else:
                cells.append(None)
        out[str(y)] = cells
    return out


def plan_overview(series: pd.DataFrame, years: list[int], rows: list[tuple[str, str]]) -> pd.DataFrame:
    """Figures (rows: ``(column, label)``) by year (columns), rounded to whole numbers."""
    by_year = series.set_index("year")
    out = pd.DataFrame({"Kennzahl": [label for _, label in rows]})
    for y in years:
        out[str(y)] = [
            float(np.round(by_year.loc[y, col])) + 0.0  # never "−0"
            if y in by_year.index and pd.notna(by_year.loc[y, col])
            else np.nan
            for col, _ in rows
        ]
    return out
