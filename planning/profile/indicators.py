"""Every indicator of one area against the city: value, difference, rank, light and trend.

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

from planning import small_base
from planning.formatting import format_value
from planning.indicators import DOMAINS, Indicator, city_series, indicator_table
from planning.repository import PlanningData
from planning.suppression import GEHEIM, KEINE_DATEN
from planning.targets import LIGHT_LABELS, LIGHT_SYMBOLS, Target, light, trend

OK = "ok"
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


def area_history(table: pd.DataFrame, gebiet_id: str) -> pd.DataFrame:
    """The area's rows of an indicator table (all years) with a shown value; secret years are left
    out, so a line through the others never reveals them."""
    _require(table, ("gebiet_id", "value", "suppressed"), "Verlauf")
    shown = table["value"].notna() & ~table["suppressed"].astype(bool)
    return table[(table["gebiet_id"] == gebiet_id) & shown]


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
