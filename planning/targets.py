"""Targets (Zielwerte) and traffic lights (Ampeln) with trend arrows for indicators.

A target is agreed by the steering committee for one indicator, with a tolerance band. The light
follows the indicator's polarity:

* higher is better (+1): value ≥ target → grün; target − tolerance ≤ value < target → gelb;
  below → rot.
* higher is worse (−1): value ≤ target → grün; target < value ≤ target + tolerance → gelb;
  above → rot.
* neutral (0, a corridor around the target): |value − target| ≤ tolerance → grün;
  ≤ 2 × tolerance → gelb; beyond → rot.

The bounds belong to the better colour ("at the target" is green, "exactly at the end of the
tolerance" is amber). The value is compared **as displayed**, rounded to the indicator's decimals:
a rate shown as "60,0 %" against a target of 60 % is green even if it is 59.996 internally, so the
light never contradicts the figure next to it.

Trend: the change against the previous year with data, as displayed (rounded); an arrow up/down,
or "→" when the displayed values are equal, and whether the change is an improvement (polarity).
Secret (suppressed) or missing values get no light and no arrow.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

GRUEN, GELB, ROT = "grün", "gelb", "rot"
#: Light → colour on maps and in tables (colour-blind safe pairing, with text and symbol beside it).
LIGHT_COLOURS: dict[str, str] = {GRUEN: "#1a9850", GELB: "#f0b400", ROT: "#d73027"}
LIGHT_SYMBOLS: dict[str, str] = {GRUEN: "●", GELB: "▲", ROT: "■"}
LIGHT_LABELS: dict[str, str] = {GRUEN: "Ziel erreicht", GELB: "im Toleranzbereich", ROT: "Ziel verfehlt"}


@dataclass(frozen=True)
class Target:
    """The agreed target of one indicator."""

    code: str
    target: float
    tolerance: float = 0.0
    note: str = ""
    updated_by: str = ""
    revision: int = 0

    def __post_init__(self) -> None:
        if not math.isfinite(self.target):
            raise ValueError("Zielwert muss eine Zahl sein.")
        if not math.isfinite(self.tolerance) or self.tolerance < 0:
            raise ValueError("Toleranz muss eine Zahl ≥ 0 sein.")

    def describe(self, polarity: int, fmt: object = None) -> str:
        """One German line, e.g. "Ziel ≥ 50,0 % (gelb ab 45,0 %)"."""
        f = fmt if callable(fmt) else (lambda v: f"{v:g}")
        if polarity > 0:
            return f"Ziel ≥ {f(self.target)}" + (
                f" (gelb ab {f(self.target - self.tolerance)})" if self.tolerance else ""
            )
        if polarity < 0:
            return f"Ziel ≤ {f(self.target)}" + (
                f" (gelb bis {f(self.target + self.tolerance)})" if self.tolerance else ""
            )
        return f"Ziel {f(self.target)} ± {f(self.tolerance)}"


def _shown(value: float, decimals: int) -> float:
    return round(float(value), decimals)


def light(value: float | None, target: Target, polarity: int, decimals: int = 1) -> str | None:
    """The traffic light of one value, None when the value is missing or secret (NA)."""
    if value is None or pd.isna(value):
        return None
    v = _shown(value, decimals)
    t, tol = target.target, target.tolerance
    # Compare on the display grid too, so a bound that is itself shown rounded behaves the same.
    eps = 0.5 * 10.0**-decimals * 1e-6
    if polarity > 0:
        if v >= t - eps:
            return GRUEN
        return GELB if v >= t - tol - eps else ROT
    if polarity < 0:
        if v <= t + eps:
            return GRUEN
        return GELB if v <= t + tol + eps else ROT
    dev = abs(v - t)
    if dev <= tol + eps:
        return GRUEN
    return GELB if dev <= 2 * tol + eps else ROT


def lights(values: pd.Series, target: Target | None, polarity: int, decimals: int = 1) -> pd.Series:
    """Light per value (index-aligned, dtype string, NA where there is no light)."""
    if target is None:
        return pd.Series(pd.NA, index=values.index, dtype="string")
    out = [light(v, target, polarity, decimals) for v in values.astype("Float64").to_numpy(object)]
    return pd.Series(out, index=values.index, dtype="string")


@dataclass(frozen=True)
class Trend:
    """Change of a displayed value against the previous year with data."""

    previous_year: int
    change: float
    #: "↑", "↓" or "→" (equal as displayed).
    arrow: str
    #: True better, False worse, None neutral polarity or no change.
    improved: bool | None

    def text(self, fmt: object = None, short: bool = False) -> str:
        """ "↑ +0,9 Pp. gegenüber 2024" (``short``: without the year)."""
        f = fmt if callable(fmt) else (lambda v: f"{v:g}")
        since = "" if short else f" gegenüber {self.previous_year}"
        if self.arrow == "→":
            return f"→ unverändert{since}"
        sign = "+" if self.change > 0 else "−"
        return f"{self.arrow} {sign}{f(abs(self.change))}{since}"


def change_unit(unit: str) -> str:
    """The unit of a change: a rate in % changes by percentage points (Prozentpunkte)."""
    return "Pp." if unit == "%" else unit


def trend(series: pd.DataFrame, year: int, polarity: int, decimals: int = 1) -> Trend | None:
    """Trend of ``series`` (``year, value``) at ``year`` against the latest earlier year with a value."""
    if series.empty:
        return None
    s = series[["year", "value"]].dropna()
    now = s[s["year"] == year]
    before = s[s["year"] < year]
    if now.empty or before.empty:
        return None
    prev = before.loc[before["year"].idxmax()]
    v_now, v_prev = _shown(now["value"].iloc[0], decimals), _shown(prev["value"], decimals)
    change = round(v_now - v_prev, decimals)
    if change == 0:
        return Trend(int(prev["year"]), 0.0, "→", None)
    arrow = "↑" if change > 0 else "↓"
    improved = None if polarity == 0 else (change > 0) == (polarity > 0)
    return Trend(int(prev["year"]), float(change), arrow, improved)


def trends(table: pd.DataFrame, year: int, polarity: int, decimals: int = 1) -> pd.DataFrame:
    """Per area (``gebiet_id, year, value``): ``gebiet_id, previous, change, arrow, improved`` at ``year``.

    Vectorised version of :func:`trend` for a whole district table.
    """
    cols = ["gebiet_id", "previous", "change", "arrow", "improved"]
    t = table[["gebiet_id", "year", "value"]].dropna(subset=["value"])
    now = t[t["year"] == year]
    before = t[t["year"] < year].sort_values("year").groupby("gebiet_id", as_index=False).last()
    if now.empty or before.empty:
        return pd.DataFrame(columns=cols)
    m = now.merge(before, on="gebiet_id", suffixes=("", "_prev"))
    cur = m["value"].astype(float).round(decimals)
    prev = m["value_prev"].astype(float).round(decimals)
    change = (cur - prev).round(decimals)
    arrow = np.select([change > 0, change < 0], ["↑", "↓"], "→")
    if polarity == 0:
        improved = pd.Series(pd.NA, index=m.index, dtype="boolean")
    else:
        improved = pd.Series((change > 0) == (polarity > 0), index=m.index, dtype="boolean").mask(change == 0)
    return pd.DataFrame(
        {
            "gebiet_id": m["gebiet_id"],
            "previous": m["year_prev"].astype("int64"),
            "change": change,
            "arrow": arrow,
            "improved": improved,
        }
    )[cols]


def status_row(
    indicator_polarity: int,
    decimals: int,
    target: Target | None,
    districts: pd.DataFrame,
    city: pd.DataFrame,
    year: int,
) -> dict[str, object]:
    """One line of an indicator set overview at ``year``.

    ``districts`` is the protected district table (``gebiet_id, year, value, suppressed``) of all
    years, ``city`` the city series. Returns the city value and its light and trend, how many
    districts are green/amber/red, how many are secret and how many have no data, and which moved
    to a worse light since the previous year. Rows marked ``few`` (a rate on too small a base,
    planning.small_base) get no light; ``few`` counts them.
    """
    if "few" in districts.columns:
        few_all = districts["few"].astype("boolean").fillna(False).astype(bool)
        districts = districts.assign(value=districts["value"].where(~few_all))
    else:
        few_all = pd.Series(False, index=districts.index)
    now = districts[districts["year"] == year]
    few_now = few_all.reindex(now.index)
    secret = (
        now["suppressed"].fillna(False).astype(bool) if "suppressed" in now else pd.Series(False, now.index)
    )
    city_now = city[city["year"] == year]
    city_value = None if city_now.empty else city_now["value"].iloc[0]
    city_secret = bool(not city_now.empty and city_now.get("suppressed", pd.Series([False])).iloc[0])
    out: dict[str, object] = {
        "city_value": None if city_value is None or pd.isna(city_value) else float(city_value),
        "city_secret": city_secret,
        "city_light": light(city_value, target, indicator_polarity, decimals) if target else None,
        "city_trend": trend(city, year, indicator_polarity, decimals),
        "secret": int(secret.sum()),
        "missing": int((now["value"].isna() & ~secret & ~few_now).sum()),
        "few": int(few_now.sum()),
    }
    counts = lights(now["value"], target, indicator_polarity, decimals).value_counts()
    for key in (GRUEN, GELB, ROT):
        out[key] = int(counts.get(key, 0))
    worse = 0
    if target is not None:
        before_year = districts.loc[districts["year"] < year, "year"]
        if not before_year.empty:
            prev = districts[districts["year"] == before_year.max()]
            rank = {GRUEN: 0, GELB: 1, ROT: 2}
            a = dict(
                zip(
                    prev["gebiet_id"],
                    lights(prev["value"], target, indicator_polarity, decimals),
                    strict=True,
                )
            )
            b = dict(
                zip(now["gebiet_id"], lights(now["value"], target, indicator_polarity, decimals), strict=True)
            )
            worse = sum(
                1
                for g, lb in b.items()
                if isinstance(lb, str) and isinstance(a.get(g), str) and rank[lb] > rank[str(a[g])]
            )
    out["worse"] = worse
    return out
